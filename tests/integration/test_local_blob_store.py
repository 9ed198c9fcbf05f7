"""The BlobStore contract (domain/ports.py), checked against every backend the `blob_store` fixture offers.

The contract tests use only the port's methods and `new_media_key`, so an S3 backend joins by adding a param to
the fixtures in conftest.py, not by changing this module. Tests of one backend's own extras sit at the end.
"""
import hashlib
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import uuid4

import aiofiles.os
import pytest

from domain.errors import NotFound
from domain.ports import BlobStore
from domain.storage_keys import new_media_key
from storage.local import PARTIAL_DIR, LocalBlobStore

MiB = 1024 * 1024
Listing = Callable[[], Awaitable[list[str]]]
Contents = Callable[[], Awaitable[set[str]]]


def payload(size: int, seed: int = 0) -> bytes:
    """Random bytes, so a read from a wrong offset cannot match by accident the way a repeating pattern would."""
    return random.Random(seed).randbytes(size)


async def put(store: BlobStore, data: bytes, *, chunk_size: int = 64 * 1024) -> str:
    key = new_media_key(uuid4())
    writer = await store.open_writer(key)
    for offset in range(0, len(data), chunk_size):
        await writer.write(data[offset:offset + chunk_size])
    await writer.commit()
    return key


async def open_and_abort(store: BlobStore, key: str) -> None:
    """Open a writer and give it up at once, so a key wrongly accepted leaves no open file behind."""
    writer = await store.open_writer(key)
    await writer.abort()


async def read_all(store: BlobStore, key: str, *, start: int = 0, end: int | None = None) -> bytes:
    return b''.join([chunk async for chunk in store.read(key, start=start, end=end)])


# --- writing -----------------------------------------------------------------------------------------------------


async def test_a_blob_written_in_chunks_reads_back_whole_after_commit(blob_store: BlobStore) -> None:
    """Uploads arrive in pieces of any size; the stored file must be exactly their concatenation."""
    chunks = [payload(1000, 1), payload(1, 2), b'', payload(70_000, 3)]
    key = new_media_key(uuid4())
    writer = await blob_store.open_writer(key)
    for chunk in chunks:
        await writer.write(chunk)
    assert writer.key == key
    assert writer.bytes_written == 71_001  # drives the upload progress bar
    await writer.commit()

    assert await blob_store.exists(key)
    assert await blob_store.size(key) == 71_001
    assert await read_all(blob_store, key) == b''.join(chunks)


async def test_an_empty_blob_can_be_stored(blob_store: BlobStore) -> None:
    """A zero-byte file is a legal upload (S3 in particular refuses a multipart upload without parts)."""
    key = new_media_key(uuid4())
    writer = await blob_store.open_writer(key)
    await writer.commit()
    assert await blob_store.exists(key)
    assert await blob_store.size(key) == 0
    assert await read_all(blob_store, key) == b''


async def test_a_blob_is_invisible_until_committed(blob_store: BlobStore) -> None:
    """A viewer must never stream half an upload that is still arriving."""
    key = new_media_key(uuid4())
    writer = await blob_store.open_writer(key)
    await writer.write(payload(5000))

    assert not await blob_store.exists(key)
    with pytest.raises(NotFound):
        await blob_store.size(key)
    with pytest.raises(NotFound):
        await read_all(blob_store, key)

    await writer.commit()
    assert await blob_store.exists(key)


async def test_abort_leaves_no_trace(blob_store: BlobStore, partial_writes: Listing,
                                     backend_contents: Contents) -> None:
    """A cancelled upload must not keep eating disk (or bucket) space nobody can see or delete."""
    before = await backend_contents()
    key = new_media_key(uuid4())
    writer = await blob_store.open_writer(key)
    await writer.write(payload(300_000))
    await writer.abort()

    assert not await blob_store.exists(key)
    assert await partial_writes() == []
    assert await backend_contents() == before


async def test_abort_before_any_write_leaves_no_trace(blob_store: BlobStore, partial_writes: Listing,
                                                      backend_contents: Contents) -> None:
    """An upload can fail before its first byte (a refused file type); the writer must still clean up."""
    before = await backend_contents()
    writer = await blob_store.open_writer(new_media_key(uuid4()))
    await writer.abort()
    assert await partial_writes() == []
    assert await backend_contents() == before


async def test_a_20_mib_blob_streamed_in_1_mib_chunks_keeps_its_sha256(blob_store: BlobStore) -> None:
    """Large videos go through in bounded memory and come back bit for bit."""
    key = new_media_key(uuid4())
    written = hashlib.sha256()
    writer = await blob_store.open_writer(key)
    for index in range(20):
        chunk = payload(MiB, seed=index)
        written.update(chunk)
        await writer.write(chunk)
    await writer.commit()

    assert await blob_store.size(key) == 20 * MiB
    read, largest_chunk = hashlib.sha256(), 0
    async for chunk in blob_store.read(key):
        largest_chunk = max(largest_chunk, len(chunk))
        read.update(chunk)
    assert read.hexdigest() == written.hexdigest()
    assert largest_chunk <= 4 * MiB  # streamed, never the whole file in memory at once


# --- reading -----------------------------------------------------------------------------------------------------

