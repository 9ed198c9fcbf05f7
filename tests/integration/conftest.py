"""Real backends for the adapters in db/ and storage/: every database test runs on SQLite and PostgreSQL, every
blob test on each BlobStore backend, so a behaviour that holds on one but not the other shows up here.

PostgreSQL runs only when MEDIASHELF_TEST_POSTGRES_URL names a server (CI sets it). Each test gets a schema of its
own, created empty, migrated and dropped afterwards, so tests never see each other's rows.
"""
import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, make_url, text

from db.engine import make_engine
from db.migrate import upgrade_to_latest
from domain.ports import BlobStore
from storage.local import PARTIAL_DIR, LocalBlobStore

POSTGRES_URL = os.environ.get('MEDIASHELF_TEST_POSTGRES_URL', '')

DATABASES = [
    'sqlite',
    pytest.param('postgres', marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason='set MEDIASHELF_TEST_POSTGRES_URL to test on PostgreSQL'),
    ]),
]
# for the few tests about one backend's own behaviour (SQLite pragmas, PostgreSQL schemas)
SQLITE_ONLY = pytest.mark.parametrize('engine', [DATABASES[0]], indirect=True)
POSTGRES_ONLY = pytest.mark.parametrize('engine', [DATABASES[1]], indirect=True)

BLOB_STORES = ['local']  # 's3' joins here; the contract tests in test_local_blob_store.py stay as they are


@contextmanager
def sqlite_engine(path: Path) -> Iterator[Engine]:
    """A migrated SQLite file, built exactly as the app builds its own."""
    engine = make_engine(f'sqlite:///{path}')
    try:
        upgrade_to_latest(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_engine(base_url: str) -> Iterator[Engine]:
    """A migrated, empty schema of its own on the server; everything in it is dropped afterwards."""
    schema = f't_{uuid4().hex}'
    admin = make_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA {schema}'))
        # search_path holds only the new schema, so the tables and alembic_version can land nowhere else
        url = make_url(base_url).update_query_dict({'options': f'-csearch_path={schema}'})
        engine = make_engine(url.render_as_string(hide_password=False))
        try:
            upgrade_to_latest(engine)
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS {schema} CASCADE'))
        admin.dispose()


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database of each kind the app supports."""
    if request.param == 'sqlite':
        with sqlite_engine(tmp_path / 'mediashelf.db') as sqlite:
            yield sqlite
    else:
        with postgres_engine(POSTGRES_URL) as postgres:
            yield postgres


@pytest.fixture(params=BLOB_STORES)
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """An empty store of each backend; the contract tests use only the BlobStore port on it."""
    if request.param == 'local':
        return LocalBlobStore(tmp_path / 'blobs')
    raise NotImplementedError(request.param)


@pytest.fixture
def partial_writes(blob_store: BlobStore) -> Callable[[], Awaitable[list[str]]]:
    """Unfinished writes the backend still holds (local: files in .partial; S3: open multipart uploads)."""
    if isinstance(blob_store, LocalBlobStore):
        async def local_partials() -> list[str]:
            return sorted(await asyncio.to_thread(os.listdir, blob_store.root / PARTIAL_DIR))
        return local_partials
    raise NotImplementedError(type(blob_store).__name__)


@pytest.fixture
def backend_contents(blob_store: BlobStore, tmp_path: Path) -> Callable[[], Awaitable[set[str]]]:
    """Everything the backend's storage area holds, partials included, to prove an operation wrote nothing.

    For the local store this is the whole test folder around its root, so a key that climbed out of the root
    would show up too.
    """
    if isinstance(blob_store, LocalBlobStore):
        def files_around_root() -> set[str]:
            return {str(path.relative_to(tmp_path)) for path in tmp_path.rglob('*') if path.is_file()}

        async def local_contents() -> set[str]:
            return await asyncio.to_thread(files_around_root)
        return local_contents
    raise NotImplementedError(type(blob_store).__name__)

