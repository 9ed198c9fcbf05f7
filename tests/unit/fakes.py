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
from domain.links import LinkedMedia, MediaLink
from domain.media import MediaItem, MediaKind, MediaStatus, search_key
from domain.uploads import FINISHED, UploadOperation

T = TypeVar('T')


class _Table(Generic[T]):
    """Copies in and out, like a real database: changing a returned object changes nothing until update()."""

    def __init__(self) -> None:
        self.rows: dict[UUID, T] = {}

    def add(self, entity: T) -> None:
        self.rows[entity.id] = copy.copy(entity)  # type: ignore[attr-defined]

    def get(self, entity_id: UUID, *, lock: bool = False) -> T | None:
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


class FakeLinks(_Table[MediaLink]):
    """Links as rows; like the schema, one item per chapter at most, and gone with their media or chapter."""

    def __init__(self, uow: 'FakeUnitOfWork') -> None:
        super().__init__()
        self._uow = uow

    def add(self, entity: MediaLink) -> None:
        if any((x.media_id, x.chapter_id) == (entity.media_id, entity.chapter_id) for x in self._live()):
            raise Conflict('already linked')
        super().add(entity)

    def list_for_chapter(self, chapter_id: UUID) -> list[MediaLink]:
        links = [copy.copy(x) for x in self._live() if x.chapter_id == chapter_id]
        return sorted(links, key=lambda x: (x.position, x.linked_at))

    def media_of_chapters(self, chapter_ids: list[UUID]) -> dict[UUID, list[LinkedMedia]]:
        found: dict[UUID, list[LinkedMedia]] = {}
        for chapter_id in chapter_ids:
            entries = [LinkedMedia(link=x, item=self._uow.media.get(x.media_id))
                       for x in self.list_for_chapter(chapter_id)]
            if entries:
                found[chapter_id] = entries
        return found

    def usages_of(self, media_ids: list[UUID]) -> list[Usage]:
        usages = []
        for link in self._live():
            if link.media_id in media_ids:
                course, chapter = self._uow.courses.get(link.course_id), self._uow.chapters.get(link.chapter_id)
                usages.append(Usage(media_id=link.media_id, course_id=course.id, course_title=course.title,
                                    chapter_id=chapter.id, chapter_title=chapter.title))
        return usages

    def _live(self) -> list[MediaLink]:
        """Links whose media and chapter still exist (the schema cascades deletes)."""
        return [x for x in self.rows.values()
                if x.media_id in self._uow.media.rows and x.chapter_id in self._uow.chapters.rows]


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
        self.links = FakeLinks(self)
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
        return self.instructors, self.courses, self.chapters, self.media, self.links, self.uploads


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

    async def presigned_url(self, key: str, *, filename: str, inline: bool, content_type: str) -> None:
        return None  # like a local folder: the app serves the bytes itself

    @asynccontextmanager
    async def local_copy(self, key: str):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / 'blob'
            path.write_bytes(self.blobs[key])
            yield path
