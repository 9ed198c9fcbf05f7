"""MediaProbe on real files from tests/media_samples.py: what it reads, the thumbnails it makes, and how it answers
for files it cannot read (a short note and whatever it did learn, never an exception).

The samples' own promises that the upload tests rely on (the MIME type sniffing reports) are checked here too.
"""
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import filetype
import pytest
from PIL import Image, ImageDraw

from domain import media
from domain.media import MediaFacts, MediaKind
from storage import media_probe
from storage.media_probe import MediaProbe, count_pdf_pages, poster_seconds
from tests import media_samples as samples

probe = MediaProbe()
Maker = Callable[[Path], Path]  # writes a sample to the path given and returns it


def thumbnail_of(facts: MediaFacts) -> Image.Image:
    assert facts.thumbnail_jpeg, facts.note
    picture = Image.open(io.BytesIO(facts.thumbnail_jpeg))
    assert picture.format == 'JPEG'
    assert picture.mode == 'RGB'
    picture.load()
    return picture


def is_red(pixel: tuple[int, int, int]) -> bool:
    red, green, blue = pixel
    return red > 150 and green < 110 and blue < 110


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(have - want) <= tolerance for have, want in zip(pixel, colour, strict=True))


def truncated(path: Path, keep: float) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    return path


# --- video -----------------------------------------------------------------------------------------------------------

def test_video_gives_duration_size_and_a_thumbnail(tmp_path: Path) -> None:
    facts = probe.probe(samples.make_mp4(tmp_path / 'clip.mp4', seconds=2.0), MediaKind.VIDEO)

    assert facts.duration_seconds == pytest.approx(2.0, abs=0.05)
    assert (facts.width, facts.height) == (320, 240)
    assert thumbnail_of(facts).size == (320, 240)  # small enough already: never enlarged
    assert facts.note == ''


def test_a_large_video_gets_a_thumbnail_480_wide_in_its_own_shape(tmp_path: Path) -> None:
    facts = probe.probe(samples.make_mp4(tmp_path / 'wide.mp4', seconds=0.4, width=640, height=360),
                        MediaKind.VIDEO)

    assert (facts.width, facts.height) == (640, 360)
    assert thumbnail_of(facts).size == (480, 270)


