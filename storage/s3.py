"""Blobs in an S3-compatible bucket (Backblaze B2, AWS S3, MinIO, SeaweedFS), through boto3.

boto3 blocks, so every call runs in this store's own worker threads: never on the event loop, and a bucket that
stalls ties up only these threads, not the ones that hash uploads or read local files. Checksums are sent only
where an operation requires one: boto3 >= 1.36 otherwise adds x-amz-checksum-* headers (and aws-chunked trailers
over HTTPS) that Backblaze B2 refuses with "Unsupported header".

Everything S3 can throw leaves this module as `NotFound` (a missing key) or `S3Unavailable`, an `OSError`: the use
cases already report an OSError as storage trouble (503 storage_unavailable), whatever the backend.
"""
import asyncio
import errno
import functools
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from domain.errors import NotFound
from domain.media import content_disposition
from domain.storage_keys import check_key

T = TypeVar('T')
MiB = 1024 * 1024
PART_SIZE = 8 * MiB
MIN_PART_SIZE = 5 * MiB  # S3, B2 and SeaweedFS refuse smaller parts (all but the last)
PARTS_IN_FLIGHT = 2  # per upload: keeps the link busy while memory stays near three parts
READ_SPAN = 8 * MiB  # one ranged GET: short requests, so a paused video holds no connection open
READ_CHUNK = MiB  # what a reader receives at a time
MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs live at most a week (S3 and B2 alike)
THREADS = 16  # one per pooled connection; ten concurrent uploads with two parts each still mostly run at once
MISSING_CODES = frozenset({'NoSuchKey', 'NotFound', '404'})  # HEAD answers carry no body, so only the status
_SESSION_LOCK = threading.Lock()


