"""Duration, dimensions and a preview picture for a stored file, read with PyAV (video, audio) and Pillow (images).

This runs in a worker thread on whatever somebody uploaded, so it trusts nothing: containers are opened with time
limits and always closed, pictures are scaled down while they are decoded where the format allows, files are read
in bounded pieces, and a file that cannot be read yields what was learnt plus a short note, never an exception.
"""
import contextlib
import io
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import av
from av.container import InputContainer
from av.stream import Stream
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from domain.media import MediaFacts, MediaKind

THUMBNAIL_SIDE = 480
JPEG_QUALITY = 80
TIMEOUT_SECONDS = 10.0  # for opening a container, and again for each read from it
POSTER_FRACTION = 0.1  # far enough in to skip a black fade-in or a title card ...
POSTER_LATEST_SECONDS = 5.0  # ... but never so far that a long film costs a long seek
POSTER_MAX_PACKETS = 600  # decoding forward from a keyframe: bounded even for a long GOP or a damaged file
NOTE_LIMIT = 200
SCAN_CHUNK = 1024 * 1024

# Pillow can read dozens of formats, some through external programs (EPS runs Ghostscript). Only what a library
# accepts is opened, whatever the bytes claim. (The JPEG opener also takes the MPO variant many cameras write.)
IMAGE_FORMATS = ('JPEG', 'PNG', 'GIF', 'WEBP')

_PDF_PAGE = re.compile(rb'/Type\s{0,8}/Page(?![A-Za-z])')  # a page object, not the /Pages tree above them
_PDF_OVERLAP = 32  # longer than any match plus the byte its look-ahead needs, so no match is split between chunks
_SIDEWAYS = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the picture a quarter
_QUARTER_TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}
_NAMES = {MediaKind.VIDEO: 'video', MediaKind.IMAGE: 'image', MediaKind.AUDIO: 'audio file',
          MediaKind.DOCUMENT: 'document'}