def test_the_poster_frame_comes_from_a_little_way_in_not_the_first_frame(tmp_path: Path) -> None:
    # The red square slides from x=0 (first frame) to the right edge (last); at 10 % of 2 s it is near x=26.
    picture = thumbnail_of(probe.probe(samples.make_mp4(tmp_path / 'clip.mp4', seconds=2.0), MediaKind.VIDEO))

    red_columns = [x for x in range(picture.width) if is_red(picture.getpixel((x, picture.height // 2)))]
    assert red_columns
    assert 15 <= red_columns[0] <= 40


@pytest.mark.parametrize(('duration', 'expected'), [(2.0, 0.2), (30.0, 3.0), (3600.0, 5.0), (None, 0.0), (0.0, 0.0)])
def test_the_poster_is_taken_at_a_tenth_of_the_video_but_at_most_five_seconds_in(
        duration: float | None, expected: float) -> None:
    assert poster_seconds(duration) == pytest.approx(expected)


def test_a_video_recorded_turned_reports_and_shows_it_the_way_players_do(tmp_path: Path) -> None:
    # Stored 320x240 with a display rotation of 90° counter-clockwise: shown 240x320, the frame's left edge
    # (where the red square is early on) at the bottom.
    facts = probe.probe(samples.make_mp4(tmp_path / 'portrait.mp4', rotation=90), MediaKind.VIDEO)

    assert (facts.width, facts.height) == (240, 320)
    picture = thumbnail_of(facts)
    assert picture.size == (240, 320)
    assert is_red(picture.getpixel((120, 260)))
    assert not is_red(picture.getpixel((120, 60)))


def test_a_video_whose_frames_are_damaged_keeps_what_its_header_says(tmp_path: Path) -> None:
    facts = probe.probe(samples.make_damaged_mp4(tmp_path / 'damaged.mp4'), MediaKind.VIDEO)

    assert facts.duration_seconds == pytest.approx(2.0, abs=0.05)
    assert (facts.width, facts.height) == (320, 240)
    assert facts.thumbnail_jpeg is None
    assert facts.note.startswith('Could not read this video: ')


@pytest.mark.parametrize('make', [
    samples.make_corrupt_mp4,
    lambda path: samples.make_random_bytes(path, 200_000),
    lambda path: truncated(samples.make_mp4(path), 0.5),  # the index (moov) sits at the end and is cut off
], ids=['ftyp-then-garbage', 'noise', 'truncated'])
def test_an_unreadable_video_gives_a_note_instead_of_an_exception(tmp_path: Path, make: Maker) -> None:
    facts = probe.probe(make(tmp_path / 'broken.mp4'), MediaKind.VIDEO)

    assert facts.note.startswith('Could not read this video: ')
    assert facts.thumbnail_jpeg is None
    assert facts.duration_seconds is None
    assert str(tmp_path) not in facts.note


def test_a_missing_file_gives_a_note_without_the_server_path(tmp_path: Path) -> None:
    facts = probe.probe(tmp_path / 'gone.mp4', MediaKind.VIDEO)

    assert facts.note == 'Could not read this video: No such file or directory'


@pytest.mark.parametrize('reason', [
    'Input/output error ' + 'x' * 400,
    'weird container in {path}\nTraceback (most recent call last):\n  File "x.py", line 1',
], ids=['long', 'path-and-lines'])
def test_notes_are_one_short_line_without_the_server_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           reason: str) -> None:
    path = samples.make_wav(tmp_path / 'sound.wav')

    def refuse(*_args: object, **_kwargs: object) -> NoReturn:
        raise ValueError(reason.format(path=path))
    monkeypatch.setattr(media_probe.av, 'open', refuse)

    note = probe.probe(path, MediaKind.AUDIO).note
    assert note.startswith('Could not read this audio file: ')
    assert len(note) <= media_probe.NOTE_LIMIT
    assert '\n' not in note
    assert str(path) not in note


@pytest.mark.skipif(not Path('/proc/self/fd').is_dir(), reason='counts open files through /proc')
def test_every_container_is_closed_whatever_happens(tmp_path: Path) -> None:
    files = [(samples.make_mp4(tmp_path / 'ok.mp4', seconds=0.4), MediaKind.VIDEO),
             (samples.make_damaged_mp4(tmp_path / 'damaged.mp4', seconds=0.4), MediaKind.VIDEO),
             (samples.make_corrupt_mp4(tmp_path / 'corrupt.mp4'), MediaKind.VIDEO),
             (samples.make_wav(tmp_path / 'ok.wav'), MediaKind.AUDIO),
             (truncated(samples.make_png(tmp_path / 'cut.png'), 0.6), MediaKind.IMAGE),
             (samples.make_pdf(tmp_path / 'doc.pdf'), MediaKind.DOCUMENT)]
    probe.probe(*files[0])  # libraries may open something once, on first use
    before = len(os.listdir('/proc/self/fd'))

    for _ in range(3):
        for path, kind in files:
            probe.probe(path, kind)

    assert len(os.listdir('/proc/self/fd')) == before


# --- images ----------------------------------------------------------------------------------------------------------

def test_png_with_alpha_gets_an_rgb_thumbnail_on_white(tmp_path: Path) -> None:
    facts = probe.probe(samples.make_png(tmp_path / 'logo.png'), MediaKind.IMAGE)

    assert (facts.width, facts.height) == (64, 48)
    assert facts.duration_seconds is None
    picture = thumbnail_of(facts)
    assert picture.size == (64, 48)
    assert near(picture.getpixel((5, 5)), (255, 255, 255))  # the transparent corner
    assert near(picture.getpixel((58, 42)), (200, 30, 30))
    assert facts.note == ''


def test_exif_rotated_jpeg_reports_and_shows_the_upright_picture(tmp_path: Path) -> None:
    facts = probe.probe(samples.make_jpeg_with_exif_rotation(tmp_path / 'phone.jpg', width=80, height=40),
                        MediaKind.IMAGE)

    assert (facts.width, facts.height) == (40, 80)
    picture = thumbnail_of(facts)
    assert picture.size == (40, 80)
    assert near(picture.getpixel((20, 5)), (0, 0, 0))  # upright, the stored left (black) half is on top
    assert near(picture.getpixel((20, 75)), (255, 255, 255))


@pytest.mark.parametrize(('make', 'size', 'thumbnail'), [
    (lambda path: samples.make_png(path, width=1200, height=600), (1200, 600), (480, 240)),
    (lambda path: samples.make_jpeg_with_exif_rotation(path, width=2000, height=1000), (1000, 2000), (240, 480)),
], ids=['png', 'rotated-jpeg'])
def test_a_large_image_keeps_its_size_and_gets_a_thumbnail_at_most_480(
        tmp_path: Path, make: Maker, size: tuple[int, int], thumbnail: tuple[int, int]) -> None:
    facts = probe.probe(make(tmp_path / 'big'), MediaKind.IMAGE)

    assert (facts.width, facts.height) == size
    assert thumbnail_of(facts).size == thumbnail


def test_a_gif_with_a_transparent_palette_colour_gets_white_there(tmp_path: Path) -> None:
    path = tmp_path / 'anim.gif'
    picture = Image.new('RGBA', (30, 20), (0, 0, 255, 255))
    ImageDraw.Draw(picture).rectangle((0, 0, 9, 9), fill=(0, 0, 0, 0))
    picture.save(path, format='GIF')

    thumbnail = thumbnail_of(probe.probe(path, MediaKind.IMAGE))
    assert near(thumbnail.getpixel((3, 3)), (255, 255, 255))
    assert near(thumbnail.getpixel((25, 15)), (0, 0, 255))


def test_a_truncated_png_keeps_its_size_and_gets_a_note(tmp_path: Path) -> None:
    facts = probe.probe(truncated(samples.make_png(tmp_path / 'cut.png'), 0.6), MediaKind.IMAGE)

    assert (facts.width, facts.height) == (64, 48)  # the header survived
    assert facts.thumbnail_jpeg is None
    assert facts.note.startswith('Could not read this image: ')


def test_a_decompression_bomb_is_reported_not_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = samples.make_png(tmp_path / 'bomb.png')  # 3072 pixels: more than twice the lowered limit
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 1000)

    facts = probe.probe(path, MediaKind.IMAGE)

    assert facts.note == 'This image has too many pixels to preview safely.'
    assert facts.thumbnail_jpeg is None


@pytest.mark.parametrize(('name', 'save'), [
    ('doc.pdf', lambda path: samples.make_pdf(path)),
    ('picture.bmp', lambda path: Image.new('RGB', (8, 8)).save(path, format='BMP')),  # Pillow could, we don't
])
def test_only_the_accepted_image_formats_are_opened(tmp_path: Path, name: str, save: Callable[[Path], object]) -> None:
    path = tmp_path / name
    save(path)

    facts = probe.probe(path, MediaKind.IMAGE)

    assert facts == MediaFacts(note='Could not read this image: its format is not one we can open')


# --- audio -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(('make', 'name', 'tolerance'), [
    (samples.make_wav, 'tone.wav', 0.01),
    (samples.make_m4a, 'tone.m4a', 0.1),  # AAC adds encoder priming
    (samples.make_mp3, 'tone.mp3', 0.1),
])
def test_audio_gives_its_duration_and_nothing_else(tmp_path: Path, make: Callable[..., Path], name: str,
                                                   tolerance: float) -> None:
    facts = probe.probe(make(tmp_path / name, seconds=1.5), MediaKind.AUDIO)

    assert facts.duration_seconds == pytest.approx(1.5, abs=tolerance)
    assert (facts.width, facts.height, facts.thumbnail_jpeg, facts.note) == (None, None, None, '')


