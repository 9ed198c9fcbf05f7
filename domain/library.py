"""An instructor's library: finding items fast, looking at one closely, renaming and deleting safely.

Deleting never surprises: an item that is linked into chapters is only deleted when the caller confirms it
after seeing where it is used, and then its links, its bytes and its thumbnail go with it.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from .changes import ChangeFeed, Topic
from .clock import utc_now
from .errors import Conflict, InvalidInput, NotFound
from .links import renumber_chapters
from .media import MediaItem, MediaKind, clean_display_name
from .ports import BlobStore, UnitOfWork

PAGE_SIZES = (24, 48, 96)
MAX_SEARCH_LENGTH = 200
MAX_BULK = 500


class Sort(StrEnum):
    NEWEST = 'newest'
    OLDEST = 'oldest'
    NAME = 'name'
    SIZE = 'size'  # largest first: what an instructor looks for when cleaning up


@dataclass(frozen=True, kw_only=True, slots=True)
class LibraryQuery:
    owner_id: UUID
    search: str = ''
    kind: MediaKind | None = None
    sort: Sort = Sort.NEWEST
    page: int = 1  # 1-based, as shown
    page_size: int = PAGE_SIZES[0]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(kw_only=True, slots=True)
class LibraryPage:
    items: list[MediaItem]
    total: int
    query: LibraryQuery

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


@dataclass(frozen=True, kw_only=True, slots=True)
class Usage:
    """One place a media item is used: a chapter of a course."""
    media_id: UUID
    course_id: UUID
    course_title: str
    chapter_id: UUID
    chapter_title: str


@dataclass(kw_only=True, slots=True)
class KindTotal:
    count: int = 0
    bytes: int = 0


@dataclass(kw_only=True, slots=True)
class StorageSummary:
    by_kind: dict[MediaKind, KindTotal] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(total.count for total in self.by_kind.values())

    @property
    def bytes(self) -> int:
        return sum(total.bytes for total in self.by_kind.values())


class InUse(Conflict):
    """Deleting would remove the item from chapters; the caller must show `usages` and confirm."""

    def __init__(self, usages: list[Usage]) -> None:
        places = len({(u.course_id, u.chapter_id) for u in usages})
        super().__init__(f'In use in {places} chapter{"s" if places != 1 else ""}; confirm to delete anyway.')
        self.usages = usages


def make_query(*, owner_id: UUID, search: str = '', kind: str | None = None, sort: str = Sort.NEWEST,
               page: int = 1, page_size: int = PAGE_SIZES[0]) -> LibraryQuery:
    """Build a query from untrusted input (a URL, an API call): unknown values are refused, not guessed."""
    try:
        return LibraryQuery(owner_id=owner_id, search=' '.join(search.split())[:MAX_SEARCH_LENGTH],
                            kind=MediaKind(kind) if kind else None, sort=Sort(sort), page=max(1, page),
                            page_size=page_size if page_size in PAGE_SIZES else PAGE_SIZES[0])
    except ValueError as error:
        raise InvalidInput(f'Unknown filter or sort: {error}') from None


@dataclass(kw_only=True)
class Library:
    new_uow: Callable[[], UnitOfWork]
    blobs: BlobStore
    feed: ChangeFeed

    def page(self, query: LibraryQuery) -> LibraryPage:
        with self.new_uow() as uow:
            items, total = uow.media.search(query)
        return LibraryPage(items=items, total=total, query=query)

    def summary(self, owner_id: UUID) -> StorageSummary:
        with self.new_uow() as uow:
            return StorageSummary(by_kind=uow.media.totals_by_kind(owner_id))

    def get(self, owner_id: UUID, media_id: UUID) -> MediaItem:
        with self.new_uow() as uow:
            return _owned(uow, owner_id, media_id)

    def usages(self, owner_id: UUID, media_ids: list[UUID]) -> list[Usage]:
        """Where these items are used, course by course: shown before a delete and in the detail panel."""
        with self.new_uow() as uow:
            owned = [_owned(uow, owner_id, media_id).id for media_id in media_ids]
            return uow.links.usages_of(owned)

    def rename(self, owner_id: UUID, media_id: UUID, name: str) -> MediaItem:
        with self.new_uow() as uow:
            item = _owned(uow, owner_id, media_id)
            item.display_name = clean_display_name(name)
            item.updated_at = utc_now()
            uow.media.update(item)
            uow.commit()
        self.feed.publish(owner_id, Topic.MEDIA)
        return item

    async def delete(self, owner_id: UUID, media_ids: list[UUID], *, confirmed: bool = False) -> list[MediaItem]:
        """Delete items (all or none); links go too, and then the bytes and thumbnails."""
        if len(media_ids) > MAX_BULK:
            raise InvalidInput(f'Delete at most {MAX_BULK} items at once.')
        with self.new_uow() as uow:
            items = [_owned(uow, owner_id, media_id) for media_id in dict.fromkeys(media_ids)]
            usages = uow.links.usages_of([item.id for item in items])
            if usages and not confirmed:
                raise InUse(usages)
            for item in items:
                uow.media.delete(item.id)
            renumber_chapters(uow, {usage.chapter_id for usage in usages})
            uow.commit()
        for item in items:  # after the commit: a failed delete must never leave a row without its bytes
            await self.blobs.delete(item.storage_key)
            if item.thumbnail_key:
                await self.blobs.delete(item.thumbnail_key)
        self.feed.publish(owner_id, Topic.MEDIA)
        if usages:
            self.feed.publish(owner_id, Topic.LINKS)
        return items


def _owned(uow: UnitOfWork, owner_id: UUID, media_id: UUID) -> MediaItem:
    item = uow.media.get(media_id)
    if item is None or item.owner_id != owner_id:
        raise NotFound('This media item does not exist.')
    return item
