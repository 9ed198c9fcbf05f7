"""Mediashelf's entry point: the one place that reads settings, builds the adapters and wires the pages.

`python main.py` serves the app; `python main.py create-user EMAIL [--admin]` adds an account without a
browser (it asks for the password, or reads it from MEDIASHELF_NEW_PASSWORD for scripts); `python main.py
create-token EMAIL` prints a personal API token; `python main.py copy-to-s3` copies the local library into the
configured bucket and verifies every object.
"""
import argparse
import asyncio
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import Literal, Self

from nicegui import app, ui
from nicegui.storage import Storage
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session, select

from db.engine import make_engine
from db.migrate import upgrade_to_latest
from db.passwords import Argon2PasswordHasher
from db.tables import MediaFileRow
from db.unit_of_work import SqlUnitOfWork
from domain import accounts
from domain.changes import ChangeFeed
from domain.errors import DomainError
from domain.ingest import Ingestor
from domain.library import Library
from domain.links import Linking
from domain.ports import BlobStore
from domain.throttle import SignInThrottle
from domain.tokens import Tokens
from domain.uploads import UploadRegistry
from storage.local import LocalBlobStore
from storage.media_probe import MediaProbe
from storage.s3 import MAX_URL_EXPIRY_SECONDS, S3BlobStore, S3Settings
from storage.s3_copy import copy_library
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
    storage: Literal['local', 's3'] = 'local'
    s3_endpoint_url: str = ''  # empty: AWS itself
    s3_region: str = ''
    s3_bucket: str = ''
    s3_access_key_id: str = ''
    s3_secret_access_key: SecretStr = SecretStr('')
    s3_prefix: str = ''
    s3_addressing_style: Literal['path', 'virtual'] = 'path'
    s3_url_expiry_seconds: int = Field(default=3600, ge=1, le=MAX_URL_EXPIRY_SECONDS)
    public_url: str = ''  # e.g. https://media.example.org: https:// makes the session cookie Secure
    trusted_proxies: str = '127.0.0.1'  # addresses whose X-Forwarded-For/-Proto are believed

    @model_validator(mode='after')
    def _s3_complete(self) -> Self:
        """Fail at start, not at the first upload, when S3 is chosen but cannot work."""
        if self.storage == 's3' and (missing := self.missing_s3_settings()):
            raise ValueError(f'MEDIASHELF_STORAGE=s3 needs {", ".join(missing)}')
        return self

    def missing_s3_settings(self) -> list[str]:
        needed = {'MEDIASHELF_S3_BUCKET': self.s3_bucket, 'MEDIASHELF_S3_ACCESS_KEY_ID': self.s3_access_key_id,
                  'MEDIASHELF_S3_SECRET_ACCESS_KEY': self.s3_secret_access_key.get_secret_value()}
        return [name for name, value in needed.items() if not value.strip()]

    def s3_settings(self) -> S3Settings:
        return S3Settings(bucket=self.s3_bucket, access_key_id=self.s3_access_key_id,
                          secret_access_key=self.s3_secret_access_key.get_secret_value(),
                          endpoint_url=self.s3_endpoint_url or None, region=self.s3_region or None,
                          prefix=self.s3_prefix, addressing_style=self.s3_addressing_style,
                          url_expiry_seconds=self.s3_url_expiry_seconds)

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

    blobs = build_blob_store(settings)
    registry = UploadRegistry(new_uow=new_uow)
    feed = ChangeFeed()
    ingestor = Ingestor(new_uow=new_uow, blobs=blobs, registry=registry, processor=MediaProbe(), feed=feed,
                        max_bytes=settings.max_upload_bytes)
    return Services(new_uow=new_uow, hasher=Argon2PasswordHasher(), throttle=SignInThrottle(), blobs=blobs,
                    registry=registry, ingestor=ingestor, feed=feed,
                    library=Library(new_uow=new_uow, blobs=blobs, feed=feed),
                    linking=Linking(new_uow=new_uow, feed=feed), tokens=Tokens(new_uow=new_uow),
                    open_signup=settings.open_signup,
                    max_upload_bytes=settings.max_upload_bytes)


