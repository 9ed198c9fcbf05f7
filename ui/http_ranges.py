"""HTTP byte ranges (RFC 9110 §14): what lets a video player seek without downloading the whole file."""
import re
from dataclasses import dataclass

_SINGLE = re.compile(r'^bytes=([0-9]*)-([0-9]*)$', re.IGNORECASE)  # range units are case-insensitive


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f'bytes {self.start}-{self.end - 1}/{size}'


class RangeNotSatisfiable(Exception):
    """The range lies outside the file: answered with 416 and the real size."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single range asked for, or None for the whole file.

    A header we cannot read, or one asking for several ranges, is ignored as the RFC allows (whole file, 200);
    only a well-formed range that misses the file entirely is an error.
    """
    if not header:
        return None
    match = _SINGLE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix), size)
    start = int(first)
    end = size if not last else min(size, int(last) + 1)
    if last and int(last) < start:
        return None  # invalid syntax per the RFC: ignore it
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, end)
