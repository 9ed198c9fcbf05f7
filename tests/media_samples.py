"""Real, small media files for tests, made on the spot instead of checked in as binaries.

Every maker writes one file to the path it is given (the folder must exist) and returns that path, so a test
reads `make_mp4(tmp_path / 'clip.mp4')`. The files are real enough for PyAV, Pillow and `filetype` to treat them
as the genuine article, which is what upload and processing tests need:

    make_mp4        H.264 video in an MP4 (filetype: video/mp4), content moves so frames differ
    make_png        RGBA image with a transparent corner (image/png)
    make_jpeg_with_exif_rotation   stored landscape, EXIF Orientation=6, so it displays portrait (image/jpeg)
    make_wav        16-bit mono PCM tone (audio/x-wav)
    make_m4a        AAC audio in an MP4 container with the M4A brand (audio/mp4)
    make_mp3        MP3 audio with an ID3 header (audio/mpeg)
    make_pdf        minimal hand-written PDF with n pages (application/pdf)
    make_corrupt_mp4  a genuine ftyp box then garbage: accepted as video/mp4 by type sniffing, undecodable
    make_damaged_mp4  a real clip with its picture data overwritten: duration and size readable, no frame
    make_random_bytes  incompressible bytes of any size, streamed to disk in 1 MiB chunks
"""
import math
import random
import struct
import wave
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

MiB = 1024 * 1024
VIDEO_ENCODER = 'libx264'  # the PyAV wheels ship libx264; also 'aac' and 'libmp3lame' for the audio makers
SAMPLE_RATE = 44_100


def make_mp4(path: Path, *, seconds: float = 2.0, width: int = 320, height: int = 240, fps: int = 25,
             rotation: int = 0) -> Path:
    """An H.264 clip with a square sliding across a gradient, one keyframe per second.

    `rotation` (degrees counter-clockwise, a multiple of 90) is stored as the display matrix a phone writes
    for portrait footage: the pixels stay `width` x `height`, players show them turned.
    """
    frame_count = max(1, round(seconds * fps))
    with av.open(str(path), mode='w', format='mp4') as container:
        stream = container.add_stream(VIDEO_ENCODER, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        stream.options = {'preset': 'ultrafast', 'g': str(fps), 'keyint_min': str(fps)}
        if rotation:
            stream.set_display_rotation(rotation)
        for index in range(frame_count):
            frame = av.VideoFrame.from_image(_moving_picture(width, height, index, frame_count))
            frame.pts, frame.time_base = index, Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def make_png(path: Path, *, width: int = 64, height: int = 48) -> Path:
    """RGBA with a fully transparent top-left quarter, so a thumbnail must flatten the alpha somehow."""
    image = Image.new('RGBA', (width, height), (200, 30, 30, 255))
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=(0, 0, 0, 0))
    image.save(path, format='PNG')
    return path


def make_jpeg_with_exif_rotation(path: Path, *, width: int = 80, height: int = 40) -> Path:
    """Stored `width` x `height` with EXIF Orientation=6 (turn 90° clockwise to view): it displays as
    `height` x `width`. The left half is black and the right half white, so the turn is visible: viewed
    upright, the top is black and the bottom white."""
    image = Image.new('RGB', (width, height), (255, 255, 255))
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height - 1), fill=(0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    image.save(path, format='JPEG', quality=90, exif=exif)
    return path


def make_wav(path: Path, *, seconds: float = 1.0) -> Path:
    """A 440 Hz tone, written with the standard library only."""
    samples = round(seconds * SAMPLE_RATE)
    with wave.open(str(path), 'wb') as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(b''.join(struct.pack('<h', _tone(index)) for index in range(samples)))
    return path


def make_m4a(path: Path, *, seconds: float = 1.0) -> Path:
    """AAC in an MP4 container, the way phones and iTunes store audio."""
    return _encode_audio(path, container_format='ipod', codec='aac', seconds=seconds)


def make_mp3(path: Path, *, seconds: float = 1.0) -> Path:
    return _encode_audio(path, container_format='mp3', codec='libmp3lame', seconds=seconds)


def make_pdf(path: Path, *, pages: int = 2) -> Path:
    """A minimal valid PDF (catalog, page tree, one text page per page) with a correct cross-reference table."""
    kids = ' '.join(f'{3 + 2 * index} 0 R' for index in range(pages))
    objects = [b'<< /Type /Catalog /Pages 2 0 R >>',
               f'<< /Type /Pages /Kids [{kids}] /Count {pages} >>'.encode()]
    font_ref = 3 + 2 * pages
    for index in range(pages):
        content = f'BT /F1 24 Tf 72 720 Td (Page {index + 1}) Tj ET'.encode()
        objects.append(f'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * index} 0 R '
                       f'/Resources << /Font << /F1 {font_ref} 0 R >> >> >>'.encode())
        objects.append(b'<< /Length %d >>\nstream\n%s\nendstream' % (len(content), content))
    objects.append(b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>')
    body = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b'%d 0 obj\n%s\nendobj\n' % (number, content)
    xref_at = len(body)
    body += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    body += b''.join(b'%010d 00000 n \n' % offset for offset in offsets)
    body += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objects) + 1, xref_at)
    path.write_bytes(bytes(body))
    return path


