"""In-memory versions of our own ports, so domain rules are tested without a database."""
import copy
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Generic, Self, TypeVar
from uuid import UUID

from domain.accounts import Instructor
from domain.courses import Chapter, Course
from domain.errors import Conflict
from domain.library import KindTotal, LibraryQuery, Sort, Usage
from domain.media import MediaItem, MediaKind, MediaStatus, search_key
from domain.uploads import FINISHED, UploadOperation

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


class FakeMedia(_Table[MediaItem]):
    def add(self, entity: MediaItem) -> None:
        if self.find_by_sha256(entity.owner_id, entity.sha256) is not None:
            raise Conflict('duplicate bytes')
        super().add(entity)

    def find_by_sha256(self, owner_id: UUID, sha256: str) -> MediaItem | None:
        return next((copy.copy(m) for m in self.rows.values() if (m.owner_id, m.sha256) == (owner_id, sha256)), None)

    def list_processing(self) -> list[MediaItem]:
        return [copy.copy(m) for m in self.rows.values() if m.status == MediaStatus.PROCESSING]

    def search(self, query: LibraryQuery) -> tuple[list[MediaItem], int]:
        needle = search_key(query.search)
        matches = [m for m in self.rows.values() if m.owner_id == query.owner_id
                   and (query.kind is None or m.kind == query.kind) and needle in search_key(m.display_name)]
        order = {Sort.NEWEST: (lambda m: m.created_at, True), Sort.OLDEST: (lambda m: m.created_at, False),
                 Sort.NAME: (lambda m: search_key(m.display_name), False), Sort.SIZE: (lambda m: m.size, True)}
        key, descending = order[query.sort]
        matches.sort(key=key, reverse=descending)
        page = matches[query.offset:query.offset + query.page_size]
        return [copy.copy(m) for m in page], len(matches)

    def totals_by_kind(self, owner_id: UUID) -> dict[MediaKind, KindTotal]:
        totals: dict[MediaKind, KindTotal] = {}
        for item in self.rows.values():
            if item.owner_id == owner_id:
                total = totals.setdefault(item.kind, KindTotal())
                total.count += 1
                total.bytes += item.size
        return totals


class FakeLinks:
    """Usages are set up by the test; deleting media drops the ones that name it, like the schema's cascade."""

    def __init__(self, media: FakeMedia) -> None:
        self.rows: dict[UUID, list[Usage]] = {}
        self._media = media

    def usages_of(self, media_ids: list[UUID]) -> list[Usage]:
        return [usage for media_id in media_ids if media_id in self._media.rows
                for usage in self.rows.get(media_id, [])]


class FakeUploads(_Table[UploadOperation]):
    def list_unfinished(self) -> list[UploadOperation]:
        return [copy.copy(op) for op in self.rows.values() if op.stage not in FINISHED]


class FakeUnitOfWork:
    """Commits by snapshot: leaving `with` without commit() restores what was there before."""

    def __init__(self) -> None:
        self.instructors = FakeInstructors()
        self.chapters = FakeChapters()
        self.courses = FakeCourses(self.chapters)
        self.media = FakeMedia()
        self.links = FakeLinks(self.media)
        self.uploads = FakeUploads()
        self.commits = 0
        self._snapshot: tuple[dict, ...] | None = None

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
        for table, rows in zip(self._tables(), self._snapshot, strict=True):
            table.rows = dict(rows)

    def _copy_state(self) -> tuple[dict, ...]:
        return tuple(dict(table.rows) for table in self._tables())

    def _tables(self) -> tuple[_Table, ...]:
        return self.instructors, self.courses, self.chapters, self.media, self.uploads


class ManualClock:
    """A monotonic clock that only moves when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeHasher:
    """Reversible on purpose: unit tests check the rules around hashing, not argon2 (tested in integration)."""

    def hash(self, password: str) -> str:
        return f'hashed:{password}'

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == f'hashed:{password}'

    def dummy_hash(self) -> str:
        return 'hashed:\x00'


class MemoryBlobWriter:
    def __init__(self, store: 'MemoryBlobStore', key: str) -> None:
        self.key = key
        self.bytes_written = 0
        self._store = store
        self._data = bytearray()

    async def write(self, chunk: bytes) -> None:
        if self._store.fail_writes or len(self._data) + len(chunk) > self._store.space:
            raise OSError(28, 'No space left on device')
        self._data += chunk
        self.bytes_written += len(chunk)

    async def commit(self) -> None:
        self._store.blobs[self.key] = bytes(self._data)
        self._store.open_writers.discard(self)

    async def abort(self) -> None:
        self._store.open_writers.discard(self)


class MemoryBlobStore:
    """Keeps blobs in a dict and remembers writers left open, so tests can see that nothing leaks."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.open_writers: set[MemoryBlobWriter] = set()
        self.fail_writes = False
        self.space = float('inf')  # bytes a writer may take before the "disk" is full

    async def open_writer(self, key: str) -> MemoryBlobWriter:
        writer = MemoryBlobWriter(self, key)
        self.open_writers.add(writer)
        return writer

    async def exists(self, key: str) -> bool:
        return key in self.blobs

    async def size(self, key: str) -> int:
        return len(self.blobs[key])

    async def read(self, key: str, *, start: int = 0, end: int | None = None):
        yield self.blobs[key][start:end]

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    async def remove_partials(self) -> int:
        count = len(self.open_writers)
        self.open_writers.clear()
        return count

    @asynccontextmanager
    async def local_copy(self, key: str):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / 'blob'
            path.write_bytes(self.blobs[key])
            yield path
