"""Linking library media into course chapters: the reason the library exists.

An item can sit in many chapters of many courses, but in one chapter only once: linking it again is a
friendly no-op, even when two tabs do it at the same instant (the database's unique constraint decides).
Positions in a chapter stay dense (0..n-1) after any mix of link, unlink and move. Unlinking never deletes
media. Everything is checked through the acting instructor: their media, their courses, nobody else's.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from . import ordering
from .changes import ChangeFeed, Topic
from .clock import utc_now
from .courses import Chapter, Course
from .errors import Conflict, InvalidInput, NotFound
from .media import MediaItem, MediaKind
from .ports import UnitOfWork

MAX_LINK_AT_ONCE = 100


@dataclass(kw_only=True, slots=True)
class MediaLink:
    media_id: UUID
    course_id: UUID
    chapter_id: UUID
    position: int
    id: UUID = field(default_factory=uuid4)
    linked_at: datetime = field(default_factory=utc_now)


@dataclass(kw_only=True, slots=True)
class LinkedMedia:
    link: MediaLink
    item: MediaItem


def video_seconds(entries: list[LinkedMedia]) -> float:
    """Total running time of the videos among these entries (what a course page advertises)."""
    return sum(e.item.duration_seconds or 0.0 for e in entries if e.item.kind == MediaKind.VIDEO)


@dataclass(kw_only=True)
class Linking:
    new_uow: Callable[[], UnitOfWork]
    feed: ChangeFeed

    def check_chapter(self, owner_id: UUID, chapter_id: UUID) -> Chapter:
        """Refuse early (before an upload's bytes are read) a chapter that is not the instructor's."""
        with self.new_uow() as uow:
            chapter, _ = _owned_chapter(uow, owner_id, chapter_id)
            return chapter

    def link(self, owner_id: UUID, chapter_id: UUID, media_ids: list[UUID]) -> list[MediaLink]:
        """Append these items to the chapter, in the order given, skipping any already there.

        If another tab links one of them at the same moment, the unique constraint refuses our insert; the
        second attempt then sees that link and skips it, so the result is the same as if we had been first.
        """
        if len(media_ids) > MAX_LINK_AT_ONCE:
            raise InvalidInput(f'Link at most {MAX_LINK_AT_ONCE} items at once.')
        for attempt in range(2):
            try:
                added = self._append(owner_id, chapter_id, list(dict.fromkeys(media_ids)))
                break
            except Conflict:
                if attempt:
                    raise
        self._announce(owner_id)
        return added

    def _append(self, owner_id: UUID, chapter_id: UUID, media_ids: list[UUID]) -> list[MediaLink]:
        with self.new_uow() as uow:
            chapter, course = _owned_chapter(uow, owner_id, chapter_id)
            for media_id in media_ids:
                _owned_media(uow, owner_id, media_id)
            links = uow.links.list_for_chapter(chapter.id)
            present = {link.media_id for link in links}
            new_ids = [media_id for media_id in media_ids if media_id not in present]
            added = [MediaLink(media_id=media_id, course_id=course.id, chapter_id=chapter.id,
                               position=len(links) + index) for index, media_id in enumerate(new_ids)]
            for link in added:
                uow.links.add(link)
            uow.commit()
            return added

    def unlink(self, owner_id: UUID, link_id: UUID) -> None:
        """Take an item out of a chapter; it stays in the library."""
        with self.new_uow() as uow:
            link = _owned_link(uow, owner_id, link_id)
            uow.links.delete(link.id)
            _store_order(uow, [other for other in uow.links.list_for_chapter(link.chapter_id) if other.id != link.id])
            uow.commit()
        self._announce(owner_id)

    def move(self, owner_id: UUID, link_id: UUID, to_index: int) -> None:
        self._rearrange(owner_id, link_id, lambda ids: ordering.moved(ids, link_id, to_index))

    def move_by(self, owner_id: UUID, link_id: UUID, step: int) -> None:
        """Up/down buttons: the keyboard way to reorder."""
        self._rearrange(owner_id, link_id, lambda ids: ordering.moved_by(ids, link_id, step))

    def _rearrange(self, owner_id: UUID, link_id: UUID, new_order: Callable[[list[UUID]], list[UUID]]) -> None:
        with self.new_uow() as uow:
            link = _owned_link(uow, owner_id, link_id)
            links = uow.links.list_for_chapter(link.chapter_id)
            _store_order(uow, _in_order(links, new_order([x.id for x in links])))
            uow.commit()
        self._announce(owner_id)

    def reorder(self, owner_id: UUID, chapter_id: UUID, link_ids: list[UUID]) -> None:
        """Store a whole new order (a script or a drag sends one); refused if it is not the chapter's links."""
        with self.new_uow() as uow:
            chapter, _ = _owned_chapter(uow, owner_id, chapter_id)
            links = uow.links.list_for_chapter(chapter.id)
            _store_order(uow, _in_order(links, ordering.reordered([x.id for x in links], link_ids)))
            uow.commit()
        self._announce(owner_id)

    def get_link(self, owner_id: UUID, link_id: UUID) -> MediaLink:
        with self.new_uow() as uow:
            return _owned_link(uow, owner_id, link_id)

    def chapter_media(self, owner_id: UUID, chapter_id: UUID) -> list[LinkedMedia]:
        with self.new_uow() as uow:
            chapter, _ = _owned_chapter(uow, owner_id, chapter_id)
            return uow.links.media_of_chapters([chapter.id]).get(chapter.id, [])

    def course_media(self, owner_id: UUID, course: Course) -> dict[UUID, list[LinkedMedia]]:
        """Every chapter's linked media in one query, for the course editor."""
        if course.owner_id != owner_id:
            raise NotFound('This course does not exist.')
        with self.new_uow() as uow:
            return uow.links.media_of_chapters([c.id for c in uow.chapters.list_for_course(course.id)])

    def _announce(self, owner_id: UUID) -> None:
        self.feed.publish(owner_id, Topic.LINKS)


def renumber_chapters(uow: UnitOfWork, chapter_ids: set[UUID]) -> None:
    """Close the gaps deleted media leave in chapters (the schema removed their links)."""
    for chapter_id in chapter_ids:
        _store_order(uow, uow.links.list_for_chapter(chapter_id))


def _owned_chapter(uow: UnitOfWork, owner_id: UUID, chapter_id: UUID) -> tuple[Chapter, Course]:
    chapter = uow.chapters.get(chapter_id, lock=True)  # one change to a chapter's media at a time
    course = uow.courses.get(chapter.course_id) if chapter else None
    if chapter is None or course is None or course.owner_id != owner_id:
        raise NotFound('This chapter does not exist.')
    return chapter, course


def _owned_media(uow: UnitOfWork, owner_id: UUID, media_id: UUID) -> MediaItem:
    item = uow.media.get(media_id)
    if item is None or item.owner_id != owner_id:
        raise NotFound('This media item does not exist.')
    return item


def _owned_link(uow: UnitOfWork, owner_id: UUID, link_id: UUID) -> MediaLink:
    link = uow.links.get(link_id)
    if link is not None:
        uow.chapters.get(link.chapter_id, lock=True)  # one change to a chapter's media at a time
    course = uow.courses.get(link.course_id) if link else None
    if link is None or course is None or course.owner_id != owner_id:
        raise NotFound('This link does not exist.')
    return link


def _in_order(links: list[MediaLink], order: list[UUID]) -> list[MediaLink]:
    by_id = {link.id: link for link in links}
    return [by_id[link_id] for link_id in order]


def _store_order(uow: UnitOfWork, links: list[MediaLink]) -> None:
    for link, position in zip(links, ordering.dense_positions([x.id for x in links]).values(), strict=True):
        if link.position != position:
            link.position = position
            uow.links.update(link)