def test_unreadable_audio_gives_a_note(tmp_path: Path) -> None:
    facts = probe.probe(samples.make_random_bytes(tmp_path / 'noise.mp3', 50_000), MediaKind.AUDIO)

    assert facts.note.startswith('Could not read this audio file: ')
    assert facts.duration_seconds is None


# --- documents -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(('pages', 'note'), [(1, '1 page'), (3, '3 pages'), (12, '12 pages')])
def test_a_pdf_gets_its_page_count_and_no_thumbnail(tmp_path: Path, pages: int, note: str) -> None:
    facts = probe.probe(samples.make_pdf(tmp_path / 'slides.pdf', pages=pages), MediaKind.DOCUMENT)

    assert facts == MediaFacts(note=note)


@pytest.mark.parametrize('chunk', [1, 5, 17, 31, 32, 33, 100])
def test_pdf_pages_are_counted_the_same_whatever_the_chunk_boundaries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    path = samples.make_pdf(tmp_path / 'slides.pdf', pages=7)
    monkeypatch.setattr(media_probe, 'SCAN_CHUNK', chunk)

    assert probe.probe(path, MediaKind.DOCUMENT).note == '7 pages'


def test_the_page_tree_and_lookalike_names_are_not_pages() -> None:
    assert count_pdf_pages([b'<< /Type /Pages /Count 2 >> << /Type/PageLabel >> << /Type /Page', b'>>']) == 1
    assert count_pdf_pages([b'/Type /Page', b's']) == 0
    assert count_pdf_pages([]) == 0