def build_blob_store(settings: Settings) -> BlobStore:
    """The one place that picks the backend; the rest of the app sees only the BlobStore port. S3 downloads for
    thumbnailing go to a scratch folder beside the data, not to /tmp, which is often RAM-backed."""
    if settings.storage == 's3':
        return S3BlobStore(settings.s3_settings(), scratch_dir=settings.data_dir / 'scratch')
    return LocalBlobStore(settings.data_dir / 'media')


def load_settings() -> Settings:
    """One readable line per wrong setting instead of a traceback, and never a setting's value (secrets)."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors(include_input=False, include_url=False):
            name = f'MEDIASHELF_{"_".join(map(str, problem["loc"])).upper()}: ' if problem['loc'] else ''
            print(f'error: {name}{problem["msg"].removeprefix("Value error, ")}', file=sys.stderr)
        sys.exit(2)


def serve(settings: Settings) -> None:
    services = build_services(settings)
    Storage.path = (settings.data_dir / 'sessions').resolve()  # session files live with the rest of the data
    register_pages(services)
    app.on_startup(lambda: print(f'Mediashelf is running at http://{settings.host}:{settings.port}', flush=True))
    ui.run(host=settings.host, port=settings.port, title='Mediashelf', reload=False, show=False,
           storage_secret=settings.session_secret(), show_welcome_message=False, favicon='🎞️',
           fastapi_docs=True,
           session_middleware_kwargs={'same_site': 'lax',
                                      'https_only': settings.public_url.strip().lower().startswith('https://')},
           proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies)


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


def create_token_command(settings: Settings, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog='main.py create-token', description='Make a personal API token for an '
                                     'instructor; it is printed once and only its hash is kept.')
    parser.add_argument('email')
    parser.add_argument('--name', default='command line', help='what the token is for')
    args = parser.parse_args(argv)
    services = build_services(settings)
    with services.new_uow() as uow:
        instructor = uow.instructors.get_by_email(args.email.strip().lower())
    if instructor is None:
        print(f'error: no account for {args.email}', file=sys.stderr)
        return 2
    try:
        _, secret = services.tokens.create(instructor.id, args.name)
    except DomainError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(secret)
    return 0


def copy_to_s3_command(settings: Settings, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog='main.py copy-to-s3', description='Copy every blob of the local library (MEDIASHELF_DATA_DIR/media) '
        'into the bucket named by the MEDIASHELF_S3_* settings and verify each by size and sha256. Safe to run '
        'again: objects already there with the right size are only verified.')
    parser.parse_args(argv)
    if missing := settings.missing_s3_settings():
        print(f'error: copy-to-s3 needs {", ".join(missing)}', file=sys.stderr)
        return 2
    engine = make_engine(settings.effective_database_url)
    upgrade_to_latest(engine)
    with Session(engine) as session:
        recorded = dict(session.exec(select(MediaFileRow.storage_key, MediaFileRow.sha256)).all())
    engine.dispose()
    bucket = S3BlobStore(settings.s3_settings(), scratch_dir=settings.data_dir / 'scratch')
    try:
        report = asyncio.run(copy_library(LocalBlobStore(settings.data_dir / 'media'), bucket, recorded,
                                          log=lambda line: print(line, flush=True)))
    finally:
        bucket.close()
    print(report.summary())
    return 0 if report.ok else 1


if __name__ in {'__main__', '__mp_main__'}:
    if sys.argv[1:2] == ['create-user']:
        sys.exit(create_user_command(load_settings(), sys.argv[2:]))
    if sys.argv[1:2] == ['create-token']:
        sys.exit(create_token_command(load_settings(), sys.argv[2:]))
    if sys.argv[1:2] == ['copy-to-s3']:
        sys.exit(copy_to_s3_command(load_settings(), sys.argv[2:]))
    serve(load_settings())
