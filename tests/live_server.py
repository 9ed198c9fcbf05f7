"""Running the real app (`python main.py`) in its own process, for tests and benchmarks that need real
sockets: dropped connections, crashes, throughput and memory as a self-hoster would see them."""
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    data_dir: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def start(self, *, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'server exited: {self.process.stderr.read().decode()[-2000:]}')
            try:
                httpx.get(f'{self.url}/login', timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError('server did not start')

    def kill(self) -> None:
        """Like a power cut: no shutdown handlers run."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)

    def create_instructor(self, email: str, password: str) -> None:
        subprocess.run([sys.executable, str(ROOT / 'main.py'), 'create-user', email], cwd=ROOT, check=True,
                       env={**self.env, 'MEDIASHELF_NEW_PASSWORD': password}, capture_output=True)

    @contextmanager
    def signed_in_client(self, email: str, password: str, **kwargs: object) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, **kwargs) as client:  # type: ignore[arg-type]
            client.post('/api/session', json={'email': email, 'password': password}).raise_for_status()
            yield client

    def session_cookie(self, email: str, password: str) -> str:
        with self.signed_in_client(email, password) as client:
            return '; '.join(f'{name}={value}' for name, value in client.cookies.items())


def stop_process(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    """Ask a server to stop, and insist if it has not after `grace` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def live_server(data_dir: Path, **settings: str) -> Iterator[LiveServer]:
    env = {key: value for key, value in os.environ.items()  # a clean slate: NiceGUI acts differently under pytest
           if not key.startswith(('MEDIASHELF_', 'NICEGUI_', 'PYTEST_'))}
    port = free_port()
    env.update({'MEDIASHELF_DATA_DIR': str(data_dir), 'MEDIASHELF_PORT': str(port),
                **{f'MEDIASHELF_{key.upper()}': value for key, value in settings.items()}})
    server = LiveServer(data_dir=data_dir, port=port, env=env)
    try:
        yield server
    finally:
        server.stop()
