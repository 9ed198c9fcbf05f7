"""The commands a self-hoster runs without a browser: create an account, make an API token."""
import subprocess
import sys
from pathlib import Path

from db.engine import make_engine
from db.unit_of_work import SqlUnitOfWork
from domain.tokens import hash_token
from tests.live_server import ROOT


def run(data_dir: Path, *args: str, password: str = '') -> subprocess.CompletedProcess[str]:
    env = {'PATH': '/usr/bin:/bin', 'MEDIASHELF_DATA_DIR': str(data_dir), 'MEDIASHELF_NEW_PASSWORD': password}
    return subprocess.run([sys.executable, str(ROOT / 'main.py'), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_create_an_admin_then_a_token(tmp_path: Path) -> None:
    data_dir = tmp_path / 'data'
    created = run(data_dir, 'create-user', 'Ada@Example.org', '--admin', password='long enough password')
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == 'Created admin ada@example.org'
    weak = run(data_dir, 'create-user', 'bob@example.org', password='short')
    assert weak.returncode == 2
    assert 'at least 10 characters' in weak.stderr
    token = run(data_dir, 'create-token', 'ada@example.org', '--name', 'backup script')
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert secret.startswith('msh_')
    engine = make_engine(f'sqlite:///{data_dir / "mediashelf.db"}')
    with SqlUnitOfWork(engine) as uow:
        stored = uow.tokens.find_by_hash(hash_token(secret))
        assert stored is not None
        assert stored.name == 'backup script'
    engine.dispose()
    assert run(data_dir, 'create-token', 'nobody@example.org').returncode == 2
