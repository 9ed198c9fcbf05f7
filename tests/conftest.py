"""Fixtures every folder shares: an isolated data folder per test and quick ways to make accounts."""
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from nicegui.testing import User
from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import make_engine
from db.migrate import upgrade_to_latest
from db.passwords import Argon2PasswordHasher
from db.tables import MediaLinkRow
from db.unit_of_work import SqlUnitOfWork
from domain import accounts
from domain.accounts import Instructor
from domain.media import FILE_TYPES, MediaItem, MediaStatus
from domain.storage_keys import new_media_key

pytest_plugins = ['nicegui.testing.plugin']

# Selenium Manager would otherwise phone home for statistics and driver downloads; Debian's driver is on PATH.
os.environ.setdefault('SE_OFFLINE', 'true')
os.environ.setdefault('SE_AVOID_STATS', 'true')

PASSWORD = 'correct horse battery'


@pytest.fixture
def user(user: User) -> User:
    """A browser sends Origin with every change it makes; the simulated one must too (see ui/session.py)."""
    user.http_client.headers['Origin'] = 'http://test'
    return user


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


@pytest.fixture
def make_media(app_engine: Engine):
    """Library rows without bytes behind them: enough for finding, sorting, renaming and deleting."""
    made = 0

    def make(owner_id: UUID, name: str, *, size: int = 1000, minutes_ago: int | None = None) -> MediaItem:
        nonlocal made
        made += 1
        file_type = FILE_TYPES[name.rsplit('.', 1)[-1].lower()]
        created = datetime.now(UTC) - timedelta(minutes=made * 10 if minutes_ago is None else minutes_ago)
        item = MediaItem(owner_id=owner_id, display_name=name, original_name=name, kind=file_type.kind,
                         mime_type=file_type.mime, size=size, sha256=uuid4().hex * 2,
                         storage_key=new_media_key(owner_id), status=MediaStatus.READY, created_at=created)
        with SqlUnitOfWork(app_engine) as uow:
            uow.media.add(item)
            uow.commit()
        return item
    return make


@pytest.fixture
def link_media(app_engine: Engine):
    """Place an item in a chapter, as the course editor will."""
    def link(item: MediaItem, course_id: UUID, chapter_id: UUID) -> None:
        with Session(app_engine) as session:
            session.add(MediaLinkRow(media_id=item.id, course_id=course_id, chapter_id=chapter_id, position=0))
            session.commit()
    return link
