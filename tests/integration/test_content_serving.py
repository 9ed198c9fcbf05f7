"""Serving stored files over HTTP as browsers and players expect: byte ranges for seeking, validators for caching,
headers that keep a file from being run or misnamed, and nothing at all for anyone but the owner.

Everything goes through the real app in-process (NiceGUI's `user` fixture) with real files on disk.
"""
import asyncio
import io
import random
import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import collapse_rfc2231_value, format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from tests.conftest import PASSWORD
from tests.media_samples import make_mp4, make_pdf, make_png

UPLOAD = '/api/media/upload'
PADDING = 2_500_000  # random bytes in an MP4 'free' box: players skip it, byte checks cannot pass by luck


@dataclass
class Stored:
    id: str
    name: str
    data: bytes

    @property
    def content(self) -> str:
        return f'/api/media/{self.id}/content'

    @property
    def thumbnail(self) -> str:
        return f'/api/media/{self.id}/thumbnail'


async def sign_in(user: User, email: str) -> None:
    response = await user.http_client.post('/api/session', json={'email': email, 'password': PASSWORD})
    assert response.status_code == 200, response.text


async def upload(user: User, name: str, data: bytes) -> Stored:
    response = await user.http_client.post(UPLOAD, files={'file': (name, data)})
    assert response.status_code == 201, response.text
    return Stored(response.json()['id'], response.json()['name'], data)


async def thumbnail_when_ready(user: User, item: Stored, *, seconds: float = 15.0) -> httpx.Response:
    """Processing runs in the background; the thumbnail route answers 404 until it has made one."""
    for _ in range(int(seconds / 0.1)):
        response = await user.http_client.get(item.thumbnail)
        if response.status_code == 200:
            return response
        assert response.status_code == 404, response.text
        await asyncio.sleep(0.1)
    raise AssertionError('no thumbnail in time')


def padded_mp4(path: Path, padding: int) -> bytes:
    clip = make_mp4(path, seconds=2.0).read_bytes()
    return clip + struct.pack('>I', padding + 8) + b'free' + random.Random(padding).randbytes(padding)


