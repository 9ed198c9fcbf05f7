"""How fast an instructor's library answers with 100,000 items in it: the real code path against its own SQL.

Two instructors get --rows media items each, on a fresh SQLite file and on a fresh PostgreSQL schema, so every query
has to skip the other owner's rows. For each library query the table shows two medians of --repeat runs, each after
one warm-up:
- via repository: `Library.page` / `Library.summary` as the pages call them (session, pooled connection, ORM rows,
  domain objects);
- raw SQL: the very statements SQLAlchemy emitted for that call (the page and, when it ran, the count), run again
  on a DBAPI cursor and fetched. The ratio between the two is what the layers above the database cost.

Target: every library query <= 50 ms median on SQLite; PostgreSQL is reported next to it, not held to it. Exit status
1 when a SQLite query misses. Run from the project root: `.venv/bin/python -m bench.library --help`.
"""
import argparse
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Engine, event, insert

from bench.ingest import log, table, temp_root
from db.repositories import fields_of
from db.tables import MediaFileRow, UserRow
from db.unit_of_work import SqlUnitOfWork
from domain.changes import ChangeFeed
from domain.clock import utc_now
from domain.library import Library, LibraryPage, LibraryQuery, Sort, StorageSummary
from domain.media import FILE_TYPES, MediaItem, MediaKind, MediaStatus, search_key
from domain.storage_keys import new_media_key, thumbnail_key_for
from storage.local import LocalBlobStore
from tests.databases import postgres_engine, sqlite_engine

TARGET_MS = 50.0
BATCH = 5000
SPREAD = timedelta(days=730)  # created_at over two years, as a library that has been in use for a while
RARE_WORD, RARE_SHARE, RARE_SEARCH = 'Quetzalcóatl', 0.001, 'QUETZALCOATL'  # found without its accent or case
COMMON_SEARCH = 'lecon'  # finds 'Leçon', one of the prefixes below: about one name in six
KIND_WEIGHTS = {MediaKind.VIDEO: 40, MediaKind.IMAGE: 30, MediaKind.DOCUMENT: 20, MediaKind.AUDIO: 10}
EXTENSIONS = {kind: [ext for ext, file_type in FILE_TYPES.items() if file_type.kind == kind] for kind in MediaKind}
MEDIAN_BYTES = {MediaKind.VIDEO: 150e6, MediaKind.IMAGE: 2e6, MediaKind.DOCUMENT: 600e3, MediaKind.AUDIO: 8e6}
PREFIXES = ['Leçon', 'Lecture', 'Week', 'Module', 'Kapitel', 'Übung']
WORDS = [
    'intro', 'overview', 'summary', 'demo', 'screen capture', 'whiteboard', 'Q&A', 'exam', 'quiz', 'notes',
    'handout', 'diagram', 'photo', 'scan', 'podcast', 'episode', 'voice-over', 'interview', 'lab', 'solution',
    'draft', 'final', 'v2', 'recording', 'slides', 'École', 'Résumé', 'naïve', 'Crème brûlée', 'Ångström',
    'Straße', 'Øresund', 'Kraków', 'São Paulo', 'Zürich', 'İstanbul', 'Ελληνικά', 'Москва', '東京', '日本語',
    'Ñandú', 'façade', 'coöperation', '50% off', 'under_score', 'ﬁnal', 'Ⅻ', 'Ærø', 'Þingvellir', 'café',
]


@dataclass
class Measured:
    """One line of the table: the two timings of one query on one backend, and what it found."""

    query: str
    backend: str
    found: str
    repository_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)

    @property
    def repository(self) -> float:
        return statistics.median(self.repository_ms)

    @property
    def raw(self) -> float:
        return statistics.median(self.raw_ms)


