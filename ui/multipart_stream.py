"""Reading multipart/form-data as it arrives, part by part, without buffering a whole file.

Starlette's `request.form()` spools every file to a temporary file before the handler sees a byte; this
hands each part's bytes to the caller as soon as they are parsed, so an upload is checked, hashed and stored
in one pass while the browser is still sending it.
"""
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import InvalidInput

MAX_HEADER_BYTES = 16 * 1024


@dataclass(slots=True)
class Part:
    name: str
    filename: str | None
    chunks: AsyncIterator[bytes]  # consume it (or not) before asking for the next part


class MultipartStream:
    def __init__(self, body: AsyncIterator[bytes], content_type: str) -> None:
        mime, options = parse_options_header(content_type)
        boundary = options.get(b'boundary')
        if mime != b'multipart/form-data' or not boundary:
            raise InvalidInput('Send the file as multipart/form-data.')
        self._body = aiter(body)
        self._events: deque[tuple[str, object]] = deque()
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._finished = False
        self._parser = MultipartParser(boundary, {
            'on_part_begin': self._headers.clear,
            'on_part_data': self._part_data_parsed,
            'on_part_end': lambda: self._events.append(('end', None)),
            'on_header_field': lambda data, start, end: self._header_field.extend(data[start:end]),
            'on_header_value': lambda data, start, end: self._header_value.extend(data[start:end]),
            'on_header_end': self._header_end,
            'on_headers_finished': lambda: self._events.append(('headers', dict(self._headers))),
            'on_end': lambda: self._events.append(('done', None)),
        }, max_header_size=MAX_HEADER_BYTES)

    async def parts(self) -> AsyncIterator[Part]:
        while True:
            kind, value = await self._next_event()
            if kind == 'done':
                return
            if kind != 'headers':
                continue
            assert isinstance(value, dict)
            disposition, options = parse_options_header(value.get(b'content-disposition', b''))
            if disposition != b'form-data' or b'name' not in options:
                raise InvalidInput('A form part has no name.')
            filename = options.get(b'filename')
            chunks = self._part_data()
            yield Part(name=options[b'name'].decode('utf-8', 'replace'),
                       filename=None if filename is None else filename.decode('utf-8', 'replace'), chunks=chunks)
            async for _ in chunks:  # skip whatever the caller left unread
                pass

    async def _part_data(self) -> AsyncIterator[bytes]:
        while True:
            kind, value = await self._next_event()
            if kind == 'data':
                assert isinstance(value, bytes)
                yield value
            elif kind == 'end':
                return

    async def _next_event(self) -> tuple[str, object]:
        while not self._events:
            if self._finished:
                raise InvalidInput('The upload ended before the form was complete.')
            chunk = await anext(self._body, None)
            try:
                if chunk is None:
                    self._finished = True
                    self._parser.finalize()
                else:
                    self._parser.write(chunk)
            except MultipartParseError as error:
                raise InvalidInput('The upload is not valid multipart form data.') from error
        return self._events.popleft()

    def _part_data_parsed(self, data: bytes, start: int, end: int) -> None:
        """Inside a large file most calls cover the whole chunk just written: pass it on as it is, not copied."""
        self._events.append(('data', data if start == 0 and end == len(data) else data[start:end]))

    def _header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()
