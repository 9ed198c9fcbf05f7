"""Ingesting a file: one pass, and on any failure no blob, no item, and a failed (or cancelled) operation."""
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from domain.changes import ChangeFeed
from domain.errors import EmptyFile, StorageUnavailable, TooLarge, UnsupportedType, UploadCancelled
from domain.ingest import WRITE_BLOCK, Ingestor
from domain.media import MediaFacts, MediaKind, MediaStatus
from domain.uploads import Stage, UploadRegistry
from tests.unit.fakes import FakeUnitOfWork, MemoryBlobStore

OWNER = uuid4()
PNG = b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 100


class FakeProbe:
    def __init__(self, facts: MediaFacts | Exception) -> None:
        self.facts = facts

    def probe(self, path: Path, kind: MediaKind) -> MediaFacts:
        if isinstance(self.facts, Exception):
            raise self.facts
        assert path.read_bytes()  # it was given the stored bytes
        return self.facts


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


def make_ingestor(uow: FakeUnitOfWork, blobs: MemoryBlobStore, *, facts: MediaFacts | Exception | None = None,
                  max_bytes: int = 10_000_000) -> Ingestor:
    return Ingestor(new_uow=lambda: uow, blobs=blobs, registry=UploadRegistry(new_uow=lambda: uow),
                    processor=FakeProbe(facts or MediaFacts(width=1, height=1, thumbnail_jpeg=b'jpeg')),
                    feed=ChangeFeed(), max_bytes=max_bytes)


async def chunks_of(data: bytes, size: int = 7000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def test_a_valid_file_becomes_an_item_with_a_thumbnail(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='../photo.png', declared_size=len(PNG))
    result = await ingestor.receive(operation, chunks_of(PNG))
    assert not result.duplicate
    assert (result.item.display_name, result.item.kind, result.item.size) == ('photo.png', MediaKind.IMAGE, len(PNG))
    assert result.item.sha256 == hashlib.sha256(PNG).hexdigest()
    assert blobs.blobs[result.item.storage_key] == PNG
    assert operation.stage == Stage.PROCESSING
    item = await ingestor.process(result.item, operation)
    assert item.status == MediaStatus.READY
    assert blobs.blobs[item.thumbnail_key] == b'jpeg'
    assert uow.media.get(item.id).width == 1
    assert operation.stage == Stage.READY


async def test_the_same_bytes_again_keep_one_copy(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    first = await ingestor.receive(ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=None),
                                   chunks_of(PNG))
    operation = ingestor.begin(owner_id=OWNER, raw_name='copy of a.png', declared_size=None)
    second = await ingestor.receive(operation, chunks_of(PNG, 1000))
    assert second.duplicate
    assert second.item.id == first.item.id
    assert operation.stage == Stage.READY and operation.duplicate and operation.media_id == first.item.id
    assert list(blobs.blobs) == [first.item.storage_key]
    other_owner = await ingestor.receive(ingestor.begin(owner_id=uuid4(), raw_name='a.png', declared_size=None),
                                         chunks_of(PNG))
    assert not other_owner.duplicate  # libraries are private: same bytes, another instructor, another item


@pytest.mark.parametrize(('name', 'data', 'error'), [
    ('empty.png', b'', EmptyFile),
    ('page.png', b'<html><body>' + b'x' * 10_000, UnsupportedType),
    ('tiny-but-wrong.png', b'MZ\x90\x00', UnsupportedType),
    ('huge.png', PNG * 50, TooLarge),
])
async def test_bad_content_leaves_nothing_behind(uow: FakeUnitOfWork, blobs: MemoryBlobStore, name: str, data: bytes,
                                                 error: type[Exception]) -> None:
    ingestor = make_ingestor(uow, blobs, max_bytes=len(PNG) * 10)
    operation = ingestor.begin(owner_id=OWNER, raw_name=name, declared_size=None)
    with pytest.raises(error):
        await ingestor.receive(operation, chunks_of(data))
    assert operation.stage == Stage.FAILED and operation.error
    assert blobs.blobs == {} and blobs.open_writers == set()
    assert uow.media.rows == {}


async def test_names_and_declared_sizes_are_refused_before_any_byte(uow: FakeUnitOfWork,
                                                                   blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs, max_bytes=100)
    with pytest.raises(UnsupportedType):
        ingestor.begin(owner_id=OWNER, raw_name='virus.exe', declared_size=10)
    with pytest.raises(TooLarge):
        ingestor.begin(owner_id=OWNER, raw_name='big.mp4', declared_size=101)
    stages = [op.stage for op in ingestor.registry.list_for_owner(OWNER)]
    assert stages == [Stage.FAILED, Stage.FAILED]  # shown in the panel, with the reason


async def test_a_cancel_mid_stream_stops_and_cleans_up(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=len(PNG))

    async def cancelled_halfway() -> AsyncIterator[bytes]:
        async for index, chunk in _enumerate(chunks_of(PNG, 1000)):
            if index == 5:
                ingestor.registry.request_cancel(OWNER, operation.id)
            yield chunk

    with pytest.raises(UploadCancelled):
        await ingestor.receive(operation, cancelled_halfway())
    assert operation.stage == Stage.CANCELLED
    assert blobs.blobs == {} and blobs.open_writers == set() and uow.media.rows == {}


async def test_a_storage_failure_is_explained_and_leaves_nothing(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    blobs.fail_writes = True
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=None)
    with pytest.raises(StorageUnavailable, match='No space left'):
        await ingestor.receive(operation, chunks_of(PNG))
    assert operation.stage == Stage.FAILED and 'Storage is unavailable' in operation.error
    assert blobs.open_writers == set() and uow.media.rows == {}


async def test_a_dropped_connection_fails_the_operation(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=None)

    async def dropped() -> AsyncIterator[bytes]:
        yield PNG[:10_000]
        raise ConnectionResetError('peer went away')

    with pytest.raises(StorageUnavailable):  # an OSError below the route is reported like any I/O failure
        await ingestor.receive(operation, dropped())
    assert operation.stage == Stage.FAILED
    assert blobs.blobs == {} and blobs.open_writers == set()


async def test_an_unreadable_file_still_becomes_a_usable_item(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs, facts=ValueError('moov atom not found'))
    operation = ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=None)
    result = await ingestor.receive(operation, chunks_of(PNG))
    item = await ingestor.process(result.item, operation)
    assert item.status == MediaStatus.READY
    assert 'moov atom not found' in item.status_detail
    assert item.thumbnail_key is None
    assert operation.stage == Stage.READY


