"""Media items and the rules for what may enter a library: kinds, names, types, sizes and duplicates."""
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote
from uuid import UUID, uuid4

import filetype

from .clock import utc_now
from .errors import EmptyFile, InvalidInput, TooLarge, UnsupportedType

MAX_NAME_LENGTH = 200
SNIFF_BYTES = 8192  # what the type detector needs to see before it can judge the content


class MediaKind(StrEnum):
    VIDEO = 'video'
    IMAGE = 'image'
    DOCUMENT = 'document'
    AUDIO = 'audio'


class MediaStatus(StrEnum):
    PROCESSING = 'processing'  # stored and usable; thumbnail and metadata still being made
    READY = 'ready'


@dataclass(frozen=True, slots=True)
class FileType:
    kind: MediaKind
    mime: str


# The one table of what a library accepts: extension -> kind and the MIME type we store and serve.
FILE_TYPES: dict[str, FileType] = {
    'mp4': FileType(MediaKind.VIDEO, 'video/mp4'),
    'mov': FileType(MediaKind.VIDEO, 'video/quicktime'),
    'mkv': FileType(MediaKind.VIDEO, 'video/x-matroska'),
    'webm': FileType(MediaKind.VIDEO, 'video/webm'),
    'avi': FileType(MediaKind.VIDEO, 'video/x-msvideo'),
    'jpg': FileType(MediaKind.IMAGE, 'image/jpeg'),
    'jpeg': FileType(MediaKind.IMAGE, 'image/jpeg'),
    'png': FileType(MediaKind.IMAGE, 'image/png'),
    'gif': FileType(MediaKind.IMAGE, 'image/gif'),
    'webp': FileType(MediaKind.IMAGE, 'image/webp'),
    'pdf': FileType(MediaKind.DOCUMENT, 'application/pdf'),
    'doc': FileType(MediaKind.DOCUMENT, 'application/msword'),
    'docx': FileType(MediaKind.DOCUMENT, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    'ppt': FileType(MediaKind.DOCUMENT, 'application/vnd.ms-powerpoint'),
    'pptx': FileType(MediaKind.DOCUMENT,
                     'application/vnd.openxmlformats-officedocument.presentationml.presentation'),
    'mp3': FileType(MediaKind.AUDIO, 'audio/mpeg'),
    'm4a': FileType(MediaKind.AUDIO, 'audio/mp4'),
    'wav': FileType(MediaKind.AUDIO, 'audio/wav'),
}

# What the detector may report for each kind. Containers blur the lines, so a few extensions accept more:
# an .m4a is an MP4 container that often carries a generic video brand, an Office file is a zip whose
# first entries the detector cannot always place, and .doc/.ppt share one compound-file signature.
_DETECTED_KINDS: dict[str, MediaKind] = {
    'video/mp4': MediaKind.VIDEO, 'video/quicktime': MediaKind.VIDEO, 'video/x-matroska': MediaKind.VIDEO,
    'video/webm': MediaKind.VIDEO, 'video/x-msvideo': MediaKind.VIDEO, 'video/x-m4v': MediaKind.VIDEO,
    'video/3gpp': MediaKind.VIDEO,
    'image/jpeg': MediaKind.IMAGE, 'image/png': MediaKind.IMAGE, 'image/gif': MediaKind.IMAGE,
    'image/webp': MediaKind.IMAGE,
    'application/pdf': MediaKind.DOCUMENT, 'application/msword': MediaKind.DOCUMENT,
    'application/vnd.ms-powerpoint': MediaKind.DOCUMENT,
    FILE_TYPES['docx'].mime: MediaKind.DOCUMENT, FILE_TYPES['pptx'].mime: MediaKind.DOCUMENT,
    'audio/mpeg': MediaKind.AUDIO, 'audio/mp4': MediaKind.AUDIO, 'audio/x-wav': MediaKind.AUDIO,
}
_ALSO_ACCEPTED: dict[str, frozenset[str]] = {
    'm4a': frozenset({'video/mp4'}),
    'docx': frozenset({'application/zip'}),
    'pptx': frozenset({'application/zip'}),
    'doc': frozenset({'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'}),
    'ppt': frozenset({'application/vnd.ms-excel', 'application/msword'}),
}

ACCEPTED_EXTENSIONS = tuple(f'.{extension}' for extension in FILE_TYPES)


@dataclass(kw_only=True, slots=True)
class MediaItem:
    owner_id: UUID
    display_name: str
    original_name: str
    kind: MediaKind
    mime_type: str
    size: int
    sha256: str
    storage_key: str
    status: MediaStatus = MediaStatus.PROCESSING
    status_detail: str = ''
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_key: str | None = None
    id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)


