"""Answering for a stored blob the way browsers and players expect: ranges, validators and safe headers."""
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from domain.media import INLINE_TYPES, content_disposition
from domain.ports import BlobStore

from .http_ranges import RangeNotSatisfiable, parse_range


async def blob_response(request: Request, blobs: BlobStore, *, key: str, media_type: str, etag: str,
                        last_modified: datetime, filename: str, download: bool = False,
                        cache_control: str = 'private, no-cache') -> Response:
    size = await blobs.size(key)
    headers = {
        'Accept-Ranges': 'bytes', 'ETag': etag, 'Last-Modified': format_datetime(last_modified, usegmt=True),
        'Cache-Control': cache_control, 'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': content_disposition(filename, inline=not download and media_type.startswith(
            INLINE_TYPES)),
    }
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    try:
        wanted = parse_range(request.headers.get('range'), size) if _range_applies(request, etag) else None
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**headers, 'Content-Range': f'bytes */{size}'})
    if wanted is None:
        body, status = (blobs.read(key), 200)
        headers['Content-Length'] = str(size)
    else:
        body, status = (blobs.read(key, start=wanted.start, end=wanted.end), 206)
        headers.update({'Content-Length': str(wanted.length), 'Content-Range': wanted.content_range(size)})
    if request.method == 'HEAD':
        await body.aclose()
        return Response(status_code=status, headers=headers, media_type=media_type)
    return StreamingResponse(body, status_code=status, headers=headers, media_type=media_type)


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    if (if_none_match := request.headers.get('if-none-match')) is not None:
        return etag in {tag.strip() for tag in if_none_match.split(',')} or if_none_match.strip() == '*'
    if (if_modified_since := request.headers.get('if-modified-since')) is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


def _range_applies(request: Request, etag: str) -> bool:
    """If-Range: serve the range only if the client's copy is still current (it always is: bytes never change
    after upload, but a client may hold a validator from elsewhere)."""
    if_range = request.headers.get('if-range')
    return if_range is None or if_range.strip() == etag
