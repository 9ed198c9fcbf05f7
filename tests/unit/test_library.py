"""Library rules: queries from untrusted input, paging, summaries, renames, and deletes that never surprise."""
import hashlib
from uuid import UUID, uuid4

import pytest

from domain import courses
from domain.changes import ChangeFeed, Topic
from domain.errors import InvalidInput, NotFound
from domain.library import InUse, Library, LibraryQuery, Sort, Usage, make_query
from domain.links import Linking
from domain.media import FILE_TYPES, MediaItem, MediaKind
from domain.storage_keys import new_media_key, thumbnail_key_for
from tests.unit.fakes import FakeUnitOfWork, MemoryBlobStore

OWNER = uuid4()


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def feed() -> ChangeFeed:
    return ChangeFeed()


@pytest.fixture
def library(uow: FakeUnitOfWork, blobs: MemoryBlobStore, feed: ChangeFeed) -> Library:
    return Library(new_uow=lambda: uow, blobs=blobs, feed=feed)


def add(uow: FakeUnitOfWork, blobs: MemoryBlobStore, name: str, *, owner: UUID = OWNER, size: int = 10) -> MediaItem:
    file_type = FILE_TYPES[name.rsplit('.', 1)[1]]
    key = new_media_key(owner)
    item = MediaItem(owner_id=owner, display_name=name, original_name=name, kind=file_type.kind,
                     mime_type=file_type.mime, size=size, sha256=hashlib.sha256(name.encode()).hexdigest(),
                     storage_key=key, thumbnail_key=thumbnail_key_for(key))
    blobs.blobs[key] = b'bytes'
    blobs.blobs[item.thumbnail_key] = b'thumb'
    with uow:
        uow.media.add(item)
        uow.commit()
    return item


def test_queries_from_a_url_are_checked() -> None:
    query = make_query(owner_id=OWNER, search='  two   words ', kind='video', sort='size', page=0, page_size=7)
    assert (query.search, query.kind, query.sort, query.page, query.page_size) == \
        ('two words', MediaKind.VIDEO, Sort.SIZE, 1, 24)
    for bad in ({'kind': 'spreadsheet'}, {'sort': 'random'}):
        with pytest.raises(InvalidInput):
            make_query(owner_id=OWNER, **bad)


def test_pages_count_up_from_one(uow: FakeUnitOfWork, blobs: MemoryBlobStore, library: Library) -> None:
    for number in range(50):
        add(uow, blobs, f'clip {number}.mp4')
    page = library.page(LibraryQuery(owner_id=OWNER, page=3, page_size=24))
    assert (page.total, page.page_count, len(page.items)) == (50, 3, 2)


def test_the_summary_adds_up_by_kind(uow: FakeUnitOfWork, blobs: MemoryBlobStore, library: Library) -> None:
    add(uow, blobs, 'a.mp4', size=100)
    add(uow, blobs, 'b.mov', size=50)
    add(uow, blobs, 'c.pdf', size=7)
    add(uow, blobs, 'other.mp4', owner=uuid4(), size=1000)
    summary = library.summary(OWNER)
    assert (summary.count, summary.bytes) == (3, 157)
    assert summary.by_kind[MediaKind.VIDEO].count == 2


def test_renames_are_cleaned_and_announced(uow: FakeUnitOfWork, blobs: MemoryBlobStore, library: Library,
                                           feed: ChangeFeed) -> None:
    item = add(uow, blobs, 'a.mp4')
    heard = []
    feed.subscribe(OWNER, Topic.MEDIA, lambda: heard.append('media'))
    assert library.rename(OWNER, item.id, '  ../Week 1:\tIntro.mp4 ').display_name == 'Week 1: Intro.mp4'
    assert heard == ['media']
    with pytest.raises(InvalidInput):
        library.rename(OWNER, item.id, ' \x00 ')
    with pytest.raises(NotFound):
        library.rename(uuid4(), item.id, 'mine now.mp4')


async def test_an_item_in_use_needs_confirmation(uow: FakeUnitOfWork, blobs: MemoryBlobStore,
                                                 library: Library, feed: ChangeFeed) -> None:
    item = add(uow, blobs, 'a.mp4')
    course = courses.create_course(uow, owner_id=OWNER, title='Film')
    chapter = courses.add_chapter(uow, owner_id=OWNER, course_id=course.id, title='One')
    Linking(new_uow=lambda: uow, feed=feed).link(OWNER, chapter.id, [item.id])
    with pytest.raises(InUse) as refused:
        await library.delete(OWNER, [item.id])
    assert refused.value.usages == [Usage(media_id=item.id, course_id=course.id, course_title='Film',
                                          chapter_id=chapter.id, chapter_title='One')]
    assert uow.media.get(item.id) is not None and item.storage_key in blobs.blobs
    await library.delete(OWNER, [item.id], confirmed=True)
    assert uow.media.get(item.id) is None
    assert blobs.blobs == {}  # the file and its thumbnail


async def test_a_bulk_delete_is_all_or_nothing(uow: FakeUnitOfWork, blobs: MemoryBlobStore,
                                               library: Library) -> None:
    mine = add(uow, blobs, 'a.mp4')
    theirs = add(uow, blobs, 'b.mp4', owner=uuid4())
    with pytest.raises(NotFound):
        await library.delete(OWNER, [mine.id, theirs.id], confirmed=True)
    assert uow.media.get(mine.id) is not None and uow.media.get(theirs.id) is not None
    assert len(blobs.blobs) == 4
