"""The README's nginx config, run for real in front of the real app: sign-in, a 50 MiB streamed upload, a page
and NiceGUI's websocket all work through it.

The config lives in one file, tests/proxy/nginx.conf, which the README shows verbatim (checked here). To run it
without certificates, the TLS lines are left out and the ports rewritten; every rewrite must find its line, so a
change to the file's shape fails here instead of silently testing something else.
"""
import hashlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import PASSWORD
from tests.live_server import ROOT, LiveServer, free_port, live_server, stop_process
from tests.media_samples import make_mp4

CONFIG = ROOT / 'tests' / 'proxy' / 'nginx.conf'
EMAIL = 'ada@example.org'
MIB = 1024 * 1024
UPLOAD_SIZE = 50 * MIB
HELD_AFTER = 8 * MIB

_MAIN_CONFIG = '''{user}worker_processes 1;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
'''


@dataclass
class Proxy:
    port: int
    redirect_port: int

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'


def nginx_binary() -> str:
    found = shutil.which('nginx') or ('/usr/sbin/nginx' if os.access('/usr/sbin/nginx', os.X_OK) else None)
    if found is None:  # never a skip: tests/prepare_machine.sh installs it (`make test` runs that first)
        pytest.fail("nginx is missing: run tests/prepare_machine.sh as root, or apt-get install nginx")
    return found


def site_config(*, port: int, redirect_port: int, upstream_port: int) -> str:
    """The README's config on plain HTTP: certificate lines out, 443 and 80 on free local ports, our upstream."""
    text = CONFIG.read_text()
    rewrites = [
        (r'^\s*ssl_certificate(_key)?\s.*\n', ''),
        (r'listen 443 ssl;', f'listen 127.0.0.1:{port};'),
        (r'listen 80;', f'listen 127.0.0.1:{redirect_port};'),
        (r'proxy_pass http://127\.0\.0\.1:8080;', f'proxy_pass http://127.0.0.1:{upstream_port};'),
    ]
    for pattern, replacement in rewrites:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert count >= 1, f'{pattern!r} not found in {CONFIG}'
    assert 'ssl' not in text.replace('ssl_', '').split('#')[0]
    return text


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'nginx exited: {log.read_text() if log.exists() else ""}')
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError('nginx did not start')


@pytest.fixture
def app_server(data_dir: Path, make_instructor) -> Iterator[LiveServer]:
    make_instructor(EMAIL)  # in this process, on the database file the server then opens: no second start-up
    with live_server(data_dir) as running:
        running.start()
        yield running


@pytest.fixture
def proxy(app_server: LiveServer, tmp_path: Path) -> Iterator[Proxy]:
    binary = nginx_binary()
    folder = tmp_path / 'nginx'
    folder.mkdir()
    port, redirect_port = free_port(), free_port()
    site = folder / 'mediashelf.conf'
    site.write_text(site_config(port=port, redirect_port=redirect_port, upstream_port=app_server.port))
    main = folder / 'nginx.conf'
    user = 'user root;\n' if os.geteuid() == 0 else ''  # workers need the temp folders, which sit in a 0700 tree
    main.write_text(_MAIN_CONFIG.format(user=user, tmp=folder, site=site))
    log = folder / 'error.log'
    command = [binary, '-p', str(folder), '-c', str(main), '-e', str(log), '-g', 'daemon off;']
    check = subprocess.run([*command, '-t'], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, log)
        yield Proxy(port=port, redirect_port=redirect_port)
    finally:
        stop_process(process)


def test_the_readme_shows_the_tested_config() -> None:
    readme = (ROOT / 'README.md').read_text()
    section = readme.split('## Running it on the internet', 1)[1]
    block = re.search(r'^```nginx\n(.*?)^```$', section, flags=re.DOTALL | re.MULTILINE)
    assert block is not None, 'the README section shows no ```nginx block'
    assert block[1] == CONFIG.read_text()


