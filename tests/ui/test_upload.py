"""The upload route and the library page, through NiceGUI's simulated user and its HTTP client."""
import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from nicegui.testing import User

from db.unit_of_work import SqlUnitOfWork
from domain.library import LibraryQuery
from tests.media_samples import make_mp4, make_png
from tests.ui.helpers import signed_in, until

UPLOAD = '/api/media/upload'


def stored_blobs(data_dir: Path) -> list[Path]:
    return [path for path in (data_dir / 'media').rglob('*') if path.is_file()]


def media_count(app_engine) -> int:
    with SqlUnitOfWork(app_engine) as uow:
        return uow.media.search(LibraryQuery(owner_id=uow.instructors.list_all()[0].id))[1]


async def post_file(user: User, name: str, data: bytes, **kwargs) -> httpx.Response:
    return await user.http_client.post(UPLOAD, files={'file': (name, data)}, **kwargs)


@pytest.fixture
def png(tmp_path: Path) -> bytes:
    return make_png(tmp_path / 'sample.png').read_bytes()


async def test_uploads_need_a_session(user: User) -> None:
    response = await post_file(user, 'a.png', b'x')
    assert response.status_code == 401
    assert response.json()['error'] == 'unauthenticated'


async def test_an_image_lands_in_the_library_with_a_thumbnail(user: User, make_instructor, png: bytes) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    response = await post_file(user, 'diagram.png', png)
    assert response.status_code == 201
    body = response.json()
    assert (body['name'], body['kind'], body['size'], body['duplicate']) == ('diagram.png', 'image', len(png), False)
    assert body['sha256'] == hashlib.sha256(png).hexdigest()
    await user.should_see(marker='media-thumbnail', retries=50)  # the open page updates by itself
    await user.should_see('diagram.png')
    await user.should_see('1 completed')
    thumbnail = await user.http_client.get(f'/api/media/{body["id"]}/thumbnail')
    assert thumbnail.status_code == 200
    assert thumbnail.headers['content-type'] == 'image/jpeg'
    assert thumbnail.headers['x-content-type-options'] == 'nosniff'
    assert thumbnail.content[:3] == b'\xff\xd8\xff'


async def test_a_video_shows_its_duration(user: User, make_instructor, tmp_path: Path) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=3.0).read_bytes()
    response = await post_file(user, 'Lecture 1 – Öl.mp4', clip)
    assert response.status_code == 201
    await user.should_see(marker='media-duration', retries=100)
    await user.should_see('0:03')
    await user.should_see('Lecture 1 – Öl.mp4')


async def test_the_same_file_twice_is_stored_once(user: User, make_instructor, png: bytes, data_dir: Path,
                                                  app_engine) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    first = await post_file(user, 'a.png', png)
    second = await post_file(user, 'again.png', png)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()['duplicate'] is True
    assert second.json()['id'] == first.json()['id']
    assert second.json()['name'] == 'a.png'  # the user is told which item already has these bytes
    await user.should_see('Already in your library')
    await until(lambda: media_count(app_engine) == 1)
    await until(lambda: len(stored_blobs(data_dir)) == 2)  # the file and its thumbnail, nothing else


@pytest.mark.parametrize(('name', 'content', 'status', 'error'), [
    ('lecture.mp4', b'<!doctype html><script>alert(1)</script>' * 300, 415, 'unsupported_type'),
    ('lecture.mp4', b'MZ\x90\x00\x03' + b'\x00' * 20000, 415, 'unsupported_type'),
    ('tool.exe', b'MZ\x90\x00', 415, 'unsupported_type'),
    ('empty.png', b'', 400, 'empty_file'),
])
async def test_bad_files_are_refused_with_a_json_reason_and_leave_nothing(
        user: User, make_instructor, data_dir: Path, app_engine, name: str, content: bytes, status: int,
        error: str) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    response = await post_file(user, name, content)
    assert response.status_code == status
    assert response.json()['error'] == error
    assert response.json()['detail']
    await user.should_see(marker='upload-error')  # the panel explains it too
    assert stored_blobs(data_dir) == []
    assert media_count(app_engine) == 0


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv('MEDIASHELF_MAX_UPLOAD_BYTES', '2000000')
    return 2_000_000


