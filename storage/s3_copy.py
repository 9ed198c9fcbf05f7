"""Copying a local library into a bucket, so a self-hoster can switch MEDIASHELF_STORAGE to s3 and lose nothing.

Every object is read back from the bucket and hashed, not taken at its word: a media blob must match the sha256 the
library recorded at upload (which also catches a file that rotted on the local disk), a thumbnail must match its
local file. Running it again is safe and cheap in uploads: an object already there with the right size is not sent
again, only verified.
"""
import asyncio
import contextlib
import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from domain.errors import DomainError, NotFound
from domain.storage_keys import check_key

from .local import LocalBlobStore
from .s3 import S3BlobStore

BLOCK = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Outcome:
    copied: bool
    problem: str = ''  # empty: the object in the bucket is proven right
    size: int = 0


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    bytes_verified: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        total = len(self.copied) + len(self.already_there) + len(self.failed)
        lines = [f'{total} blobs: {len(self.copied)} copied, {len(self.already_there)} already in the bucket, '
                 f'{len(self.failed)} failed; {self.bytes_verified / 1e6:.1f} MB verified by sha256.']
        lines += [f'FAILED {key}: {reason}' for key, reason in self.failed]
        return '\n'.join(lines)


async def copy_library(local: LocalBlobStore, bucket: S3BlobStore, media_sha256: Mapping[str, str], *,
                       log: Callable[[str], None]) -> CopyReport:
    """Copy and verify every blob under the local store's root; `media_sha256` maps each media key the library
    knows to its recorded hash. A library row whose file is gone from the disk is reported, not skipped."""
    report = CopyReport()
    keys = await asyncio.to_thread(local_keys, local.root)
    for key in sorted(set(media_sha256) - set(keys)):
        report.failed.append((key, 'in the library but missing from the local disk'))
        log(f'FAILED {key}: {report.failed[-1][1]}')
    for key in keys:
        try:
            outcome = await _copy_one(local, bucket, key, media_sha256.get(key))
        except (OSError, DomainError) as error:
            outcome = Outcome(copied=False, problem=f'{type(error).__name__}: {error}')
        if outcome.problem:
            report.failed.append((key, outcome.problem))
            log(f'FAILED {key}: {outcome.problem}')
            continue
        (report.copied if outcome.copied else report.already_there).append(key)
        report.bytes_verified += outcome.size
        log(f'{"copied" if outcome.copied else "present"} {key}')
    return report


def local_keys(root: Path) -> list[str]:
    """Blobs only, in key order, media before thumbnails: unfinished writes (.partial) and strays are no keys."""
    keys = []
    for path in root.rglob('*'):
        key = path.relative_to(root).as_posix()
        if path.is_file() and _is_key(key):
            keys.append(key)
    return sorted(keys)


async def _copy_one(local: LocalBlobStore, bucket: S3BlobStore, key: str, recorded_sha256: str | None) -> Outcome:
    path = local.root / key
    size = (await asyncio.to_thread(path.stat)).st_size
    if await _stored_size(bucket, key) == size:
        local_sha256 = None if recorded_sha256 else await asyncio.to_thread(_file_sha256, path)
        copied = False
    else:
        local_sha256 = await _upload(bucket, key, path)
        copied = True
    if recorded_sha256 and local_sha256 and local_sha256 != recorded_sha256:
        return Outcome(copied=copied, problem="the local file differs from the library's record (damaged on disk?)")
    stored_size, stored_sha256 = await _object_digest(bucket, key)
    if stored_size != size:
        return Outcome(copied=copied, problem=f'the bucket holds {stored_size} bytes, the local file {size}')
    if stored_sha256 != (recorded_sha256 or local_sha256):
        source = "the library's record" if recorded_sha256 else 'the local file'
        return Outcome(copied=copied, problem=f'the sha256 of the stored bytes differs from {source}')
    return Outcome(copied=copied, size=size)


async def _stored_size(bucket: S3BlobStore, key: str) -> int | None:
    try:
        return await bucket.size(key)
    except NotFound:
        return None


async def _upload(bucket: S3BlobStore, key: str, path: Path) -> str:
    """Stream the file through the store's own writer (multipart for large files); returns its sha256."""
    hasher = hashlib.sha256()
    writer = await bucket.open_writer(key)
    try:
        with await asyncio.to_thread(path.open, 'rb') as file:
            while block := await asyncio.to_thread(_read_and_hash, file, hasher):
                await writer.write(block)
        await writer.commit()
    except BaseException:
        with contextlib.suppress(Exception):  # the failure that stopped the copy is the one to report
            await writer.abort()
        raise
    return hasher.hexdigest()


async def _object_digest(bucket: S3BlobStore, key: str) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    async for chunk in bucket.read(key):
        size += len(chunk)
        await asyncio.to_thread(hasher.update, chunk)
    return size, hasher.hexdigest()


def _read_and_hash(file: 'io.BufferedReader', hasher: 'hashlib._Hash') -> bytes:
    block = file.read(BLOCK)
    hasher.update(block)
    return block


def _file_sha256(path: Path) -> str:
    with path.open('rb') as file:
        return hashlib.file_digest(file, 'sha256').hexdigest()


def _is_key(key: str) -> bool:
    try:
        check_key(key)
    except ValueError:
        return False
    return True
