"""Ingesting one uploaded file: one pass over the bytes as they arrive, and nothing left behind on failure.

The bytes are checked (type, size), hashed and written to the blob store as they stream in. Only a complete,
valid file becomes a library item; a duplicate of something already in the library is dropped in favour of
the existing item. Thumbnails and metadata come after, off the event loop, and never make an item unusable.
"""
import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import UUID

from . import media
from .changes import ChangeFeed, Topic
from .clock import utc_now
from .errors import Conflict, DomainError, StorageUnavailable, UploadCancelled
from .media import MediaFacts, MediaItem, MediaKind, MediaStatus
from .ports import BlobStore, BlobWriter, UnitOfWork
from .storage_keys import new_media_key, thumbnail_key_for
from .uploads import Stage, UploadOperation, UploadRegistry, recover_interrupted

WRITE_BLOCK = 1024 * 1024  # hash and write in blocks this big: few thread hops, bounded memory


class MediaProcessor(Protocol):
    def probe(self, path: Path, kind: MediaKind) -> MediaFacts:
        """Read duration, dimensions and a thumbnail from a stored file. Blocking: called in a thread."""
        ...


@dataclass(kw_only=True, slots=True)
class IngestResult:
    item: MediaItem
    duplicate: bool


@dataclass(kw_only=True)
class Ingestor:
    new_uow: Callable[[], UnitOfWork]
    blobs: BlobStore
    registry: UploadRegistry
    processor: MediaProcessor
    feed: ChangeFeed
    max_bytes: int

    def begin(self, *, owner_id: UUID, raw_name: str, declared_size: int | None,
              target_chapter_id: UUID | None = None, operation_id: UUID | None = None) -> UploadOperation:
        """Register the upload so every tab shows it, and refuse at once what the name or size already rules out."""
        name = media.clean_file_name(raw_name) or 'untitled'
        operation = self.registry.start(owner_id=owner_id, file_name=name, bytes_total=declared_size,
                                        target_chapter_id=target_chapter_id, operation_id=operation_id)
        try:
            media.file_type_for(name)
            if declared_size is not None:
                media.check_size(declared_size, limit=self.max_bytes)
        except DomainError as error:
            self.registry.fail(operation, str(error))
            raise
        return operation

    async def receive(self, operation: UploadOperation, chunks: AsyncIterator[bytes]) -> IngestResult:
        """Stream the bytes into storage and make the library item; on any failure leave no blob and no row."""
        self.registry.advance(operation, Stage.RECEIVING)
        file_type = media.file_type_for(operation.file_name)
        operation.storage_key = new_media_key(operation.owner_id)
        try:
            writer = await self.blobs.open_writer(operation.storage_key)
        except OSError as error:
            self.registry.fail(operation, _storage_message(error))
            raise StorageUnavailable(_storage_message(error)) from error
        try:
            sha256 = await self._stream(operation, chunks, writer)
            self.registry.advance(operation, Stage.STORING)
            existing = self._find_same_bytes(operation.owner_id, sha256)
            if existing is not None:
                await writer.abort()  # never committed: the library keeps its one copy
                return self._settle_duplicate(operation, existing)
            await writer.commit()
        except BaseException as error:
            await _abort_quietly(writer)
            self._finish_failed(operation, error)
            if isinstance(error, OSError):
                raise StorageUnavailable(_storage_message(error)) from error
            raise
        try:
            result = self._register(operation, file_type, sha256)
        except BaseException as error:
            await self.blobs.delete(operation.storage_key)
            self._finish_failed(operation, error)
            raise
        if result.duplicate:  # another tab stored the same bytes while this one was receiving them
            await self.blobs.delete(operation.storage_key)
        return result

    async def process(self, item: MediaItem, operation: UploadOperation | None = None) -> MediaItem:
        """Thumbnail and metadata, in a thread. A file that cannot be read stays a usable item, with the reason."""
        try:
            async with self.blobs.local_copy(item.storage_key) as path:
                facts = await asyncio.to_thread(self.processor.probe, path, item.kind)
            if facts.thumbnail_jpeg:
                item.thumbnail_key = thumbnail_key_for(item.storage_key)
                await _store_bytes(self.blobs, item.thumbnail_key, facts.thumbnail_jpeg)
        except Exception as error:  # anything a corrupt file or a full disk throws
            facts = MediaFacts(note=f'No preview: {error}')
        with self.new_uow() as uow:
            current = uow.media.get(item.id)  # as it is now: renamed meanwhile, perhaps, or deleted
            if current is not None:
                item = _with_facts(current, facts, thumbnail_key=item.thumbnail_key)
                uow.media.update(item)
                uow.commit()
        self.feed.publish(item.owner_id, Topic.MEDIA)
        if operation is not None:
            self.registry.advance(operation, Stage.READY)
        return item

    async def recover_after_restart(self) -> list[MediaItem]:
        """Run once at start, before uploads are accepted, so no half-written blob survives a crash. Returns the
        items whose thumbnails were being made, for the caller to process again in the background."""
        await self.blobs.remove_partials()
        for operation in recover_interrupted(self.new_uow()):
            if operation.storage_key:
                await self.blobs.delete(operation.storage_key)
        with self.new_uow() as uow:
            return uow.media.list_processing()

    async def _stream(self, operation: UploadOperation, chunks: AsyncIterator[bytes], writer: BlobWriter) -> str:
        """Check each chunk as it arrives; hash and store a block at a time, in threads, while the next block
        arrives. One block in flight keeps memory bounded, and joining a block is the only copy made here."""
        hasher = hashlib.sha256()
        block: list[bytes] = []
        filled = received = 0
        checked_type = False
        in_flight: asyncio.Task[None] | None = None
        try:
            async for chunk in chunks:
                if self.registry.cancel_requested(operation):
                    raise UploadCancelled('Upload cancelled.')
                received += len(chunk)
                media.check_size(received, limit=self.max_bytes)
                block.append(chunk)
                filled += len(chunk)
                if not checked_type and received >= media.SNIFF_BYTES:  # always within the first block
                    media.check_content(operation.file_name, b''.join(block)[:media.SNIFF_BYTES])
                    checked_type = True
                if filled >= WRITE_BLOCK:
                    await _written(in_flight)  # blocks are hashed in order
                    in_flight = asyncio.create_task(_hash_and_write(hasher, writer, b''.join(block)))
                    block.clear()
                    filled = 0
                self.registry.progress(operation, received)
            media.check_not_empty(received)
            if not checked_type:
                media.check_content(operation.file_name, b''.join(block))
            await _written(in_flight)
            if block:
                await _hash_and_write(hasher, writer, b''.join(block))
        finally:
            await _settled(in_flight)
        if self.registry.cancel_requested(operation):
            raise UploadCancelled('Upload cancelled.')
        operation.bytes_total = received
        self.registry.progress(operation, received)
        return hasher.hexdigest()

    def _register(self, operation: UploadOperation, file_type: media.FileType, sha256: str) -> IngestResult:
        """Create the library item. The database's unique (owner, sha256) index settles two tabs storing the
        same bytes at the same moment: the loser links to the winner's item."""
        assert operation.storage_key is not None
        item = MediaItem(owner_id=operation.owner_id, display_name=operation.file_name,
                         original_name=operation.file_name, kind=file_type.kind, mime_type=file_type.mime,
                         size=operation.bytes_done, sha256=sha256, storage_key=operation.storage_key)
        with self.new_uow() as uow:
            try:
                uow.media.add(item)
                uow.commit()
                existing = None
            except Conflict:
                uow.rollback()
                existing = uow.media.find_by_sha256(operation.owner_id, sha256)
        if existing is not None:
            return self._settle_duplicate(operation, existing)
        operation.media_id = item.id
        self.registry.advance(operation, Stage.PROCESSING)
        self.feed.publish(item.owner_id, Topic.MEDIA)
        return IngestResult(item=item, duplicate=False)

    def _find_same_bytes(self, owner_id: UUID, sha256: str) -> MediaItem | None:
        with self.new_uow() as uow:
            return uow.media.find_by_sha256(owner_id, sha256)

    def _settle_duplicate(self, operation: UploadOperation, existing: MediaItem) -> IngestResult:
        operation.media_id = existing.id
        operation.duplicate = True
        self.registry.advance(operation, Stage.READY)
        return IngestResult(item=existing, duplicate=True)

    def _finish_failed(self, operation: UploadOperation, error: BaseException) -> None:
        if isinstance(error, UploadCancelled) and not operation.finished:
            self.registry.advance(operation, Stage.CANCELLED, error=str(error))
        else:
            self.registry.fail(operation, failure_message(error))


