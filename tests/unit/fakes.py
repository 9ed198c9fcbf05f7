"""In-memory versions of our own ports, so domain rules are tested without a database."""
import copy
from typing import Generic, Self, TypeVar
from uuid import UUID

from domain.accounts import Instructor
from domain.courses import Chapter, Course

T = TypeVar('T')


class _Table(Generic[T]):
    """Copies in and out, like a real database: changing a returned object changes nothing until update()."""

    def __init__(self) -> None:
        self.rows: dict[UUID, T] = {}

    def add(self, entity: T) -> None:
        self.rows[entity.id] = copy.copy(entity)  # type: ignore[attr-defined]

    def get(self, entity_id: UUID) -> T | None:
        row = self.rows.get(entity_id)
        return copy.copy(row) if row else None

    def update(self, entity: T) -> None:
        assert entity.id in self.rows  # type: ignore[attr-defined]
        self.rows[entity.id] = copy.copy(entity)  # type: ignore[attr-defined]

    def delete(self, entity_id: UUID) -> None:
        del self.rows[entity_id]


class FakeInstructors(_Table[Instructor]):
    def get_by_email(self, email: str) -> Instructor | None:
        return next((copy.copy(i) for i in self.rows.values() if i.email == email), None)

    def count(self) -> int:
        return len(self.rows)

    def list_all(self) -> list[Instructor]:
        return sorted((copy.copy(i) for i in self.rows.values()), key=lambda i: i.created_at)


class FakeCourses(_Table[Course]):
    def __init__(self, chapters: 'FakeChapters') -> None:
        super().__init__()
        self._chapters = chapters

    def list_for_owner(self, owner_id: UUID) -> list[Course]:
        return [copy.copy(c) for c in self.rows.values() if c.owner_id == owner_id]

    def delete(self, entity_id: UUID) -> None:
        super().delete(entity_id)
        for chapter in [c for c in self._chapters.rows.values() if c.course_id == entity_id]:
            self._chapters.delete(chapter.id)


class FakeChapters(_Table[Chapter]):
    def list_for_course(self, course_id: UUID) -> list[Chapter]:
        chapters = [copy.copy(c) for c in self.rows.values() if c.course_id == course_id]
        return sorted(chapters, key=lambda c: (c.position, c.created_at))


class FakeUnitOfWork:
    """Commits by snapshot: leaving `with` without commit() restores what was there before."""

    def __init__(self) -> None:
        self.instructors = FakeInstructors()
        self.chapters = FakeChapters()
        self.courses = FakeCourses(self.chapters)
        self.commits = 0
        self._snapshot: tuple[dict, dict, dict] | None = None

    def __enter__(self) -> Self:
        self._snapshot = self._copy_state()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.commits += 1
        self._snapshot = self._copy_state()

    def rollback(self) -> None:
        assert self._snapshot is not None
        self.instructors.rows, self.courses.rows, self.chapters.rows = self._snapshot

    def _copy_state(self) -> tuple[dict, dict, dict]:
        return dict(self.instructors.rows), dict(self.courses.rows), dict(self.chapters.rows)


class FakeHasher:
    """Reversible on purpose: unit tests check the rules around hashing, not argon2 (tested in integration)."""

    def hash(self, password: str) -> str:
        return f'hashed:{password}'

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == f'hashed:{password}'

    def dummy_hash(self) -> str:
        return 'hashed:\x00'