DATA = payload(MiB + MiB // 2, seed=42)  # longer than one read chunk of the local store, to cross its boundary


@pytest.mark.parametrize(('start', 'end'), [
    pytest.param(0, 100, id='start'),
    pytest.param(1000, 2000, id='middle'),
    pytest.param(len(DATA) - 123, None, id='to-the-end'),
    pytest.param(500, None, id='from-offset-to-the-end'),
    pytest.param(MiB - 10, MiB + 10, id='across-a-chunk-boundary'),
    pytest.param(len(DATA) - 10, len(DATA), id='last-bytes'),
    pytest.param(0, None, id='everything'),
])
async def test_ranged_reads_return_exactly_the_requested_bytes(blob_store: BlobStore, start: int,
                                                                end: int | None) -> None:
    """Video players seek with HTTP range requests; one byte off and playback breaks."""
    key = await put(blob_store, DATA)
    assert await read_all(blob_store, key, start=start, end=end) == DATA[start:end]


async def test_an_empty_range_reads_nothing(blob_store: BlobStore) -> None:
    """start == end is an empty range, not 'to the end'."""
    key = await put(blob_store, DATA)
    assert await read_all(blob_store, key, start=0, end=0) == b''
    assert await read_all(blob_store, key, start=777, end=777) == b''


async def test_a_missing_blob_is_not_found(blob_store: BlobStore) -> None:
    """A media row whose bytes are gone must surface as NotFound (a clear 404), not as a crash."""
    key = new_media_key(uuid4())
    assert not await blob_store.exists(key)
    with pytest.raises(NotFound):
        await blob_store.size(key)
    with pytest.raises(NotFound):
        await read_all(blob_store, key)
    with pytest.raises(NotFound):
        await read_all(blob_store, key, start=10, end=20)


# --- deleting ----------------------------------------------------------------------------------------------------


async def test_delete_removes_the_blob_and_is_idempotent(blob_store: BlobStore) -> None:
    """Deleting media retries after a crash; a second delete of the same key must succeed quietly."""
    key = await put(blob_store, payload(1000))
    kept = await put(blob_store, payload(1000, seed=1))

    await blob_store.delete(key)
    assert not await blob_store.exists(key)
    with pytest.raises(NotFound):
        await read_all(blob_store, key)
    await blob_store.delete(key)
    await blob_store.delete(new_media_key(uuid4()))  # never existed

    assert await read_all(blob_store, kept) == payload(1000, seed=1)


# --- keys --------------------------------------------------------------------------------------------------------

OWNER, BLOB = uuid4().hex, uuid4().hex
MALFORMED_KEYS = [
    pytest.param('../etc/passwd', id='parent'),
    pytest.param('media/../../x', id='climbs-out'),
    pytest.param(f'media/{OWNER}/../../../x', id='climbs-out-from-owner'),
    pytest.param('/etc/passwd', id='absolute'),
    pytest.param(f'/media/{OWNER}/{BLOB}', id='leading-slash'),
    pytest.param(f'media/{OWNER}/{BLOB}/x', id='too-deep'),
    pytest.param(f'media/{OWNER}', id='too-shallow'),
    pytest.param(f'media\\..\\..\\{BLOB}', id='backslashes'),
    pytest.param(f'other/{OWNER}/{BLOB}', id='unknown-prefix'),
    pytest.param(f'media/{OWNER.upper()}/{BLOB}', id='uppercase'),
    pytest.param('intro.mp4', id='file-name'),
    pytest.param('', id='empty'),
    pytest.param(f'media/{OWNER}/{BLOB}\n', id='trailing-newline'),
]


@pytest.mark.parametrize('key', MALFORMED_KEYS)
async def test_malformed_keys_are_refused_before_touching_storage(blob_store: BlobStore, key: str,
                                                                   backend_contents: Contents) -> None:
    """A key built from user input is a bug that could reach outside the store; every method must refuse it."""
    before = await backend_contents()
    with pytest.raises(ValueError, match='not a storage key'):
        await open_and_abort(blob_store, key)
    with pytest.raises(ValueError, match='not a storage key'):
        await blob_store.exists(key)
    with pytest.raises(ValueError, match='not a storage key'):
        await blob_store.size(key)
    with pytest.raises(ValueError, match='not a storage key'):
        await read_all(blob_store, key)
    with pytest.raises(ValueError, match='not a storage key'):
        await blob_store.delete(key)
    assert await backend_contents() == before


# --- the local store's own extras ---------------------------------------------------------------------------------


@pytest.fixture
def local_store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / 'blobs')


async def test_local_remove_partials_clears_what_a_crash_left_behind(local_store: LocalBlobStore) -> None:
    """Writes cut off by a crash would otherwise fill the disk forever; start-up sweeps them, keeping finished blobs."""
    assert await local_store.remove_partials() == 0
    kept = await put(local_store, payload(2000))
    crashed = []
    for seed in range(2):
        writer = await local_store.open_writer(new_media_key(uuid4()))
        await writer.write(payload(1000, seed))
        crashed.append(writer)
    assert len(await aiofiles.os.listdir(local_store.root / PARTIAL_DIR)) == 2

    assert await local_store.remove_partials() == 2

    assert await aiofiles.os.listdir(local_store.root / PARTIAL_DIR) == []
    assert await read_all(local_store, kept) == payload(2000)
    for writer in crashed:
        assert not await local_store.exists(writer.key)
        await writer.abort()  # closes the file; its partial is already gone, which abort must tolerate
