"""Real backends for the adapters in db/ and storage/: every database test runs on SQLite and PostgreSQL, every
blob test on each BlobStore backend, so a behaviour that holds on one but not the other shows up here.
S3 is a real server over HTTP (SeaweedFS, tests/s3_server.py), started once per session when a test needs it.

PostgreSQL runs only when MEDIASHELF_TEST_POSTGRES_URL names a server (CI sets it). Each test gets a schema of its
own, created empty, migrated and dropped afterwards, so tests never see each other's rows.
"""
import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from domain.ports import BlobStore
from storage.local import PARTIAL_DIR, LocalBlobStore
from storage.s3 import MIN_PART_SIZE, S3BlobStore
from tests.databases import postgres_engine, sqlite_engine
from tests.s3_server import SeaweedFS, seaweedfs

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

BLOB_STORES = ['local', 's3']


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database of each kind the app supports."""
    if request.param == 'sqlite':
        with sqlite_engine(tmp_path / 'mediashelf.db') as sqlite:
            yield sqlite
    else:
        with postgres_engine(POSTGRES_URL) as postgres:
            yield postgres


@pytest.fixture(scope='session')
def s3_server() -> Iterator[SeaweedFS]:
    """One SeaweedFS for the whole session; each store on it works under a prefix of its own."""
    with seaweedfs() as server:
        yield server


@pytest.fixture
def s3_store(s3_server: SeaweedFS, tmp_path: Path) -> Iterator[S3BlobStore]:
    """An empty store on the shared server. Parts of the smallest size S3 allows, so modest blobs already take
    the multipart path."""
    store = S3BlobStore(s3_server.settings(prefix=f'test-{uuid4().hex}', part_size=MIN_PART_SIZE),
                        scratch_dir=tmp_path / 'scratch')
    yield store
    store.close()


@pytest.fixture
def s3_client(s3_server: SeaweedFS) -> Iterator[Any]:
    """The bucket seen from outside the store under test."""
    client = s3_server.client()
    yield client
    client.close()


@pytest.fixture(params=BLOB_STORES)
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """An empty store of each backend; the contract tests use only the BlobStore port on it. SeaweedFS starts
    only when an S3 case runs, so `-k local` needs no S3 server."""
    if request.param == 'local':
        return LocalBlobStore(tmp_path / 'blobs')
    return request.getfixturevalue('s3_store')


@pytest.fixture
def partial_writes(blob_store: BlobStore, request: pytest.FixtureRequest) -> Callable[[], Awaitable[list[str]]]:
    """Unfinished writes the backend still holds (local: files in .partial; S3: open multipart uploads)."""
    if isinstance(blob_store, LocalBlobStore):
        async def local_partials() -> list[str]:
            return sorted(await asyncio.to_thread(os.listdir, blob_store.root / PARTIAL_DIR))
        return local_partials
    assert isinstance(blob_store, S3BlobStore)
    client = request.getfixturevalue('s3_client')

    async def open_uploads() -> list[str]:
        listing = await asyncio.to_thread(client.list_multipart_uploads, Bucket=blob_store.bucket,
                                          Prefix=blob_store.prefix)
        return sorted(upload['Key'] for upload in listing.get('Uploads', []))
    return open_uploads


@pytest.fixture
def backend_contents(blob_store: BlobStore, tmp_path: Path,
                     request: pytest.FixtureRequest) -> Callable[[], Awaitable[set[str]]]:
    """Everything the backend's storage area holds, partials included, to prove an operation wrote nothing.

    For the local store this is the whole test folder around its root, so a key that climbed out of the root
    would show up too; for S3 it is every object and open upload in the whole bucket, not just the prefix.
    """
    if isinstance(blob_store, LocalBlobStore):
        def files_around_root() -> set[str]:
            return {str(path.relative_to(tmp_path)) for path in tmp_path.rglob('*') if path.is_file()}

        async def local_contents() -> set[str]:
            return await asyncio.to_thread(files_around_root)
        return local_contents
    assert isinstance(blob_store, S3BlobStore)
    client = request.getfixturevalue('s3_client')

    def bucket_contents() -> set[str]:
        objects = client.get_paginator('list_objects_v2').paginate(Bucket=blob_store.bucket)
        uploads = client.get_paginator('list_multipart_uploads').paginate(Bucket=blob_store.bucket)
        return ({f'object {item["Key"]}' for page in objects for item in page.get('Contents', [])}
                | {f'upload {item["Key"]} {item["UploadId"]}' for page in uploads for item in page.get('Uploads', [])})

    async def s3_contents() -> set[str]:
        return await asyncio.to_thread(bucket_contents)
    return s3_contents