@dataclass(kw_only=True, slots=True)
class MediaFacts:
    """What processing learnt about a stored file. `note` explains what could not be read, if anything."""
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_jpeg: bytes | None = None
    note: str = ''


def clean_file_name(raw: str) -> str:
    """A display name keeps unicode but loses path parts, control characters and excess length.

    It is stored and shown as text (never as HTML), so `<img src=x>.png` stays exactly that, visibly.
    """
    name = unicodedata.normalize('NFC', raw).replace('\\', '/').rsplit('/', 1)[-1]
    name = ''.join(' ' if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != 'C')
    name = ' '.join(name.split()).strip(' .')
    if len(name) > MAX_NAME_LENGTH:
        _, dot, extension = name.rpartition('.')
        keep = MAX_NAME_LENGTH - len(extension) - 1 if dot and len(extension) <= 10 else MAX_NAME_LENGTH
        name = f'{name[:keep].rstrip()}.{extension}' if keep < MAX_NAME_LENGTH else name[:MAX_NAME_LENGTH]
    return name


def search_key(text: str) -> str:
    """What search and name sorting compare: case- and accent-insensitive, so 'ecole' finds 'École'."""
    decomposed = unicodedata.normalize('NFKD', text)
    return ''.join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def clean_display_name(raw: str) -> str:
    """A rename follows the upload rules for names, and an empty result is refused rather than guessed."""
    name = clean_file_name(raw)
    if not name:
        raise InvalidInput('The name cannot be empty.')
    return name


# Kinds a browser shows but never runs; anything else is offered as a download, whatever its name says.
INLINE_TYPES = ('video/', 'audio/', 'image/', 'application/pdf')


def content_disposition(filename: str, *, inline: bool) -> str:
    """How a stored file is handed to a browser, by the app or by a bucket: shown only when `inline` (and then
    only for INLINE_TYPES, the caller's check), with a plain ASCII name for old clients and the exact UTF-8 name
    (RFC 6266) for the rest; quotes, backslashes and semicolons never reach the header."""
    fallback = ''.join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else '_' for ch in filename)
    return f'{"inline" if inline else "attachment"}; filename="{fallback}"; filename*=UTF-8\'\'{quote(filename)}'


def file_type_for(name: str) -> FileType:
    """The extension decides the kind we expect; the bytes must then agree (see `check_content`)."""
    extension = extension_of(name)
    if extension not in FILE_TYPES:
        shown = f'.{extension}' if extension else 'without an extension'
        raise UnsupportedType(f'Files {shown} are not supported. Upload video (mp4, mov, mkv, webm, avi), '
                              'images (jpg, png, gif, webp), documents (pdf, doc, docx, ppt, pptx) '
                              'or audio (mp3, m4a, wav).')
    return FILE_TYPES[extension]


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition('.')
    return extension.lower() if dot and stem else ''


def check_content(name: str, head: bytes) -> None:
    """Refuse a file whose first bytes say it is something else than its extension claims (an HTML page or a
    program renamed to .mp4), so nothing a browser would run is ever stored under a harmless name."""
    extension = extension_of(name)
    expected = file_type_for(name)
    detected = filetype.guess_mime(head)
    if detected is None:
        raise UnsupportedType(f'This file does not look like a {expected.kind} file, although it is named '
                              f'.{extension}.')
    if _DETECTED_KINDS.get(detected) == expected.kind or detected in _ALSO_ACCEPTED.get(extension, frozenset()):
        return
    raise UnsupportedType(f'This file is named .{extension} but its content is {detected}.')


def check_size(size: int, *, limit: int) -> None:
    if size > limit:
        raise TooLarge(f'This file is larger than the {format_bytes(limit)} limit.')


def check_not_empty(size: int) -> None:
    if size == 0:
        raise EmptyFile('This file is empty.')


def format_bytes(size: int) -> str:
    """Sizes as upload limits are usually stated: 1024-based, so a 4 GiB limit reads "4.0 GB"."""
    if size < 1024:
        return f'{size} B'
    scaled = float(size)
    for unit in ('KB', 'MB', 'GB', 'TB'):
        scaled /= 1024
        if scaled < 1024 or unit == 'TB':
            break
    return f'{scaled:.1f} {unit}'