class S3Unavailable(OSError):
    """The bucket could not be reached or refused the request. Its text is shown to instructors, so it names the
    kind of trouble only; the boto3 error stays attached as the cause, for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EIO, reason)


@dataclass(frozen=True, kw_only=True)
class S3Settings:
    bucket: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    endpoint_url: str | None = None  # None: AWS itself
    region: str | None = None
    prefix: str = ''  # keys live under it, so one bucket can hold other things too
    addressing_style: Literal['path', 'virtual'] = 'path'
    url_expiry_seconds: int = 3600
    part_size: int = PART_SIZE
    parts_in_flight: int = PARTS_IN_FLIGHT

    def __post_init__(self) -> None:
        """Refuse at start what S3 would refuse on the first upload or the first video, far from the cause."""
        if not 1 <= self.url_expiry_seconds <= MAX_URL_EXPIRY_SECONDS:
            raise ValueError(f'presigned URLs must expire within 1 to {MAX_URL_EXPIRY_SECONDS} seconds (7 days)')
        if self.part_size < MIN_PART_SIZE:
            raise ValueError(f'S3 parts must be at least {MIN_PART_SIZE} bytes')
        if self.parts_in_flight < 1:
            raise ValueError('at least one part must be allowed in flight')


def client_config(settings: S3Settings) -> Config:
    """Strict enough for B2: SigV4 (with region us-east-1 and no version, boto3 presigns with SigV2), checksums
    only when an operation requires them, and the standard retry mode for brief outages and throttling."""
    return Config(signature_version='s3v4', s3={'addressing_style': settings.addressing_style},
                  request_checksum_calculation='when_required', response_checksum_validation='when_required',
                  retries={'mode': 'standard', 'max_attempts': 3}, max_pool_connections=THREADS,
                  connect_timeout=10, read_timeout=60)


def make_client(settings: S3Settings) -> Any:
    """Clients are thread-safe, but making one from a shared session is not: hence the lock. The session is
    shared because it caches the S3 service model, which costs ~0.2 s to load for each new session."""
    with _SESSION_LOCK:
        return _session().client('s3', endpoint_url=settings.endpoint_url, region_name=settings.region,
                                 aws_access_key_id=settings.access_key_id,
                                 aws_secret_access_key=settings.secret_access_key, config=client_config(settings))


@functools.cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


class S3BlobWriter:
    """Streams into a multipart upload while the bytes arrive: each full part is sent at once, at most
    `parts_in_flight` at a time, so memory stays near (in flight + 1) parts whatever the file's size, and a slow
    bucket slows the upload down instead of filling memory. A blob smaller than one part is a single PUT at commit.
    Nothing is visible under the key until the upload is completed."""

    def __init__(self, store: 'S3BlobStore', key: str) -> None:
        self.key = key
        self.bytes_written = 0
        self._store = store
        self._object_key = store.object_key(key)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._upload_id: str | None = None
        self._parts_started = 0
        self._parts_done: list[dict[str, Any]] = []
        self._sending: set[asyncio.Task[None]] = set()
        self._closed = False
        self._committing = False

    async def write(self, chunk: bytes) -> None:
        assert not self._closed, 'writer is closed'
        if not chunk:
            return
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        self.bytes_written += len(chunk)
        if self._pending_size >= self._store.settings.part_size:
            await self._send_part(self._take_pending())

    async def commit(self) -> None:
        assert not self._closed, 'writer is closed'
        self._closed = self._committing = True
        if self._upload_id is None:
            await self._store.run(self._store.client.put_object, Bucket=self._store.bucket, Key=self._object_key,
                                  Body=self._take_pending())
            return
        if self._pending_size:
            await self._send_part(self._take_pending())
        while self._sending:
            await self._finish_one_part()
        parts = sorted(self._parts_done, key=lambda part: part['PartNumber'])
        await self._store.run(self._store.client.complete_multipart_upload, Bucket=self._store.bucket,
                              Key=self._object_key, UploadId=self._upload_id, MultipartUpload={'Parts': parts})

    async def abort(self) -> None:
        """Parts still in flight finish first (their threads cannot be stopped), so none lands after the abort;
        after a failed commit the object is deleted too, since the bucket may have completed it anyway."""
        self._closed = True
        self._pending.clear()
        await asyncio.gather(*self._sending, return_exceptions=True)
        self._sending.clear()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            await self._store.run(self._store.abort_upload, self._object_key, upload_id)
        if self._committing:
            await self._store.delete(self.key)

    def _take_pending(self) -> bytes:
        """The one copy of the bytes made here: the received chunks joined into a part."""
        data = b''.join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        return data

    async def _send_part(self, body: bytes) -> None:
        if self._upload_id is None:
            created = await self._store.run(self._store.client.create_multipart_upload, Bucket=self._store.bucket,
                                            Key=self._object_key)
            self._upload_id = created['UploadId']
        while len(self._sending) >= self._store.settings.parts_in_flight:
            await self._finish_one_part()
        self._parts_started += 1
        task = asyncio.create_task(self._upload_part(self._parts_started, body))
        self._sending.add(task)

    async def _upload_part(self, number: int, body: bytes) -> None:
        uploaded = await self._store.run(self._store.client.upload_part, Bucket=self._store.bucket,
                                         Key=self._object_key, UploadId=self._upload_id, PartNumber=number,
                                         Body=body)
        self._parts_done.append({'PartNumber': number, 'ETag': uploaded['ETag']})

    async def _finish_one_part(self) -> None:
        """Wait for a part in flight to finish, and raise its error: a failed part fails the whole upload."""
        done, _ = await asyncio.wait(self._sending, return_when=asyncio.FIRST_COMPLETED)
        self._sending -= done
        for task in done:
            task.result()


class S3BlobStore:
    """The BlobStore port on a bucket. Keys are the domain's keys under an optional prefix."""

    def __init__(self, settings: S3Settings, *, scratch_dir: Path) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        self.prefix = f'{settings.prefix.strip("/")}/' if settings.prefix.strip('/') else ''
        self.client = make_client(settings)
        self._threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix='s3')
        self._scratch_dir = scratch_dir
        scratch_dir.mkdir(parents=True, exist_ok=True)

    def object_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def open_writer(self, key: str) -> S3BlobWriter:
        return S3BlobWriter(self, key)

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except NotFound:
            return False
        return True

    async def size(self, key: str) -> int:
        head = await self.run(self.client.head_object, Bucket=self.bucket, Key=self.object_key(key))
        return head['ContentLength']

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Ranged GETs of READ_SPAN each, streamed on in READ_CHUNK pieces; the first answer tells the size."""
        object_key = self.object_key(key)
        if end is not None and end <= start:
            await self.size(key)  # nothing to read, but a missing key is still NotFound
            return
        position = start
        while end is None or position < end:
            last = position + READ_SPAN if end is None else min(end, position + READ_SPAN)
            body, total = await self.run(self._get_range, object_key, position, last)
            if body is None:
                return
            try:
                while piece := await self.run(body.read, READ_CHUNK):
                    position += len(piece)
                    yield piece
            finally:
                body.close()
            if position >= total:
                return

    async def delete(self, key: str) -> None:
        """S3's DELETE succeeds for a missing key, which makes this idempotent as the port asks."""
        await self.run(self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key))

    async def remove_partials(self) -> int:
        """Abort multipart uploads a crash left open: the bucket keeps (and bills) their parts until then. Only
        keys this app makes are touched, so a prefix shared with other tools is safe; scratch copies go too."""
        uploads = await self.run(self._open_uploads)
        for object_key, upload_id in uploads:
            await self.run(self.abort_upload, object_key, upload_id)
        await asyncio.to_thread(self._clear_scratch)
        return len(uploads)

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        """Streamed to a scratch file (on the data disk, not a RAM-backed /tmp), removed afterwards."""
        object_key = self.object_key(key)
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix='copy-', dir=self._scratch_dir))
        try:
            path = folder / 'blob'
            await self.run(self._download, object_key, path)
            yield path
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)

    async def presigned_url(self, key: str, *, filename: str, inline: bool, content_type: str) -> str:
        """A GET the browser sends straight to the bucket (ranges included), with the headers the app would set."""
        params = {'Bucket': self.bucket, 'Key': self.object_key(key), 'ResponseContentType': content_type,
                  'ResponseContentDisposition': content_disposition(filename, inline=inline)}
        return await self.run(self.client.generate_presigned_url, 'get_object', Params=params,
                              ExpiresIn=self.settings.url_expiry_seconds)

    def close(self) -> None:
        """For short-lived stores (commands, tests); the app's store lives as long as the process."""
        self._threads.shutdown(wait=True)
        self.client.close()

    async def run(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """A blocking boto3 call in this store's threads, its failures in the domain's terms."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._threads, functools.partial(function, *args, **kwargs))
        except ClientError as error:
            raise _translated(error) from error
        except BotoCoreError as error:  # could not connect, connection dropped, timed out
            raise S3Unavailable('the S3 server could not be reached') from error

    def abort_upload(self, object_key: str, upload_id: str) -> None:
        """Blocking. An upload already gone (aborted by an earlier try) counts as aborted."""
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=object_key, UploadId=upload_id)
        except ClientError as error:
            if _code(error) != 'NoSuchUpload':
                raise

    def _get_range(self, object_key: str, first: int, end: int) -> tuple[Any, int]:
        """Blocking. The body and the object's size; no body when `first` is at or past the end (416)."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=object_key, Range=f'bytes={first}-{end - 1}')
        except ClientError as error:
            if _code(error) == 'InvalidRange':
                return None, 0
            raise
        return response['Body'], int(response['ContentRange'].rpartition('/')[2])

    def _open_uploads(self) -> list[tuple[str, str]]:
        """Blocking. (object key, upload id) of every unfinished upload of an app key under the prefix."""
        found = []
        for page in self.client.get_paginator('list_multipart_uploads').paginate(Bucket=self.bucket,
                                                                                 Prefix=self.prefix):
            found += [(upload['Key'], upload['UploadId']) for upload in page.get('Uploads', [])
                      if self._is_app_key(upload['Key'])]
        return found

    def _is_app_key(self, object_key: str) -> bool:
        if not object_key.startswith(self.prefix):
            return False
        try:
            check_key(object_key[len(self.prefix):])
        except ValueError:
            return False
        return True

    def _download(self, object_key: str, path: Path) -> None:
        """Blocking. One GET streamed to disk a chunk at a time: never the whole blob in memory."""
        body = self.client.get_object(Bucket=self.bucket, Key=object_key)['Body']
        try:
            with path.open('wb') as file:
                for chunk in body.iter_chunks(READ_CHUNK):
                    file.write(chunk)
        finally:
            body.close()

    def _clear_scratch(self) -> None:
        for leftover in self._scratch_dir.iterdir():
            shutil.rmtree(leftover, ignore_errors=True)


def _code(error: ClientError) -> str:
    return str(error.response.get('Error', {}).get('Code', ''))


def _translated(error: ClientError) -> Exception:
    if _code(error) in MISSING_CODES:
        return NotFound('The file is missing from storage.')
    return S3Unavailable(f'the S3 server refused the request: {_code(error) or "no reason given"}')
