"""Linking rules: own media into own chapters, once per chapter, dense order after any mix of changes."""
import hashlib
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import courses
from domain.changes import ChangeFeed, Topic
from domain.errors import InvalidInput, NotFound
from domain.links import Linking, video_seconds
from domain.media import FILE_TYPES, MediaItem
from domain.storage_keys import new_media_key
from tests.unit.fakes import FakeUnitOfWork

OWNER = uuid4()


def add_media(uow: FakeUnitOfWork, name: str, *, owner: UUID = OWNER, seconds: float | None = None) -> MediaItem:
    file_type = FILE_TYPES[name.rsplit('.', 1)[1]]
    item = MediaItem(owner_id=owner, display_name=name, original_name=name, kind=file_type.kind,
                     mime_type=file_type.mime, size=1, sha256=hashlib.sha256(f'{owner}{name}'.encode()).hexdigest(),
                     storage_key=new_media_key(owner), duration_seconds=seconds)
    with uow:
        uow.media.add(item)
        uow.commit()
    return item


def make_chapter(uow: FakeUnitOfWork, owner: UUID = OWNER, title: str = 'One') -> courses.Chapter:
    course = courses.create_course(uow, owner_id=owner, title='Film')
    return courses.add_chapter(uow, owner_id=owner, course_id=course.id, title=title)


def names(linking: Linking, chapter_id: UUID) -> list[str]:
    return [entry.item.display_name for entry in linking.chapter_media(OWNER, chapter_id)]


def positions(linking: Linking, chapter_id: UUID) -> list[int]:
    return [entry.link.position for entry in linking.chapter_media(OWNER, chapter_id)]


@pytest.fixture
def linking(uow: FakeUnitOfWork) -> Linking:
    return Linking(new_uow=lambda: uow, feed=ChangeFeed())


def test_items_are_appended_in_the_order_picked(uow: FakeUnitOfWork, linking: Linking) -> None:
    chapter = make_chapter(uow)
    a, b, c = (add_media(uow, name) for name in ('a.mp4', 'b.png', 'c.pdf'))
    linking.link(OWNER, chapter.id, [b.id, a.id])
    linking.link(OWNER, chapter.id, [c.id])
    assert names(linking, chapter.id) == ['b.png', 'a.mp4', 'c.pdf']
    assert positions(linking, chapter.id) == [0, 1, 2]


def test_linking_again_is_a_friendly_no_op(uow: FakeUnitOfWork, linking: Linking) -> None:
    chapter = make_chapter(uow)
    a, b = add_media(uow, 'a.mp4'), add_media(uow, 'b.mp4')
    linking.link(OWNER, chapter.id, [a.id])
    added = linking.link(OWNER, chapter.id, [a.id, b.id, b.id])
    assert [link.media_id for link in added] == [b.id]
    assert names(linking, chapter.id) == ['a.mp4', 'b.mp4']


def test_one_item_in_many_chapters_and_courses(uow: FakeUnitOfWork, linking: Linking) -> None:
    first, second = make_chapter(uow, title='One'), make_chapter(uow, title='Two')
    item = add_media(uow, 'a.mp4')
    linking.link(OWNER, first.id, [item.id])
    linking.link(OWNER, second.id, [item.id])
    assert names(linking, first.id) == names(linking, second.id) == ['a.mp4']


def test_only_own_media_into_own_chapters(uow: FakeUnitOfWork, linking: Linking) -> None:
    stranger = uuid4()
    mine, theirs = make_chapter(uow), make_chapter(uow, owner=stranger)
    my_item, their_item = add_media(uow, 'a.mp4'), add_media(uow, 'b.mp4', owner=stranger)
    for chapter_id, media_id in ((mine.id, their_item.id), (theirs.id, my_item.id)):
        with pytest.raises(NotFound):
            linking.link(OWNER, chapter_id, [media_id])
    link = linking.link(OWNER, mine.id, [my_item.id])[0]
    for attempt in (lambda: linking.unlink(stranger, link.id), lambda: linking.move(stranger, link.id, 0),
                    lambda: linking.chapter_media(stranger, mine.id), lambda: linking.check_chapter(stranger, mine.id)):
        with pytest.raises(NotFound):
            attempt()
    assert names(linking, mine.id) == ['a.mp4']


def test_unlinking_keeps_the_media_and_closes_the_gap(uow: FakeUnitOfWork, linking: Linking) -> None:
    chapter = make_chapter(uow)
    items = [add_media(uow, f'{n}.mp4') for n in 'abc']
    links = linking.link(OWNER, chapter.id, [item.id for item in items])
    linking.unlink(OWNER, links[1].id)
    assert names(linking, chapter.id) == ['a.mp4', 'c.mp4']
    assert positions(linking, chapter.id) == [0, 1]
    assert uow.media.get(items[1].id) is not None


def test_changes_are_announced_to_open_pages(uow: FakeUnitOfWork) -> None:
    feed = ChangeFeed()
    heard: list[str] = []
    feed.subscribe(OWNER, Topic.LINKS, lambda: heard.append('links'))
    linking = Linking(new_uow=lambda: uow, feed=feed)
    chapter = make_chapter(uow)
    link = linking.link(OWNER, chapter.id, [add_media(uow, 'a.mp4').id])[0]
    linking.unlink(OWNER, link.id)
    assert heard == ['links', 'links']


def test_too_many_at_once_is_refused(uow: FakeUnitOfWork, linking: Linking) -> None:
    with pytest.raises(InvalidInput):
        linking.link(OWNER, make_chapter(uow).id, [uuid4() for _ in range(101)])


def test_video_time_adds_up_videos_only(uow: FakeUnitOfWork, linking: Linking) -> None:
    chapter = make_chapter(uow)
    items = [add_media(uow, 'a.mp4', seconds=60), add_media(uow, 'b.mp3', seconds=30), add_media(uow, 'c.mov')]
    linking.link(OWNER, chapter.id, [item.id for item in items])
    assert video_seconds(linking.chapter_media(OWNER, chapter.id)) == 60


operations = st.lists(st.tuples(st.sampled_from(['link', 'unlink', 'move', 'up', 'down']), st.integers(0, 9),
                                st.integers(-2, 11)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_positions_stay_dense_after_any_mix(steps: list[tuple[str, int, int]]) -> None:
    uow = FakeUnitOfWork()
    linking = Linking(new_uow=lambda: uow, feed=ChangeFeed())
    chapter = make_chapter(uow)
    pool = [add_media(uow, f'{n}.mp4') for n in range(10)]
    expected: list[UUID] = []
    for action, pick, target in steps:
        entries = linking.chapter_media(OWNER, chapter.id)
        if action == 'link':
            linking.link(OWNER, chapter.id, [pool[pick].id])
            if pool[pick].id not in expected:
                expected.append(pool[pick].id)
        elif entries:
            entry = entries[pick % len(entries)]
            media_id = entry.item.id
            expected.remove(media_id)
            if action == 'unlink':
                linking.unlink(OWNER, entry.link.id)
                continue
            index = entries.index(entry)
            if action == 'move':
                to_index = target
                linking.move(OWNER, entry.link.id, target)
            else:
                step = -1 if action == 'up' else 1
                to_index = index + step
                linking.move_by(OWNER, entry.link.id, step)
            expected.insert(max(0, min(to_index, len(expected))), media_id)
        current = linking.chapter_media(OWNER, chapter.id)
        assert [e.link.position for e in current] == list(range(len(current)))
        assert [e.item.id for e in current] == expected