def make_corrupt_mp4(path: Path) -> Path:
    """An ftyp box exactly as a real MP4 starts (brand isom), then 64 KiB of noise where the boxes should be."""
    brands = b'isom' + struct.pack('>I', 512) + b'isomiso2avc1mp41'
    ftyp = struct.pack('>I', 8 + len(brands)) + b'ftyp' + brands
    path.write_bytes(ftyp + random.Random(6).randbytes(64 * 1024))
    return path


def make_damaged_mp4(path: Path, *, seconds: float = 2.0, width: int = 320, height: int = 240) -> Path:
    """A real clip whose picture data is overwritten with noise: the header and index still give duration and
    size, but no frame decodes."""
    data = bytearray(make_mp4(path, seconds=seconds, width=width, height=height).read_bytes())
    start, end = _box_payload(data, b'mdat')
    data[start:end] = random.Random(7).randbytes(end - start)
    path.write_bytes(bytes(data))
    return path


def make_random_bytes(path: Path, size: int) -> Path:
    """`size` bytes of noise, never more than 1 MiB of it in memory, for size limits and streaming tests."""
    generator = random.Random(size)
    with path.open('wb') as file:
        remaining = size
        while remaining > 0:
            chunk = min(MiB, remaining)
            file.write(generator.randbytes(chunk))
            remaining -= chunk
    return path


def _box_payload(data: bytes | bytearray, box_type: bytes) -> tuple[int, int]:
    """Where the payload of a top-level MP4 box lies (32-bit sizes only, which is all small clips use)."""
    offset = 0
    while offset + 8 <= len(data):
        size, found = struct.unpack_from('>I4s', data, offset)
        if found == box_type:
            return offset + 8, offset + size
        if size < 8:
            break
        offset += size
    raise ValueError(f'no {box_type!r} box')


def _moving_picture(width: int, height: int, index: int, frame_count: int) -> Image.Image:
    image = Image.linear_gradient('L').resize((width, height)).convert('RGB')
    side = max(4, min(width, height) // 4)
    left = (width - side) * index // max(1, frame_count - 1)
    ImageDraw.Draw(image).rectangle((left, (height - side) // 2, left + side - 1, (height + side) // 2 - 1),
                                    fill=(230, 40, 40))
    return image


def _tone(index: int) -> int:
    return round(12_000 * math.sin(2 * math.pi * 440 * index / SAMPLE_RATE))


def _encode_audio(path: Path, *, container_format: str, codec: str, seconds: float) -> Path:
    """Encode a tone in encoder-sized frames; PyAV's resampler-free path needs the encoder's own sample format."""
    with av.open(str(path), mode='w', format=container_format) as container:
        stream = container.add_stream(codec, rate=SAMPLE_RATE, layout='mono')
        frame_size = stream.codec_context.frame_size or 1152
        sample_format = stream.codec_context.format.name
        total = round(seconds * SAMPLE_RATE)
        for start in range(0, total, frame_size):
            count = min(frame_size, total - start)
            frame = av.AudioFrame(format=sample_format, layout='mono', samples=count)
            frame.sample_rate, frame.pts = SAMPLE_RATE, start
            frame.planes[0].update(_pcm(start, count, sample_format))
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _pcm(start: int, count: int, sample_format: str) -> bytes:
    """One mono plane of the tone in the encoder's sample format (float planar for aac, s16/s32/float for lame)."""
    values = [_tone(index) / 32768 for index in range(start, start + count)]
    if sample_format.startswith('flt'):
        return struct.pack(f'<{count}f', *values)
    if sample_format.startswith('s32'):
        return struct.pack(f'<{count}i', *(round(value * 2**31 - 1) for value in values))
    return struct.pack(f'<{count}h', *(round(value * 32767) for value in values))
