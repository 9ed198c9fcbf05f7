"""Where media sits in chapters: links, their order, and the usage lists shown before a delete."""
from collections import defaultdict
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.errors import Conflict
from domain.library import Usage
from domain.links import LinkedMedia, MediaLink

from .repositories import fields_of, media_from_row, to_domain
from .tables import ChapterRow, CourseRow, MediaFileRow, MediaLinkRow


class SqlLinkRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, link: MediaLink) -> None:
        self._session.add(MediaLinkRow(**fields_of(link)))
        try:
            self._session.flush()
        except IntegrityError as error:
            raise Conflict('This item is already in that chapter.') from error

    def get(self, link_id: UUID) -> MediaLink | None:
        row = self._session.get(MediaLinkRow, link_id)
        return to_domain(MediaLink, row) if row else None

    def update(self, link: MediaLink) -> None:
        row = self._session.get_one(MediaLinkRow, link.id)
        row.sqlmodel_update(fields_of(link))
        self._session.add(row)

    def delete(self, link_id: UUID) -> None:
        self._session.delete(self._session.get_one(MediaLinkRow, link_id))
        self._session.flush()

    def list_for_chapter(self, chapter_id: UUID) -> list[MediaLink]:
        query = select(MediaLinkRow).where(MediaLinkRow.chapter_id == chapter_id).order_by(*_IN_ORDER)
        return [to_domain(MediaLink, row) for row in self._session.exec(query)]

    def media_of_chapters(self, chapter_ids: list[UUID]) -> dict[UUID, list[LinkedMedia]]:
        if not chapter_ids:
            return {}
        query = (select(MediaLinkRow, MediaFileRow).join(MediaFileRow, col(MediaFileRow.id) == MediaLinkRow.media_id)
                 .where(col(MediaLinkRow.chapter_id).in_(chapter_ids)).order_by(*_IN_ORDER))
        chapters: dict[UUID, list[LinkedMedia]] = defaultdict(list)
        for link_row, media_row in self._session.exec(query):
            chapters[link_row.chapter_id].append(LinkedMedia(link=to_domain(MediaLink, link_row),
                                                             item=media_from_row(media_row)))
        return dict(chapters)

    def usages_of(self, media_ids: list[UUID]) -> list[Usage]:
        if not media_ids:
            return []
        query = (select(MediaLinkRow.media_id, CourseRow.id, CourseRow.title, ChapterRow.id, ChapterRow.title)
                 .join(CourseRow, col(CourseRow.id) == MediaLinkRow.course_id)
                 .join(ChapterRow, col(ChapterRow.id) == MediaLinkRow.chapter_id)
                 .where(col(MediaLinkRow.media_id).in_(media_ids))
                 .order_by(col(CourseRow.title), col(ChapterRow.position)))
        return [Usage(media_id=media_id, course_id=course_id, course_title=course_title, chapter_id=chapter_id,
                      chapter_title=chapter_title)
                for media_id, course_id, course_title, chapter_id, chapter_title in self._session.exec(query)]


_IN_ORDER = (col(MediaLinkRow.position), col(MediaLinkRow.linked_at), col(MediaLinkRow.id))
