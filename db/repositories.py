"""Repositories: translate between rows and domain objects, one aggregate each."""
from dataclasses import fields
from typing import Any, TypeVar
from uuid import UUID

from sqlmodel import Session, col, func, select

from domain.accounts import Instructor
from domain.courses import Chapter, Course

from .tables import ChapterRow, CourseRow, UserRow

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

    def list_all(self) -> list[Instructor]:
        rows = self._session.exec(select(UserRow).order_by(col(UserRow.created_at)))
        return [to_domain(Instructor, row) for row in rows]


class SqlCourseRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, course: Course) -> None:
        self._session.add(CourseRow(**fields_of(course)))

    def get(self, course_id: UUID) -> Course | None:
        row = self._session.get(CourseRow, course_id)
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

    def get(self, chapter_id: UUID) -> Chapter | None:
        row = self._session.get(ChapterRow, chapter_id)
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


def fields_of(entity: Any) -> dict[str, Any]:
    """Domain objects and rows share field names, so mapping is by name in both directions."""
    return {f.name: getattr(entity, f.name) for f in fields(entity)}


def to_domain(cls: type[T], row: Any) -> T:
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]
