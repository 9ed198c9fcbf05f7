"""Repositories: translate between rows and domain objects, one aggregate each."""
from dataclasses import fields
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from domain.accounts import Instructor
from domain.courses import Chapter, Course
from domain.errors import Conflict
from domain.library import KindTotal, LibraryQuery, Sort
from domain.media import MediaItem, MediaKind, MediaStatus, search_key
from domain.uploads import FINISHED, Stage, UploadOperation

from .tables import ChapterRow, CourseRow, MediaFileRow, UploadOperationRow, UserRow

T = TypeVar('T')


class SqlInstructorRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, instructor: Instructor) -> None:
        self._session.add(UserRow(**fields_of(instructor)))

    def get(self, instructor_id: UUID) -> Instructor | None:
        row = self._session.get(UserRow, instructor_id)
        return to_domain(Instructor, row) if row else None

    def get_by_email(self, email: str) -> Instructor | None:
        row = self._session.exec(select(UserRow).where(UserRow.email == email)).first()
        return to_domain(Instructor, row) if row else None

    def count(self) -> int:
        return self._session.exec(select(func.count()).select_from(UserRow)).one()

    def update(self, instructor: Instructor) -> None:
        row = self._session.get_one(UserRow, instructor.id)
        row.sqlmodel_update(fields_of(instructor))
        self._session.add(row)

    def list_all(self) -> list[Instructor]:
        rows = self._session.exec(select(UserRow).order_by(col(UserRow.created_at)))
        return [to_domain(Instructor, row) for row in rows]


class SqlCourseRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, course: Course) -> None:
        self._session.add(CourseRow(**fields_of(course)))

    def get(self, course_id: UUID, *, lock: bool = False) -> Course | None:
        row = self._session.get(CourseRow, course_id, with_for_update=lock)
        return to_domain(Course, row) if row else None

    def list_for_owner(self, owner_id: UUID) -> list[Course]:
        query = select(CourseRow).where(CourseRow.owner_id == owner_id).order_by(col(CourseRow.updated_at).desc())
        return [to_domain(Course, row) for row in self._session.exec(query)]

    def update(self, course: Course) -> None:
        row = self._session.get_one(CourseRow, course.id)
        row.sqlmodel_update(fields_of(course))
        self._session.add(row)

    def delete(self, course_id: UUID) -> None:
        self._session.delete(self._session.get_one(CourseRow, course_id))
        self._session.flush()


class SqlChapterRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, chapter: Chapter) -> None:
        self._session.add(ChapterRow(**fields_of(chapter)))
        self._session.flush()

    def get(self, chapter_id: UUID, *, lock: bool = False) -> Chapter | None:
        row = self._session.get(ChapterRow, chapter_id, with_for_update=lock)
        return to_domain(Chapter, row) if row else None

    def list_for_course(self, course_id: UUID) -> list[Chapter]:
        query = (select(ChapterRow).where(ChapterRow.course_id == course_id)
                 .order_by(col(ChapterRow.position), col(ChapterRow.created_at)))
        return [to_domain(Chapter, row) for row in self._session.exec(query)]

    def update(self, chapter: Chapter) -> None:
        row = self._session.get_one(ChapterRow, chapter.id)
        row.sqlmodel_update(fields_of(chapter))
        self._session.add(row)

    def delete(self, chapter_id: UUID) -> None:
        self._session.delete(self._session.get_one(ChapterRow, chapter_id))
        self._session.flush()


class SqlMediaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, item: MediaItem) -> None:
        self._session.add(MediaFileRow(**_media_fields(item)))
        try:
            self._session.flush()
        except IntegrityError as error:
            raise Conflict('These exact bytes are already in this library.') from error

    def get(self, media_id: UUID) -> MediaItem | None:
        row = self._session.get(MediaFileRow, media_id)
        return media_from_row(row) if row else None

    def find_by_sha256(self, owner_id: UUID, sha256: str) -> MediaItem | None:
        query = select(MediaFileRow).where(MediaFileRow.owner_id == owner_id, MediaFileRow.sha256 == sha256)
        row = self._session.exec(query).first()
        return media_from_row(row) if row else None

    def list_processing(self) -> list[MediaItem]:
        query = select(MediaFileRow).where(MediaFileRow.status == MediaStatus.PROCESSING)
        return [media_from_row(row) for row in self._session.exec(query)]

    def update(self, item: MediaItem) -> None:
        row = self._session.get_one(MediaFileRow, item.id)
        row.sqlmodel_update(_media_fields(item))
        self._session.add(row)

    def delete(self, media_id: UUID) -> None:
        self._session.delete(self._session.get_one(MediaFileRow, media_id))
        self._session.flush()

    def search(self, query: LibraryQuery) -> tuple[list[MediaItem], int]:
        """The page's ids come from an index alone, and only then are those rows read; the count only when needed.

        Every index that serves an order also holds the filter columns (see tables.py), so choosing the ids reads no
        table row, and each row a deep page skips costs one index step. A page that is not full already tells the
        total, so the count, a second pass over all matches (every name, for a substring search), is left out then.
        """
        conditions = [col(MediaFileRow.owner_id) == query.owner_id]
        if query.kind is not None:
            conditions.append(col(MediaFileRow.kind) == query.kind)
        if query.search:
            pattern = '%' + _escape_like(search_key(query.search)) + '%'
            conditions.append(col(MediaFileRow.search_name).like(pattern, escape='\\'))
        order = _ORDER[query.sort]
        page_ids = (select(MediaFileRow.id).where(*conditions).order_by(*order)
                    .offset(query.offset).limit(query.page_size))
        rows = self._session.exec(select(MediaFileRow).where(col(MediaFileRow.id).in_(page_ids)).order_by(*order)).all()
        if len(rows) < query.page_size and (rows or not query.offset):
            total = query.offset + len(rows)
        else:
            total = self._session.exec(select(func.count()).select_from(MediaFileRow).where(*conditions)).one()
        return [media_from_row(row) for row in rows], total

    def totals_by_kind(self, owner_id: UUID) -> dict[MediaKind, KindTotal]:
        query = (select(MediaFileRow.kind, func.count(), func.coalesce(func.sum(MediaFileRow.size), 0))
                 .where(MediaFileRow.owner_id == owner_id).group_by(MediaFileRow.kind))
        return {MediaKind(kind): KindTotal(count=count, bytes=int(size))
                for kind, count, size in self._session.exec(query)}


class SqlUploadOperationRepository:
    """Stores stage changes; the live byte counts and speed stay in memory (see domain.uploads)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, operation: UploadOperation) -> None:
        self._session.add(UploadOperationRow(**_stored_fields(operation)))

    def get(self, operation_id: UUID) -> UploadOperation | None:
        row = self._session.get(UploadOperationRow, operation_id)
        return _operation(row) if row else None

    def update(self, operation: UploadOperation) -> None:
        row = self._session.get_one(UploadOperationRow, operation.id)
        row.sqlmodel_update(_stored_fields(operation))
        self._session.add(row)

    def list_unfinished(self) -> list[UploadOperation]:
        query = select(UploadOperationRow).where(col(UploadOperationRow.stage).not_in(list(FINISHED)))
        return [_operation(row) for row in self._session.exec(query)]


def _stored_fields(operation: UploadOperation) -> dict[str, Any]:
    return {name: value for name, value in fields_of(operation).items() if name in UploadOperationRow.model_fields}


def _operation(row: UploadOperationRow) -> UploadOperation:
    operation = UploadOperation(**{name: getattr(row, name) for name in UploadOperationRow.model_fields})
    operation.stage = Stage(row.stage)
    return operation


_ORDER = {
    Sort.NEWEST: (col(MediaFileRow.created_at).desc(), col(MediaFileRow.id).desc()),
    Sort.OLDEST: (col(MediaFileRow.created_at), col(MediaFileRow.id)),
    Sort.NAME: (col(MediaFileRow.search_name), col(MediaFileRow.id)),
    Sort.SIZE: (col(MediaFileRow.size).desc(), col(MediaFileRow.id).desc()),
}


def _escape_like(text: str) -> str:
    """A search for '50%' means the characters, not a wildcard."""
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _media_fields(item: MediaItem) -> dict[str, Any]:
    return {**fields_of(item), 'search_name': search_key(item.display_name)[:255]}


def media_from_row(row: MediaFileRow) -> MediaItem:
    item = to_domain(MediaItem, row)
    item.kind, item.status = MediaKind(row.kind), MediaStatus(row.status)
    return item


def fields_of(entity: Any) -> dict[str, Any]:
    """Domain objects and rows share field names, so mapping is by name in both directions."""
    return {f.name: getattr(entity, f.name) for f in fields(entity)}


def to_domain(cls: type[T], row: Any) -> T:
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]
