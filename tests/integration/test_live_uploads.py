"""Uploads against the real server process: a client that disconnects halfway, and a crash mid-upload."""
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.live_server import LiveServer, live_server

EMAIL = 'ada@example.org'
HALF = 4 * 1024 * 1024


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / 'live') as running:
        running.create_instructor(EMAIL, PASSWORD)
        running.start()
        yield running


def send_half_an_upload(server: LiveServer, operation_id: uuid.UUID, *, file_size: int = 3 * HALF) -> socket.socket:
    """Announce a whole file, send part of it, and return the still-open socket."""
    cookie = server.session_cookie(EMAIL, PASSWORD)
    head = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="talk.mp4"\r\n'
            b'Content-Type: video/mp4\r\n\r\n')
    length = len(head) + file_size + len(b'\r\n--b--\r\n')
    request = (f'POST /api/media/upload?operation_id={operation_id} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n'
               f'Cookie: {cookie}\r\nOrigin: {server.url}\r\nContent-Type: multipart/form-data; boundary=b\r\n'
               f'Content-Length: {length}\r\n\r\n').encode()
    connection = socket.create_connection(('127.0.0.1', server.port))
    mp4_start = b'\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'
    connection.sendall(request + head + mp4_start + b'\x00' * (HALF - len(mp4_start)))
    return connection


def wait_for_stage(client: httpx.Client, operation_id: uuid.UUID, stages: set[str], *, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f'/api/media/upload-progress/{operation_id}')
        if response.status_code == 200 and response.json()['stage'] in stages:
            return response.json()
        time.sleep(0.05)
    raise AssertionError(f'upload never reached {stages}: {response.status_code} {response.text}')


def leftover_files(data_dir: Path) -> list[Path]:
    return [path for path in (data_dir / 'media').rglob('*') if path.is_file()]


def test_a_client_that_disconnects_halfway_leaves_nothing(server: LiveServer) -> None:
    operation_id = uuid.uuid4()
    connection = send_half_an_upload(server, operation_id)
    with server.signed_in_client(EMAIL, PASSWORD) as client:
        receiving = wait_for_stage(client, operation_id, {'receiving'})
        assert receiving['bytes_done'] > 0
        connection.close()
        failed = wait_for_stage(client, operation_id, {'failed'})
        assert 'connection was lost' in failed['error']
        assert client.get('/api/media/upload-progress/' + str(operation_id)).json()['stage'] == 'failed'
    assert leftover_files(server.data_dir) == []


def test_a_crash_mid_upload_is_cleaned_up_at_the_next_start(server: LiveServer) -> None:
    operation_id = uuid.uuid4()
    connection = send_half_an_upload(server, operation_id)
    with server.signed_in_client(EMAIL, PASSWORD) as client:
        wait_for_stage(client, operation_id, {'receiving'})
    assert leftover_files(server.data_dir)  # the partial write is on disk now
    server.kill()
    connection.close()
    server.start()
    assert leftover_files(server.data_dir) == []
    with server.signed_in_client(EMAIL, PASSWORD) as client:
        after = client.get(f'/api/media/upload-progress/{operation_id}').json()
    assert after['stage'] == 'failed'
    assert 'restart' in after['error']