async def test_a_restart_removes_cut_off_blobs(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=None)
    ingestor.registry.advance(operation, Stage.RECEIVING)
    operation.storage_key = 'media/' + OWNER.hex + '/' + uuid4().hex
    blobs.blobs[operation.storage_key] = b'half'
    with uow:
        uow.uploads.update(operation)
        uow.commit()
    await make_ingestor(uow, blobs).recover_after_restart()
    assert blobs.blobs == {}
    assert uow.uploads.get(operation.id).stage == Stage.FAILED


async def _enumerate(items: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, bytes]]:
    index = 0
    async for item in items:
        yield index, item
        index += 1


BIG_PNG = PNG + bytes(3 * WRITE_BLOCK + 12345)  # several blocks: one is stored while the next arrives


async def test_a_large_file_is_stored_whole_and_in_order(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='big.png', declared_size=len(BIG_PNG))
    result = await ingestor.receive(operation, chunks_of(BIG_PNG, 65536))
    assert blobs.blobs[result.item.storage_key] == BIG_PNG
    assert result.item.sha256 == hashlib.sha256(BIG_PNG).hexdigest()


async def test_a_disk_that_fills_up_in_a_later_block_leaves_nothing(uow: FakeUnitOfWork,
                                                                   blobs: MemoryBlobStore) -> None:
    blobs.space = 2 * WRITE_BLOCK
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='big.png', declared_size=None)
    with pytest.raises(StorageUnavailable, match='No space left'):
        await ingestor.receive(operation, chunks_of(BIG_PNG, 65536))
    assert operation.stage == Stage.FAILED
    assert blobs.blobs == {} and blobs.open_writers == set() and uow.media.rows == {}


async def test_a_cancel_while_a_block_is_being_stored_leaves_nothing(uow: FakeUnitOfWork,
                                                                     blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='big.png', declared_size=None)

    async def cancelled_after_two_blocks() -> AsyncIterator[bytes]:
        async for index, chunk in _enumerate(chunks_of(BIG_PNG, 65536)):
            if index * 65536 > 2 * WRITE_BLOCK:
                ingestor.registry.request_cancel(OWNER, operation.id)
            yield chunk

    with pytest.raises(UploadCancelled):
        await ingestor.receive(operation, cancelled_after_two_blocks())
    assert operation.stage == Stage.CANCELLED
    assert blobs.blobs == {} and blobs.open_writers == set() and uow.media.rows == {}


async def test_a_rename_during_processing_is_kept(uow: FakeUnitOfWork, blobs: MemoryBlobStore) -> None:
    ingestor = make_ingestor(uow, blobs)
    operation = ingestor.begin(owner_id=OWNER, raw_name='a.png', declared_size=None)
    result = await ingestor.receive(operation, chunks_of(PNG))
    renamed = uow.media.get(result.item.id)
    renamed.display_name = 'Renamed while processing.png'
    with uow:
        uow.media.update(renamed)
        uow.commit()
    await ingestor.process(result.item, operation)
    stored = uow.media.get(result.item.id)
    assert (stored.display_name, stored.width, stored.status) == ('Renamed while processing.png', 1, MediaStatus.READY)