@pytest.mark.parametrize(('name', 'content'), [
    ('compressed.pdf', b'%PDF-1.7\n' + bytes(range(256)) * 10),  # pages hidden in object streams: no guess
    ('notes.docx', b'PK\x03\x04' + bytes(1000)),
    ('empty.pdf', b''),
])
def test_other_documents_give_empty_facts(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    assert probe.probe(path, MediaKind.DOCUMENT) == MediaFacts()


# --- the samples themselves ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(('make', 'name', 'mime'), [
    (samples.make_mp4, 'clip.mp4', 'video/mp4'),
    (samples.make_corrupt_mp4, 'corrupt.mp4', 'video/mp4'),
    (samples.make_damaged_mp4, 'damaged.mp4', 'video/mp4'),
    (samples.make_png, 'logo.png', 'image/png'),
    (samples.make_jpeg_with_exif_rotation, 'phone.jpg', 'image/jpeg'),
    (samples.make_wav, 'tone.wav', 'audio/x-wav'),
    (samples.make_m4a, 'tone.m4a', 'audio/mp4'),
    (samples.make_mp3, 'tone.mp3', 'audio/mpeg'),
    (samples.make_pdf, 'slides.pdf', 'application/pdf'),
])
def test_samples_are_sniffed_as_what_their_name_says(tmp_path: Path, make: Maker, name: str, mime: str) -> None:
    head = make(tmp_path / name).read_bytes()[:media.SNIFF_BYTES]

    assert filetype.guess_mime(head) == mime
    media.check_content(name, head)  # and the upload rules accept them under that name


def test_random_bytes_have_the_exact_size_asked_for(tmp_path: Path) -> None:
    size = 3 * samples.MiB + 5
    path = samples.make_random_bytes(tmp_path / 'noise.bin', size)

    assert path.stat().st_size == size
    assert filetype.guess_mime(path.read_bytes()[:media.SNIFF_BYTES]) is None