def minimal_docx() -> bytes:
    """The first zip entries the way Word writes them, which is what type sniffing looks at."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as docx:
        docx.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns='
                      '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        docx.writestr('word/document.xml', '<?xml version="1.0"?><w:document xmlns:w='
                      '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
    return buffer.getvalue()


@pytest.fixture
async def ada(user: User, make_instructor) -> User:
    make_instructor('ada@example.org')
    await sign_in(user, 'ada@example.org')
    return user


@pytest.fixture
async def video(ada: User, tmp_path: Path) -> Stored:
    return await upload(ada, 'Lecture 1.mp4', padded_mp4(tmp_path / 'clip.mp4', PADDING))


async def test_the_whole_file_comes_with_ranges_advertised_and_validators(ada: User, video: Stored) -> None:
    response = await ada.http_client.get(video.content)
    assert response.status_code == 200
    assert response.content == video.data
    headers = response.headers
    assert int(headers['content-length']) == len(video.data) > PADDING
    assert headers['content-type'] == 'video/mp4'
    assert headers['accept-ranges'] == 'bytes'
    assert headers['x-content-type-options'] == 'nosniff'
    assert re.fullmatch(r'"[0-9a-f]{64}"', headers['etag'])
    uploaded = parsedate_to_datetime(headers['last-modified'])
    assert abs(datetime.now(UTC) - uploaded) < timedelta(minutes=5)
    assert 'content-range' not in headers


RANGES = [  # (Range header, first byte, end) with None for "counted from the end" / "to the end"
    ('bytes=0-99', 0, 100),  # how a player reads the header first
    ('bytes=1000000-1000499', 1_000_000, 1_000_500),  # a seek into the middle
    ('bytes=-500', None, 500),  # the last 500 bytes, where an MP4 may keep its index
    ('bytes=100-', 100, None),  # from a position to the end: what Chromium sends after seeking
    ('bytes=2000000-99999999', 2_000_000, None),  # an end beyond the file is cut to the file
    ('Bytes=10-19', 10, 20),  # range units are case-insensitive
]


async def test_a_range_gets_exactly_those_bytes(ada: User, video: Stored) -> None:
    size = len(video.data)
    for header, start, end in RANGES:
        first, last = (size - end, size) if start is None else (start, size if end is None else end)
        response = await ada.http_client.get(video.content, headers={'Range': header})
        assert response.status_code == 206, header
        assert response.content == video.data[first:last], header
        assert response.headers['content-range'] == f'bytes {first}-{last - 1}/{size}'
        assert int(response.headers['content-length']) == last - first
        assert response.headers['content-type'] == 'video/mp4'
        assert response.headers['accept-ranges'] == 'bytes'


async def test_a_range_past_the_end_is_refused_with_the_real_size(ada: User, video: Stored) -> None:
    size = len(video.data)
    for header in (f'bytes={size}-', f'bytes={size}-{size + 10}', f'bytes={size * 2}-', 'bytes=-0'):
        response = await ada.http_client.get(video.content, headers={'Range': header})
        assert response.status_code == 416, header
        assert response.headers['content-range'] == f'bytes */{size}'
        assert response.content == b''


async def test_a_range_we_cannot_use_gets_the_whole_file(ada: User, video: Stored) -> None:
    for header in ('bytes=abc-def', 'pages=1-2', 'bytes=0-99,200-299', 'bytes=500-100', 'bytes', 'bytes=-'):
        response = await ada.http_client.get(video.content, headers={'Range': header})
        assert response.status_code == 200, header
        assert response.content == video.data, header
        assert 'content-range' not in response.headers


async def test_a_cached_copy_is_confirmed_without_sending_the_file_again(ada: User, video: Stored) -> None:
    first = await ada.http_client.get(video.content)
    etag, last_modified = first.headers['etag'], first.headers['last-modified']
    for headers in ({'If-None-Match': etag}, {'If-None-Match': f'"something-else", {etag}'},
                    {'If-Modified-Since': last_modified}):
        again = await ada.http_client.get(video.content, headers=headers)
        assert again.status_code == 304, headers
        assert again.content == b''
        assert again.headers['etag'] == etag
    changed = await ada.http_client.get(video.content, headers={'If-None-Match': '"an-older-version"'})
    assert changed.status_code == 200
    assert changed.content == video.data
    long_ago = format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)
    stale = await ada.http_client.get(video.content, headers={'If-Modified-Since': long_ago})
    assert stale.status_code == 200
    assert len(stale.content) == len(video.data)


async def test_if_range_gives_the_range_only_for_the_current_version(ada: User, video: Stored) -> None:
    etag = (await ada.http_client.head(video.content)).headers['etag']
    current = await ada.http_client.get(video.content, headers={'Range': 'bytes=0-99', 'If-Range': etag})
    assert current.status_code == 206
    assert current.content == video.data[:100]
    for validator in ('"not-this-one"', f'W/{etag}', 'Sat, 01 Jan 2000 00:00:00 GMT'):
        other = await ada.http_client.get(video.content, headers={'Range': 'bytes=0-99', 'If-Range': validator})
        assert other.status_code == 200, validator  # the client's piece may not fit: it gets the whole file
        assert other.content == video.data
        assert 'content-range' not in other.headers


async def test_head_answers_with_the_headers_and_no_body(ada: User, video: Stored) -> None:
    size = len(video.data)
    whole = await ada.http_client.head(video.content)
    assert whole.status_code == 200
    assert whole.content == b''
    assert whole.headers['content-length'] == str(size)
    assert whole.headers['content-type'] == 'video/mp4'
    assert whole.headers['accept-ranges'] == 'bytes'
    assert whole.headers['etag'] == (await ada.http_client.get(video.content)).headers['etag']
    part = await ada.http_client.head(video.content, headers={'Range': 'bytes=10-19'})
    assert part.status_code == 206
    assert part.content == b''
    assert (part.headers['content-length'], part.headers['content-range']) == ('10', f'bytes 10-19/{size}')


def disposition(response: httpx.Response) -> tuple[str, str, str]:
    """(inline|attachment, the plain ASCII filename, the decoded UTF-8 filename*)."""
    header = response.headers['content-disposition']
    match = re.fullmatch(r'(inline|attachment); filename="([^"]*)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~!$&+^`|-]*)',
                         header)
    assert match is not None, header
    return match[1], match[2], unquote(match[3], encoding='utf-8', errors='strict')


async def test_what_a_browser_shows_inline_and_what_it_saves(ada: User, video: Stored, tmp_path: Path) -> None:
    picture = await upload(ada, 'diagram.png', make_png(tmp_path / 'p.png').read_bytes())
    handout = await upload(ada, 'handout.pdf', make_pdf(tmp_path / 'h.pdf').read_bytes())
    letter = await upload(ada, 'letter.docx', minimal_docx())
    for item, mime in ((video, 'video/mp4'), (picture, 'image/png'), (handout, 'application/pdf')):
        shown = await ada.http_client.get(item.content)
        assert shown.headers['content-type'] == mime
        assert disposition(shown) == ('inline', item.name, item.name)
        saved = await ada.http_client.get(item.content, params={'download': '1'})
        assert saved.status_code == 200
        assert saved.content == item.data
        assert disposition(saved) == ('attachment', item.name, item.name)
    office = await ada.http_client.get(letter.content)
    assert office.headers['content-type'] == \
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
    assert disposition(office) == ('attachment', 'letter.docx', 'letter.docx')  # never opened in the tab
    assert office.content == letter.data


async def test_an_awkward_name_gives_a_safe_header_and_the_exact_name(ada: User, tmp_path: Path) -> None:
    raw = 'Ünïcode "quoted" <img src=x onerror=alert(1)>; filename=evil.exe; Öl – 講義.mp4'
    item = await upload(ada, 'clip.mp4', make_mp4(tmp_path / 'clip.mp4', seconds=1.0).read_bytes())
    await ada.open('/library')  # browsers send quotes in upload names as %22, so a rename is how they get in
    ada.find(marker='media-card').click()
    ada.find(marker='rename-input').clear().type(raw)
    ada.find(marker='rename-save').click()
    await ada.should_see('Renamed')
    await thumbnail_when_ready(ada, item)  # processing, finishing after the rename, must keep the new name
    for params in ({}, {'download': '1'}):
        response = await ada.http_client.get(item.content, params=params)
        kind, fallback, exact = disposition(response)
        assert kind == ('attachment' if params else 'inline')
        assert exact == raw
        assert fallback.isascii() and '"' not in fallback and ';' not in fallback and '\\' not in fallback
        assert fallback.endswith('.mp4')
        message = Message()  # how a mail or HTTP library reads the parameters: exactly the two we sent
        message['Content-Disposition'] = response.headers['content-disposition']
        params = message.get_params(header='content-disposition')
        assert [name for name, _ in params] == [kind, 'filename', 'filename']
        assert params[1][1] == fallback
        assert collapse_rfc2231_value(params[2][1]) == raw


async def test_thumbnails_are_jpeg_once_processing_is_done(ada: User, video: Stored, tmp_path: Path) -> None:
    picture = await upload(ada, 'diagram.png', make_png(tmp_path / 'p.png').read_bytes())
    for item in (video, picture):
        thumbnail = await thumbnail_when_ready(ada, item)
        assert thumbnail.headers['content-type'] == 'image/jpeg'
        assert thumbnail.headers['x-content-type-options'] == 'nosniff'
        assert thumbnail.content[:3] == b'\xff\xd8\xff'
        assert int(thumbnail.headers['content-length']) == len(thumbnail.content)
        cached = await ada.http_client.get(item.thumbnail, headers={'If-None-Match': thumbnail.headers['etag']})
        assert cached.status_code == 304


async def test_another_instructor_cannot_tell_the_item_exists(ada: User, video: Stored, make_instructor) -> None:
    await thumbnail_when_ready(ada, video)
    await ada.http_client.delete('/api/session')
    make_instructor('bob@example.org')
    await sign_in(ada, 'bob@example.org')
    bob = ada.http_client
    missing = await bob.get(f'/api/media/{"0" * 8}-0000-4000-8000-{"0" * 12}/content')
    for path in (video.content, f'{video.content}?download=1', video.thumbnail):
        response = await bob.get(path, headers={'Range': 'bytes=0-99'})
        assert response.status_code == 404, path
        assert response.json() == {'error': 'not_found', 'detail': missing.json()['detail']}  # same as no item
        assert video.data[:100] not in response.content
        head = await bob.head(path)
        assert head.status_code == 404, path
        assert 'content-range' not in head.headers and 'etag' not in head.headers


async def test_without_a_session_the_answer_is_401_json(user: User, make_instructor, tmp_path: Path) -> None:
    make_instructor('ada@example.org')
    await sign_in(user, 'ada@example.org')
    item = await upload(user, 'clip.mp4', make_mp4(tmp_path / 'clip.mp4', seconds=1.0).read_bytes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as stranger:
        for path in (item.content, f'{item.content}?download=1', item.thumbnail):
            response = await stranger.get(path, headers={'Range': 'bytes=0-99'})
            assert response.status_code == 401, path
            assert response.json()['error'] == 'unauthenticated'
            assert (await stranger.head(path)).status_code == 401
    await user.http_client.delete('/api/session')  # signed out, the same browser is a stranger too
    assert (await user.http_client.get(item.content)).status_code == 401


async def test_an_id_that_names_no_item_is_404_json(ada: User) -> None:
    for media_id in ('not-an-id', '12345', f'{"0" * 8}-0000-4000-8000-{"0" * 12}', "'%20OR%201=1"):
        for suffix in ('content', 'content?download=1', 'thumbnail'):
            response = await ada.http_client.get(f'/api/media/{media_id}/{suffix}')
            assert response.status_code == 404, (media_id, suffix)
            assert response.json()['error'] == 'not_found'
            assert response.json()['detail']
