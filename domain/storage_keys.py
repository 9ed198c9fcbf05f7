"""The one scheme for naming blobs. Keys are generated, never built from a file name or any user input,
so no upload can write outside its place, and an owner's blobs share a prefix (easy to list or move).
"""
import re
from uuid import UUID, uuid4

_KEY = re.compile(r'^(media|thumbnails)/[0-9a-f]{32}/[0-9a-f]{32}$')


def new_media_key(owner_id: UUID) -> str:
    return f'media/{owner_id.hex}/{uuid4().hex}'


def thumbnail_key_for(media_key: str) -> str:
    check_key(media_key)
    _, owner, blob = media_key.split('/')
    return f'thumbnails/{owner}/{blob}'


def check_key(key: str) -> str:
    """Backends call this before touching a path or an object: a malformed key is a bug, never a file."""
    if not _KEY.fullmatch(key):
        raise ValueError(f'not a storage key: {key!r}')
    return key
