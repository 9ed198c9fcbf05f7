"""Mediashelf's entry point: the one place that reads settings, builds the adapters and wires the pages.

`python main.py` serves the app; `python main.py create-user EMAIL [--admin]` adds an account without a
browser (it asks for the password, or reads it from MEDIASHELF_NEW_PASSWORD for scripts).
"""
import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import Literal

from nicegui import app, ui
from nicegui.storage import Storage
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.engine import make_engine
from db.migrate import upgrade_to_latest
from db.passwords import Argon2PasswordHasher
from db.unit_of_work import SqlUnitOfWork
from domain import accounts
from domain.changes import ChangeFeed
from domain.errors import DomainError
from domain.ingest import Ingestor
from domain.library import Library
from domain.throttle import SignInThrottle
from domain.uploads import UploadRegistry
from storage.local import LocalBlobStore
from storage.media_probe import MediaProbe
from ui.pages import register_pages
from ui.services import Services

GIB = 1024 ** 3


class Settings(BaseSettings):
    """Every knob a self-hoster can turn, read from MEDIASHELF_* variables or a .env file (see README)."""

    model_config = SettingsConfigDict(env_prefix='MEDIASHELF_', env_file='.env', extra='ignore')

    data_dir: Path = Path('data')
    database_url: str = ''
    host: str = '127.0.0.1'
    port: int = 8080
    max_upload_bytes: int = 4 * GIB
    open_signup: bool = False
    storage: Literal['local'] = 'local'

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f'sqlite:///{(self.data_dir / "mediashelf.db").resolve()}'

    def session_secret(self) -> str:
        """Made once per install and kept beside the data, so sessions survive restarts and no default leaks."""
        path = self.data_dir / 'session-secret'
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade_to_latest(engine)

    def new_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    blobs = LocalBlobStore(settings.data_dir / 'media')
    registry = UploadRegistry(new_uow=new_uow)
    feed = ChangeFeed()
    ingestor = Ingestor(new_uow=new_uow, blobs=blobs, registry=registry, processor=MediaProbe(), feed=feed,
                        max_bytes=settings.max_upload_bytes)
    return Services(new_uow=new_uow, hasher=Argon2PasswordHasher(), throttle=SignInThrottle(), blobs=blobs,
                    registry=registry, ingestor=ingestor, feed=feed,
                    library=Library(new_uow=new_uow, blobs=blobs, feed=feed), open_signup=settings.open_signup,
                    max_upload_bytes=settings.max_upload_bytes)


def serve(settings: Settings) -> None:
    services = build_services(settings)
    Storage.path = (settings.data_dir / 'sessions').resolve()  # session files live with the rest of the data
    register_pages(services)
    app.on_startup(lambda: print(f'Mediashelf is running at http://{settings.host}:{settings.port}', flush=True))
    ui.run(host=settings.host, port=settings.port, title='Mediashelf', reload=False, show=False,
           storage_secret=settings.session_secret(), show_welcome_message=False, favicon='🎞️')


def create_user_command(settings: Settings, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog='main.py create-user', description='Create an instructor account.')
    parser.add_argument('email')
    parser.add_argument('--name', default='', help='display name (default: the part before @)')
    parser.add_argument('--admin', action='store_true', help='may add other instructors')
    args = parser.parse_args(argv)
    password = os.environ.get('MEDIASHELF_NEW_PASSWORD') or getpass.getpass('Password: ')
    services = build_services(settings)
    try:
        instructor = accounts.create_instructor(services.new_uow(), services.hasher, email=args.email,
                                                password=password, display_name=args.name, is_admin=args.admin)
    except DomainError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'Created {"admin " if instructor.is_admin else ""}{instructor.email}')
    return 0


if __name__ in {'__main__', '__mp_main__'}:
    if sys.argv[1:2] == ['create-user']:
        sys.exit(create_user_command(Settings(), sys.argv[2:]))
    serve(Settings())
