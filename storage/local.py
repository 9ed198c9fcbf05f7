"""The default blob store: a folder on local disk, written with aiofiles so the event loop never blocks."""
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import aiofiles
import aiofiles.os

from domain.errors import NotFound
from domain.storage_keys import check_key

READ_CHUNK = 1024 * 1024
PARTIAL_DIR = '.partial'


class LocalBlobWriter:
    """Writes into `.partial/<random>` and renames into place on commit: a reader never sees half a file."""

    def __init__(self, key: str, final_path: Path, partial_path: Path) -> None:
        self.key = key
        self.bytes_written = 0
        self._final_path = final_path
        self._partial_path = partial_path
        self._file: aiofiles.threadpool.binary.AsyncBufferedIOBase | None = None

    async def open(self) -> None:
        self._file = await aiofiles.open(self._partial_path, 'wb')

    async def write(self, chunk: bytes) -> None:
        assert self._file is not None, 'writer is closed'
        await self._file.write(chunk)
        self.bytes_written += len(chunk)

    async def commit(self) -> None:
        assert self._file is not None, 'writer is closed'
        await self._file.close()
        self._file = None
        await aiofiles.os.makedirs(self._final_path.parent, exist_ok=True)
        await aiofiles.os.replace(self._partial_path, self._final_path)

    async def abort(self) -> None:
        if self._file is not None:
            await self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            await aiofiles.os.remove(self._partial_path)


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        (self.root / PARTIAL_DIR).mkdir(parents=True, exist_ok=True)

    async def open_writer(self, key: str) -> LocalBlobWriter:
        writer = LocalBlobWriter(key, self._path(key), self.root / PARTIAL_DIR / uuid4().hex)
        await writer.open()
        return writer

    async def exists(self, key: str) -> bool:
        return await aiofiles.os.path.isfile(self._path(key))

    async def size(self, key: str) -> int:
        try:
            return (await aiofiles.os.stat(self._path(key))).st_size
        except FileNotFoundError:
            raise NotFound('The file is missing from storage.') from None

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        try:
            file = await aiofiles.open(self._path(key), 'rb')
        except FileNotFoundError:
            raise NotFound('The file is missing from storage.') from None
        try:  # an opened aiofiles file is no async context manager (only the un-awaited open() is)
            await file.seek(start)
            remaining = None if end is None else max(0, end - start)
            while remaining is None or remaining > 0:
                chunk = await file.read(READ_CHUNK if remaining is None else min(READ_CHUNK, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            await file.close()

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await aiofiles.os.remove(self._path(key))

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        """The stored file itself: on local disk there is nothing to copy."""
        path = self._path(key)
        if not await aiofiles.os.path.isfile(path):
            raise NotFound('The file is missing from storage.')
        yield path

    async def presigned_url(self, key: str, *, filename: str, inline: bool, content_type: str) -> None:
        """A folder has no URLs of its own: the app serves these bytes itself."""
        check_key(key)
        return None

    async def remove_partials(self) -> int:
        """Clear writes a crash left behind; called once at start, before any upload can begin."""
        partials = await aiofiles.os.listdir(self.root / PARTIAL_DIR)
        for name in partials:
            await aiofiles.os.remove(self.root / PARTIAL_DIR / name)
        return len(partials)

    def _path(self, key: str) -> Path:
        return self.root / Path(*check_key(key).split('/'))