class MediaProbe:
    """The `MediaProcessor` for a local file. Stateless apart from its settings, so one instance serves all threads."""

    def __init__(self, *, thumbnail_side: int = THUMBNAIL_SIDE, jpeg_quality: int = JPEG_QUALITY,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self.thumbnail_side = thumbnail_side
        self.jpeg_quality = jpeg_quality
        self.timeout_seconds = timeout_seconds

    def probe(self, path: Path, kind: MediaKind) -> MediaFacts:
        """Each reader fills in `facts` as it learns, so a file that breaks halfway still keeps what was read."""
        readers: dict[MediaKind, Callable[[Path, MediaFacts], None]] = {
            MediaKind.VIDEO: self._read_video, MediaKind.IMAGE: self._read_image,
            MediaKind.AUDIO: self._read_audio, MediaKind.DOCUMENT: _read_document,
        }
        facts = MediaFacts()
        try:
            readers[kind](path, facts)
        except Image.DecompressionBombError:
            facts.note = 'This image has too many pixels to preview safely.'
        except Exception as error:  # a damaged upload is expected input, and the item stays usable without facts
            facts.note = _note(f'Could not read this {_NAMES[kind]}', error, path)
        return facts

    def _read_video(self, path: Path, facts: MediaFacts) -> None:
        with self._open(path) as container:
            stream = container.streams.video[0] if container.streams.video else None
            facts.duration_seconds = _duration(container, stream)
            if stream is None:
                facts.note = 'This video has no picture track.'
                return
            facts.width, facts.height = _shown_size(stream, stream.codec_context.width, stream.codec_context.height)
            frame = _poster_frame(container, stream, facts.duration_seconds)
            if frame is None:
                facts.note = 'This video has no picture to preview.'
                return
            size = _shown_size(stream, frame.width, frame.height)
            turns = round((frame.rotation or 0) / 90) % 4  # phones store portrait footage turned, plus a rotation
            facts.width, facts.height = (size[1], size[0]) if turns % 2 else size
            facts.thumbnail_jpeg = self._frame_jpeg(frame, size, turns)

    def _read_audio(self, path: Path, facts: MediaFacts) -> None:
        with self._open(path) as container:
            stream = container.streams.audio[0] if container.streams.audio else None
            facts.duration_seconds = _duration(container, stream)

    def _read_image(self, path: Path, facts: MediaFacts) -> None:
        with Image.open(path, formats=IMAGE_FORMATS) as image:
            facts.width, facts.height = image.size  # from the header: known even if the pixels are damaged
            if _is_sideways(image):  # JPEG carries EXIF in its header; a PNG may have to decode to find it
                facts.width, facts.height = facts.height, facts.width
            image.draft('RGB', (self.thumbnail_side, self.thumbnail_side))  # JPEG decodes at 1/2..1/8 scale
            picture = _on_white(ImageOps.exif_transpose(image))
            picture.thumbnail((self.thumbnail_side, self.thumbnail_side), Image.Resampling.LANCZOS)
            facts.thumbnail_jpeg = self._jpeg(picture)

    def _open(self, path: Path) -> InputContainer:
        """Time limits guard against a file (or a network mount under it) that stalls; odd metadata must not fail."""
        return av.open(str(path), metadata_errors='replace', timeout=(self.timeout_seconds, self.timeout_seconds))

    def _frame_jpeg(self, frame: VideoFrame, size: tuple[int | None, int | None], turns: int) -> bytes:
        """Scale in FFmpeg's scaler (cheap, and it fixes non-square pixels) before Pillow sees a single pixel."""
        width, height = _fit(size, self.thumbnail_side)
        picture = frame.to_image(width=width, height=height, interpolation='AREA')
        if turns:
            picture = picture.transpose(_QUARTER_TURNS[turns])
        return self._jpeg(picture)

    def _jpeg(self, picture: Image.Image) -> bytes:
        buffer = io.BytesIO()
        picture.save(buffer, format='JPEG', quality=self.jpeg_quality, optimize=True)
        return buffer.getvalue()


def _read_document(path: Path, facts: MediaFacts) -> None:
    """Only a PDF's page count is cheap to know; Office files would need a parser for one number."""
    pages = _pdf_page_count(path)
    if pages:
        facts.note = f'{pages} page' if pages == 1 else f'{pages} pages'


def _pdf_page_count(path: Path) -> int | None:
    """Page objects counted in the raw bytes. Exact for plain PDFs; pages packed in compressed object streams
    (common since PDF 1.5) are invisible, giving None, and a PDF edited in place may count replaced pages too."""
    with path.open('rb') as file:
        if b'%PDF-' not in file.read(1024):
            return None
        file.seek(0)
        return count_pdf_pages(iter(lambda: file.read(SCAN_CHUNK), b'')) or None


def count_pdf_pages(chunks: Iterable[bytes]) -> int:
    """A match is counted in the chunk where it starts, once it is certain not to continue into the next one."""
    count, carry = 0, b''
    for chunk in chunks:
        buffer = carry + chunk
        settled = len(buffer) - _PDF_OVERLAP
        count += sum(1 for match in _PDF_PAGE.finditer(buffer) if match.start() < settled)
        carry = buffer[max(settled, 0):]
    return count + sum(1 for _ in _PDF_PAGE.finditer(carry))


def _duration(container: InputContainer, stream: Stream | None) -> float | None:
    """The stream's own length where the container records it (MP4), the container's estimate otherwise (WebM)."""
    if stream is not None and stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / av.time_base
    else:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _shown_size(stream: VideoStream, width: int, height: int) -> tuple[int | None, int | None]:
    """Stored pixels stretched by the sample aspect ratio, as players show them (anamorphic DVD rips, old DV)."""
    ratio = stream.sample_aspect_ratio
    if ratio and ratio > 0 and ratio != 1:
        width = round(width * ratio)
    return width or None, height or None


def _poster_frame(container: InputContainer, stream: VideoStream, duration: float | None) -> VideoFrame | None:
    """A frame a little way in is more telling than the first, which is often black; any frame beats none."""
    target = poster_seconds(duration)
    if target > 0 and stream.time_base:
        with contextlib.suppress(av.FFmpegError):  # no usable index, or damage after the seek point
            frame = _decode_from(container, stream, _start_seconds(stream) + target)
            if frame is not None:
                return frame
    with contextlib.suppress(av.FFmpegError):  # some streams refuse to seek; reading on from here still helps
        container.seek(0)
    return _decode_from(container, stream, None)


def poster_seconds(duration: float | None) -> float:
    """Where the poster frame is taken, counted from the start of the video."""
    return min(duration * POSTER_FRACTION, POSTER_LATEST_SECONDS) if duration else 0.0


def _decode_from(container: InputContainer, stream: VideoStream, at_seconds: float | None) -> VideoFrame | None:
    """Seek to the keyframe before `at_seconds`, then decode forward to it: seeking alone lands only on keyframes.
    Without a time, the first frame that decodes. The packet limit bounds the work on a broken or odd file."""
    if at_seconds is not None:
        container.seek(int(at_seconds / stream.time_base), stream=stream)
    latest = None
    for count, packet in enumerate(container.demux(stream), start=1):
        for frame in packet.decode():
            latest = frame
            if at_seconds is None or frame.time is None or frame.time >= at_seconds:
                return frame
        if count >= POSTER_MAX_PACKETS:
            break
    return latest


def _start_seconds(stream: VideoStream) -> float:
    """Timestamps need not start at zero (MPEG-TS, cut recordings), and a seek works in timestamps."""
    if stream.start_time is None or not stream.time_base:
        return 0.0
    return float(stream.start_time * stream.time_base)


def _fit(size: tuple[int | None, int | None], side: int) -> tuple[int, int]:
    """Within `side` x `side`, keeping the shape; never enlarged, since a thumbnail gains nothing from upscaling."""
    width, height = size[0] or side, size[1] or side
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _is_sideways(image: Image.Image) -> bool:
    return image.getexif().get(ExifTags.Base.Orientation, 1) in _SIDEWAYS


def _on_white(picture: Image.Image) -> Image.Image:
    """JPEG has no transparency: transparent parts become white, as they look on the library's light pages.
    Done before scaling, so palette images (GIF) are resized smoothly in RGB instead of by nearest neighbour."""
    if picture.has_transparency_data:
        rgba = picture.convert('RGBA')
        flat = Image.new('RGB', rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel('A'))
        return flat
    return picture if picture.mode == 'RGB' else picture.convert('RGB')


def _note(lead: str, error: BaseException, path: Path) -> str:
    """One short line for the library view: the library's reason, never a traceback or the server's file path."""
    if isinstance(error, UnidentifiedImageError):
        reason = 'its format is not one we can open'
    else:
        reason = getattr(error, 'strerror', None) or str(error) or type(error).__name__
    reason = ' '.join(reason.replace(str(path), 'the file').split())
    note = f'{lead}: {reason}'
    return note if len(note) <= NOTE_LIMIT else f'{note[:NOTE_LIMIT - 1].rstrip()}…'
