"""Fixtures every folder shares: an isolated data folder per test and quick ways to make accounts."""
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import make_engine
from db.migrate import upgrade_to_latest
from db.passwords import Argon2PasswordHasher
from db.unit_of_work import SqlUnitOfWork
from domain import accounts
from domain.accounts import Instructor

pytest_plugins = ['nicegui.testing.plugin']

# Selenium Manager would otherwise phone home for statistics and driver downloads; Debian's driver is on PATH.
os.environ.setdefault('SE_OFFLINE', 'true')
os.environ.setdefault('SE_AVOID_STATS', 'true')

PASSWORD = 'correct horse battery'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own SQLite file and media folder, exactly as `make run` would create them."""
    path = tmp_path / 'data'
    monkeypatch.setenv('MEDIASHELF_DATA_DIR', str(path))
    monkeypatch.delenv('MEDIASHELF_DATABASE_URL', raising=False)
    monkeypatch.delenv('MEDIASHELF_OPEN_SIGNUP', raising=False)
    return path


@pytest.fixture
def app_engine(data_dir: Path) -> Iterator[Engine]:
    """The engine on the same database file the app under test opens."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f'sqlite:///{data_dir / "mediashelf.db"}')
    upgrade_to_latest(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def make_instructor(app_engine: Engine):
    """Create an account straight through the use case, so UI tests start signed-up but not signed in."""
    hasher = Argon2PasswordHasher()

    def make(email: str, *, admin: bool = False, name: str = '') -> Instructor:
        return accounts.create_instructor(SqlUnitOfWork(app_engine), hasher, email=email, password=PASSWORD,
                                          display_name=name, is_admin=admin)
    return make