def _with_facts(item: MediaItem, facts: MediaFacts, *, thumbnail_key: str | None) -> MediaItem:
    """Only what processing learnt changes; a name the instructor typed in the meantime stays."""
    item.duration_seconds, item.width, item.height = facts.duration_seconds, facts.width, facts.height
    item.thumbnail_key = thumbnail_key
    item.status, item.status_detail = MediaStatus.READY, facts.note[:500]
    item.updated_at = utc_now()
    return item


async def _hash_and_write(hasher: 'hashlib._Hash', writer: BlobWriter, block: bytes) -> None:
    """Hash in a worker thread while the store writes: two cores busy, the event loop free."""
    await asyncio.gather(asyncio.to_thread(hasher.update, block), writer.write(block))


async def _written(task: asyncio.Task[None] | None) -> None:
    """Wait for a block's hash and write, and raise their error. Shielded: a cancelled upload must not cancel
    them halfway, since their threads would carry on regardless; `_settled` waits for them instead."""
    if task is not None:
        await asyncio.shield(task)


async def _settled(task: asyncio.Task[None] | None) -> None:
    """Let a block still in flight finish before the caller aborts the writer (and closes the file under its
    thread). Its own error is dropped here: the error already on its way up is the one to report."""
    if task is None:
        return
    if not task.done():
        await asyncio.wait([task])
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as lost


async def _store_bytes(blobs: BlobStore, key: str, data: bytes) -> None:
    writer = await blobs.open_writer(key)
    try:
        await writer.write(data)
        await writer.commit()
    except BaseException:
        await _abort_quietly(writer)
        raise


async def _abort_quietly(writer: BlobWriter) -> None:
    with contextlib.suppress(Exception):  # the original error matters more than a failed clean-up
        await writer.abort()


def failure_message(error: BaseException) -> str:
    """What the progress panel says about a failed upload: the rule's own words, or a plain explanation."""
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, OSError):
        return _storage_message(error)
    if isinstance(error, asyncio.CancelledError):
        return 'The server stopped before the file arrived completely.'
    return f'The upload failed unexpectedly ({type(error).__name__}).'


def _storage_message(error: OSError) -> str:
    return f'Storage is unavailable ({error.strerror or error}). Try again later.'
