"""What may enter a library: names, kinds, content that matches its extension, sizes."""
import pytest

from domain import media
from domain.errors import EmptyFile, TooLarge, UnsupportedType
from domain.media import MediaKind

PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 100
MP4 = b'\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2' + b'\x00' * 100
PDF = b'%PDF-1.4\n' + b'\x00' * 100
HTML = b'<!doctype html><html><script>alert(1)</script></html>'
ELF = b'\x7fELF\x02\x01\x01' + b'\x00' * 100


@pytest.mark.parametrize(('raw', 'clean'), [
    ('../../etc/passwd.png', 'passwd.png'),
    ('C:\\Users\\ada\\Desktop\\lecture 1.mp4', 'lecture 1.mp4'),
    ('Vorlesung über Öl – 第一章.mp4', 'Vorlesung über Öl – 第一章.mp4'),
    ('bad\x00name\x1b[31m.png', 'badname[31m.png'),
    ('  spaced \t  out .pdf ', 'spaced out .pdf'),
    ('<img src=x onerror=alert(1)>.png', '<img src=x onerror=alert(1)>.png'),
    ('e\u0301cole.pdf', 'école.pdf'),
])
def test_names_lose_paths_and_control_characters_but_keep_unicode(raw: str, clean: str) -> None:
    assert media.clean_file_name(raw) == clean


def test_long_names_are_capped_and_keep_their_extension() -> None:
    name = media.clean_file_name('x' * 500 + '.mp4')
    assert len(name) == media.MAX_NAME_LENGTH
    assert name.endswith('.mp4')


@pytest.mark.parametrize(('name', 'kind'), [
    ('a.MP4', MediaKind.VIDEO), ('a.webm', MediaKind.VIDEO), ('a.jpeg', MediaKind.IMAGE),
    ('a.pptx', MediaKind.DOCUMENT), ('a.m4a', MediaKind.AUDIO)])
def test_the_extension_decides_the_expected_kind(name: str, kind: MediaKind) -> None:
    assert media.file_type_for(name).kind == kind


@pytest.mark.parametrize('name', ['setup.exe', 'page.html', 'noextension', '.mp4', 'archive.zip'])
def test_other_extensions_are_refused_with_the_list_of_what_works(name: str) -> None:
    with pytest.raises(UnsupportedType, match='Upload video'):
        media.file_type_for(name)


@pytest.mark.parametrize(('name', 'head'), [('a.png', PNG), ('a.mp4', MP4), ('a.pdf', PDF), ('a.m4a', MP4)])
def test_content_that_matches_its_extension_passes(name: str, head: bytes) -> None:
    media.check_content(name, head)


@pytest.mark.parametrize(('name', 'head'), [
    ('lecture.mp4', HTML), ('lecture.mp4', ELF), ('photo.png', MP4), ('slides.pdf', PNG), ('talk.mp3', b'')])
def test_content_behind_a_false_extension_is_refused(name: str, head: bytes) -> None:
    with pytest.raises(UnsupportedType):
        media.check_content(name, head)


def test_sizes_have_a_limit_and_a_floor() -> None:
    media.check_size(100, limit=100)
    with pytest.raises(TooLarge, match='100 B limit'):
        media.check_size(101, limit=100)
    with pytest.raises(EmptyFile):
        media.check_not_empty(0)


@pytest.mark.parametrize(('size', 'text'), [(0, '0 B'), (1023, '1023 B'), (1536, '1.5 KB'), (4 * 1024 ** 3, '4.0 GB')])
def test_sizes_read_like_upload_limits(size: int, text: str) -> None:
    assert media.format_bytes(size) == text
