"""Two tabs (threads here, each with its own connection) changing one chapter at the same instant: the database
decides, nobody gets an error, and positions stay dense. Runs on SQLite and on PostgreSQL."""
import hashlib
import threading
from collections.abc import Callable
from uuid import UUID

from sqlalchemy import Engine

from db.passwords import Argon2PasswordHasher
from db.unit_of_work import SqlUnitOfWork
from domain import accounts, courses
from domain.changes import ChangeFeed
from domain.links import Linking
from domain.media import FILE_TYPES, MediaItem
from domain.storage_keys import new_media_key

TABS = 8


def at_once(actions: list[Callable[[], object]]) -> list[BaseException]:
    """Start every action at the same moment; return what they raised."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            action()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def setup(engine: Engine, media_count: int) -> tuple[UUID, UUID, list[MediaItem]]:
    owner = accounts.create_instructor(SqlUnitOfWork(engine), Argon2PasswordHasher(), email='ada@example.org',
                                       password='long enough password')
    course = courses.create_course(SqlUnitOfWork(engine), owner_id=owner.id, title='Film')
    chapter = courses.add_chapter(SqlUnitOfWork(engine), owner_id=owner.id, course_id=course.id, title='One')
    items = []
    for number in range(media_count):
        file_type = FILE_TYPES['mp4']
        item = MediaItem(owner_id=owner.id, display_name=f'{number}.mp4', original_name=f'{number}.mp4',
                         kind=file_type.kind, mime_type=file_type.mime, size=1,
                         sha256=hashlib.sha256(str(number).encode()).hexdigest(), storage_key=new_media_key(owner.id))
        with SqlUnitOfWork(engine) as uow:
            uow.media.add(item)
            uow.commit()
        items.append(item)
    return owner.id, chapter.id, items


def test_the_same_item_linked_from_many_tabs_at_once_is_linked_once(engine: Engine) -> None:
    owner, chapter, (item,) = setup(engine, 1)
    linking = Linking(new_uow=lambda: SqlUnitOfWork(engine), feed=ChangeFeed())
    errors = at_once([lambda: linking.link(owner, chapter, [item.id]) for _ in range(TABS)])
    assert errors == []
    entries = linking.chapter_media(owner, chapter)
    assert [(e.item.id, e.link.position) for e in entries] == [(item.id, 0)]


def test_different_items_linked_at_once_get_dense_positions(engine: Engine) -> None:
    owner, chapter, items = setup(engine, TABS)
    linking = Linking(new_uow=lambda: SqlUnitOfWork(engine), feed=ChangeFeed())
    errors = at_once([lambda item=item: linking.link(owner, chapter, [item.id]) for item in items])
    assert errors == []
    entries = linking.chapter_media(owner, chapter)
    assert sorted(e.item.id for e in entries) == sorted(item.id for item in items)
    assert [e.link.position for e in entries] == list(range(TABS))


def test_moves_and_unlinks_at_once_keep_positions_dense(engine: Engine) -> None:
    owner, chapter, items = setup(engine, TABS)
    linking = Linking(new_uow=lambda: SqlUnitOfWork(engine), feed=ChangeFeed())
    links = linking.link(owner, chapter, [item.id for item in items])
    actions: list[Callable[[], object]] = [lambda link=link: linking.unlink(owner, link.id) for link in links[:3]]
    actions += [lambda link=link: linking.move(owner, link.id, 0) for link in links[3:]]
    assert at_once(actions) == []
    positions = [e.link.position for e in linking.chapter_media(owner, chapter)]
    assert positions == list(range(TABS - 3))