@dataclass(frozen=True)
class Statement:
    """One statement as SQLAlchemy handed it to the driver: the driver's own SQL and bound parameters."""

    sql: str
    parameters: Any


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.library', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rows', type=int, default=100_000, help='media items per instructor (default: 100000)')
    parser.add_argument('--repeat', type=int, default=15, help='timed runs per query, median shown (default: 15)')
    parser.add_argument('--postgres-url', default=os.environ.get('MEDIASHELF_TEST_POSTGRES_URL', ''),
                        help='a server to use a fresh schema on (default: $MEDIASHELF_TEST_POSTGRES_URL; '
                             'empty skips PostgreSQL)')
    parser.add_argument('--plans', action='store_true', help="print each statement's query plan")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix='mediashelf-bench-', dir=temp_root()))
    load_before = os.getloadavg()[0]
    try:
        with sqlite_engine(work / 'library.db') as engine:
            runs = [run_backend('SQLite', engine, work, rows=args.rows, repeat=args.repeat, plans=args.plans)]
        if args.postgres_url:
            with postgres_engine(args.postgres_url, prefix='bench') as engine:
                runs.append(run_backend('PostgreSQL', engine, work, rows=args.rows, repeat=args.repeat,
                                        plans=args.plans))
        else:
            log('no --postgres-url and no MEDIASHELF_TEST_POSTGRES_URL: PostgreSQL skipped')
        return report(runs, rows=args.rows, repeat=args.repeat, load_before=load_before)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_backend(backend: str, engine: Engine, work: Path, *, rows: int, repeat: int,
                plans: bool) -> tuple[str, list[Measured]]:
    """Fill, then time the first instructor's library through the use case the library page calls."""
    owner, filled = fill(backend, engine, rows)
    library = Library(new_uow=lambda: SqlUnitOfWork(engine), blobs=LocalBlobStore(work / 'blobs'),
                      feed=ChangeFeed())
    newest = LibraryQuery(owner_id=owner)
    last_page = library.page(newest).page_count
    cases: list[tuple[str, Callable[[], LibraryPage | StorageSummary]]] = [
        ('first page, newest', lambda: library.page(newest)),
        (f'search "{RARE_SEARCH}" (rare)', lambda: library.page(LibraryQuery(owner_id=owner, search=RARE_SEARCH))),
        (f'search "{COMMON_SEARCH}" (common)',
         lambda: library.page(LibraryQuery(owner_id=owner, search=COMMON_SEARCH))),
        ('kind video, by name', lambda: library.page(LibraryQuery(owner_id=owner, kind=MediaKind.VIDEO,
                                                                   sort=Sort.NAME))),
        (f'last page ({last_page}), newest', lambda: library.page(LibraryQuery(owner_id=owner, page=last_page))),
        ('storage summary', lambda: library.summary(owner)),
    ]
    return filled, [measure(backend, engine, name, call, repeat=repeat, plans=plans) for name, call in cases]


def fill(backend: str, engine: Engine, rows: int) -> tuple[UUID, str]:
    """Two instructors with `rows` items each, inserted in batches by SQLAlchemy core (executemany).

    Returns the first instructor and a line saying how long it took.
    """
    owners = [uuid4(), uuid4()]
    with engine.begin() as connection:
        connection.execute(insert(UserRow), [
            {'id': owner, 'email': f'bench-{index}@example.org', 'display_name': f'Bench {index}',
             'password_hash': 'not a hash: nobody signs in here', 'is_admin': False, 'library_view': 'grid',
             'created_at': utc_now()} for index, owner in enumerate(owners)])
    inserting = generating = 0.0
    for seed, owner in enumerate(owners):
        items = media_rows(owner, rows, random.Random(seed))
        while True:
            start = time.perf_counter()
            batch = list(islice(items, BATCH))
            generating += time.perf_counter() - start
            if not batch:
                break
            start = time.perf_counter()
            with engine.begin() as connection:
                connection.execute(insert(MediaFileRow), batch)
            inserting += time.perf_counter() - start
    start = time.perf_counter()
    settle(engine)
    settling = time.perf_counter() - start
    summary = (f'{backend}: filled {2 * rows:,} rows in {inserting:.1f} s ({2 * rows / inserting:,.0f} rows/s; '
               f'{generating:.1f} s more to generate them, {settling:.1f} s to settle)')
    log(summary)
    return owners[0], summary