async def test_too_large_is_refused_early_and_by_count(small_limit: int, user: User, make_instructor,
                                                       data_dir: Path) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    too_big = b'\x89PNG\r\n\x1a\n' + b'\x00' * (small_limit * 2)
    early = await post_file(user, 'big.png', too_big)
    assert early.status_code == 413

    async def chunked_body() -> AsyncIterator[bytes]:  # no Content-Length: only the running count can tell
        boundary = b'--xyz'
        yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'
        for start in range(0, len(too_big), 65536):
            yield too_big[start:start + 65536]
        yield b'\r\n' + boundary + b'--\r\n'

    counted = await user.http_client.post(UPLOAD, content=chunked_body(),
                                          headers={'content-type': 'multipart/form-data; boundary=xyz'})
    assert counted.status_code == 413
    assert 'limit' in counted.json()['detail']
    assert stored_blobs(data_dir) == []


async def test_a_name_with_html_is_shown_as_text(user: User, make_instructor, png: bytes) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    response = await post_file(user, '../../<img src=x onerror=alert(1)>.png', png)
    assert response.json()['name'] == '<img src=x onerror=alert(1)>.png'
    await user.should_see('<img src=x onerror=alert(1)>.png', retries=50)


async def test_progress_is_readable_as_json_by_its_owner_only(user: User, make_instructor, png: bytes) -> None:
    make_instructor('ada@example.org')
    make_instructor('bob@example.org')
    await signed_in(user, 'ada@example.org')
    response = await post_file(user, 'a.png', png)
    operation_id = response.json()['operation_id']
    progress = await user.http_client.get(f'/api/media/upload-progress/{operation_id}')
    assert progress.status_code == 200
    assert progress.json()['bytes_done'] == len(png)
    assert progress.json()['stage'] in {'processing', 'ready'}
    media_id = response.json()['id']
    await user.open('/logout')
    await signed_in(user, 'bob@example.org')
    for path in (f'/api/media/upload-progress/{operation_id}', f'/api/media/{media_id}/thumbnail',
                 '/api/media/upload-progress/not-an-id'):
        assert (await user.http_client.get(path)).status_code == 404, path


async def test_cancel_from_the_panel_stops_the_upload(user: User, make_instructor, data_dir: Path) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    release = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="slow.png"\r\n\r\n'
        yield b'\x89PNG\r\n\x1a\n' + b'\x00' * 20000
        await release.wait()
        yield b'\x00' * 20000
        yield b'\r\n--xyz--\r\n'

    sending = asyncio.create_task(user.http_client.post(
        UPLOAD, content=slow_body(), headers={'content-type': 'multipart/form-data; boundary=xyz'}))
    await user.should_see(marker='upload-cancel', retries=50)
    await user.should_see('Uploading')
    user.find(marker='upload-cancel').click()
    release.set()
    response = await sending
    assert response.status_code == 409
    assert response.json()['error'] == 'cancelled'
    await user.should_see('Cancelled')
    assert stored_blobs(data_dir) == []


async def test_a_second_tab_and_a_reload_see_the_same_uploads(user: User, make_instructor, png: bytes) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await post_file(user, 'before-reload.png', png)
    await user.open('/library')  # a fresh page picks up what the registry knows
    await user.should_see('before-reload.png')
    await user.should_see('1 completed')
    user.find(marker='clear-finished').click()
    await user.should_not_see(marker='upload-row')


@pytest.mark.parametrize(('headers', 'content'), [
    ({'content-type': 'application/json'}, b'{"file": "x"}'),
    ({'content-type': 'multipart/form-data; boundary=xyz'}, b'this is not multipart at all'),
    ({'content-type': 'multipart/form-data; boundary=xyz'},
     b'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nno file here\r\n--xyz--\r\n'),
])
async def test_malformed_requests_get_a_clear_400(user: User, make_instructor, headers: dict[str, str],
                                                  content: bytes) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    response = await user.http_client.post(UPLOAD, content=content, headers=headers)
    assert response.status_code == 400
    assert response.json()['error'] == 'invalid_input'