def padded_mp4(path: Path, size: int) -> Path:
    """A real clip followed by an MP4 `free` box up to `size` bytes: type sniffing and the probe both pass."""
    clip = make_mp4(path.with_suffix('.clip.mp4'), seconds=1.0).read_bytes()
    padding = size - len(clip)
    with path.open('wb') as file:
        file.write(clip)
        file.write(padding.to_bytes(4, 'big') + b'free')
        for _ in range((padding - 8) // MIB):
            file.write(bytes(MIB))
        file.write(bytes((padding - 8) % MIB))
    assert path.stat().st_size == size
    return path


def held_upload(path: Path, boundary: str, go_on: threading.Event) -> tuple[Iterator[bytes], int]:
    """A multipart body that stops after its first HELD_AFTER bytes until `go_on` is set: if the proxy buffered
    the request, the app would see nothing of it before then."""
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            'Content-Type: video/mp4\r\n\r\n').encode()
    tail = f'\r\n--{boundary}--\r\n'.encode()

    def chunks() -> Iterator[bytes]:
        yield head
        sent = 0
        with path.open('rb') as file:
            while chunk := file.read(MIB):
                if sent >= HELD_AFTER:
                    go_on.wait(timeout=15)
                yield chunk
                sent += len(chunk)
        yield tail
    return chunks(), len(head) + path.stat().st_size + len(tail)


def bytes_seen_by_the_app(client: httpx.Client, operation_id: uuid.UUID) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        progress = client.get(f'/api/media/upload-progress/{operation_id}')
        if progress.status_code == 200 and progress.json()['bytes_done'] > 0:
            return progress.json()['bytes_done']
        time.sleep(0.05)
    return 0


def test_uploads_pages_and_the_websocket_work_through_nginx(proxy: Proxy, tmp_path: Path) -> None:
    video = padded_mp4(tmp_path / 'lecture.mp4', UPLOAD_SIZE)
    digest = hashlib.sha256(video.read_bytes()).hexdigest()
    with httpx.Client(base_url=proxy.url, timeout=60) as client:
        signed_in = client.post('/api/session', json={'email': EMAIL, 'password': PASSWORD})
        assert signed_in.status_code == 200, signed_in.text

        # As a browser sends it: the Origin names the proxy's address, which only matches if Host came through.
        operation_id, go_on, answer = uuid.uuid4(), threading.Event(), []
        body, length = held_upload(video, 'b0undary', go_on)
        headers = {'Origin': proxy.url, 'Content-Type': 'multipart/form-data; boundary=b0undary',
                   'Content-Length': str(length)}
        sender = threading.Thread(target=lambda: answer.append(client.post(
            f'/api/media/upload?operation_id={operation_id}', content=body, headers=headers)))
        sender.start()
        try:
            seen_early = bytes_seen_by_the_app(client, operation_id)
        finally:
            go_on.set()
            sender.join(timeout=60)
        assert 0 < seen_early <= HELD_AFTER + MIB  # streamed: the app had bytes while the rest was still held back
        uploaded = answer[0]
        assert uploaded.status_code == 201, uploaded.text
        assert (uploaded.json()['size'], uploaded.json()['sha256']) == (UPLOAD_SIZE, digest)

        page = client.get('/library')
        assert page.status_code == 200
        assert '<html' in page.text.lower()
        assert "frame-ancestors 'none'" in page.headers['content-security-policy']  # the app's headers pass
        assert page.headers['strict-transport-security'] == 'max-age=31536000'  # and nginx adds its own

        ranged = client.get(f'/api/media/{uploaded.json()["id"]}/content', headers={'Range': 'bytes=0-1023'})
        assert (ranged.status_code, len(ranged.content)) == (206, 1024)
        assert ranged.headers['content-range'] == f'bytes 0-1023/{UPLOAD_SIZE}'

    with connect(f'ws://127.0.0.1:{proxy.port}/_nicegui_ws/socket.io/?EIO=4&transport=websocket',
                 origin=proxy.url, open_timeout=10) as websocket:  # type: ignore[arg-type]
        assert websocket.response.status_code == 101
        opening = websocket.recv(timeout=10)
    assert isinstance(opening, str) and opening.startswith('0{') and '"sid"' in opening  # Engine.IO's open packet

    redirect = httpx.get(f'http://127.0.0.1:{proxy.redirect_port}/library', headers={'Host': 'media.example.org'})
    assert (redirect.status_code, redirect.headers['location']) == (301, 'https://media.example.org/library')