def media_rows(owner: UUID, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Rows as the app stores them: varied unicode names, a rare word in about 0.1%, a mix of kinds and sizes."""
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    now = utc_now()
    for index in range(count):
        kind = rng.choices(kinds, weights)[0]
        extension = rng.choice(EXTENSIONS[kind])
        words = [rng.choice(PREFIXES), *rng.sample(WORDS, rng.randint(1, 3))]
        if rng.random() < RARE_SHARE:
            words.insert(rng.randint(1, len(words)), RARE_WORD)
        name = f'{" ".join(words)} {rng.randint(1, 999):03d}.{extension}'
        created = now - SPREAD * rng.random()
        storage_key = new_media_key(owner)
        visual, timed = kind in (MediaKind.VIDEO, MediaKind.IMAGE), kind in (MediaKind.VIDEO, MediaKind.AUDIO)
        item = MediaItem(
            owner_id=owner, display_name=name, original_name=name, kind=kind, mime_type=FILE_TYPES[extension].mime,
            size=max(1, int(rng.lognormvariate(0, 1) * MEDIAN_BYTES[kind])),
            sha256=hashlib.sha256(f'{owner}/{index}'.encode()).hexdigest(), storage_key=storage_key,
            status=MediaStatus.READY, duration_seconds=rng.uniform(5, 3600) if timed else None,
            width=1920 if visual else None, height=1080 if visual else None,
            thumbnail_key=thumbnail_key_for(storage_key) if visual else None, created_at=created, updated_at=created)
        yield {**fields_of(item), 'search_name': search_key(name)}


def settle(engine: Engine) -> None:
    """What a library that has been in use for a while looks like on disk, without which timings drift.

    SQLite: the WAL folded back into the file (the app's auto-checkpoints do that over time), but no ANALYZE: the
    app never runs it, so SQLite's planner works without statistics, as in production. PostgreSQL: statistics and
    visibility map up to date, which autovacuum does on its own within minutes of a bulk insert.
    """
    if engine.dialect.name == 'sqlite':
        raw = engine.raw_connection()  # outside any transaction, which a checkpoint must be
        try:
            busy, _, _ = raw.cursor().execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone()
        finally:
            raw.close()
        if busy:
            raise RuntimeError('the WAL could not be checkpointed')
    else:
        with engine.connect() as connection:
            connection.execution_options(isolation_level='AUTOCOMMIT').exec_driver_sql('VACUUM ANALYZE media_files')


def measure(backend: str, engine: Engine, name: str, call: Callable[[], LibraryPage | StorageSummary], *, repeat: int,
            plans: bool) -> Measured:
    """The warm-up call records the SQL it sends; then repository and raw runs alternate, so drift hits both."""
    with recorded_statements(engine) as statements:
        result = call()
    found = (f'{result.total:,} found' if isinstance(result, LibraryPage)
             else f'{result.count:,} items in {len(result.by_kind)} kinds')
    measured = Measured(name, backend, found)
    raw = engine.raw_connection()
    try:
        run_raw(raw, statements)
        if plans:
            print_plans(backend, name, raw, statements)
        for _ in range(repeat):
            start = time.perf_counter()
            call()
            measured.repository_ms.append((time.perf_counter() - start) * 1000)
            measured.raw_ms.append(run_raw(raw, statements))
    finally:
        raw.close()
    log(f'{backend}: {name}: {measured.repository:.2f} ms via repository, {measured.raw:.2f} ms raw ({found})')
    return measured


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[Statement]]:
    """The statements about media rows that SQLAlchemy hands to the driver, exactly as handed over."""
    statements: list[Statement] = []

    def record(_connection: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool) -> None:
        if 'media_files' in sql:
            statements.append(Statement(sql, parameters))

    event.listen(engine, 'before_cursor_execute', record)
    try:
        yield statements
    finally:
        event.remove(engine, 'before_cursor_execute', record)


def run_raw(connection: Any, statements: list[Statement]) -> float:
    """All of one call's statements on a DBAPI cursor, every row fetched; milliseconds, rollback not counted."""
    cursor = connection.cursor()
    try:
        start = time.perf_counter()
        for statement in statements:
            cursor.execute(statement.sql, statement.parameters)
            cursor.fetchall()
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        cursor.close()
    connection.rollback()
    return elapsed


def print_plans(backend: str, name: str, connection: Any, statements: list[Statement]) -> None:
    explain = 'EXPLAIN QUERY PLAN ' if backend == 'SQLite' else 'EXPLAIN ANALYZE '
    cursor = connection.cursor()
    try:
        for statement in statements:
            cursor.execute(explain + statement.sql, statement.parameters)
            plan = [' | '.join(str(cell) for cell in row) for row in cursor.fetchall()]
            print(f'\n-- {backend}: {name}\n{statement.sql}\n' + '\n'.join(f'   {line}' for line in plan))
    finally:
        cursor.close()
    connection.rollback()


def report(runs: list[tuple[str, list[Measured]]], *, rows: int, repeat: int, load_before: float) -> int:
    """The table; PASS/FAIL only for SQLite, where the target applies, and exit status 1 if any SQLite line fails.

    The load average is shown because these are CPU-bound milliseconds: on two cores shared with a test run they
    grow by half or more, so a line near the target says little without it.
    """
    results = [result for _, measured in runs for result in measured]
    header = ['query', 'backend', 'result', 'ms via repository', 'ms raw SQL', 'ratio', f'<= {TARGET_MS:.0f} ms']
    lines, missed = [], []
    for result in results:
        ok = result.repository <= TARGET_MS
        if result.backend == 'SQLite':
            verdict = 'PASS' if ok else 'FAIL'
            if not ok:
                missed.append(result.query)
        else:
            verdict = 'within (not enforced)' if ok else 'over (not enforced)'
        lines.append([result.query, result.backend, result.found, f'{result.repository:.2f}', f'{result.raw:.2f}',
                      f'{result.repository / result.raw:.2f}', verdict])
    print(f'\nLibrary queries, {rows:,} items for each of 2 instructors; medians of {repeat} runs after a warm-up; '
          f'{os.cpu_count()} cores, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after')
    print('\n'.join(filled for filled, _ in runs))
    print(table(header, lines))
    if missed:
        print(f'\nSQLite target missed: {", ".join(missed)}')
    return 1 if missed else 0


if __name__ == '__main__':
    sys.exit(main())
