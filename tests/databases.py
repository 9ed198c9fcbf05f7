"""Fresh, migrated databases for tests and benchmarks: a SQLite file, or a PostgreSQL schema of its own."""
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

from sqlalchemy import Engine, make_url, text

from db.engine import make_engine
from db.migrate import upgrade_to_latest


@contextmanager
def sqlite_engine(path: Path) -> Iterator[Engine]:
    """A migrated SQLite file, built exactly as the app builds its own."""
    engine = make_engine(f'sqlite:///{path}')
    try:
        upgrade_to_latest(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_engine(base_url: str, *, prefix: str = 't') -> Iterator[Engine]:
    """A migrated, empty schema of its own on the server; everything in it is dropped afterwards."""
    schema = f'{prefix}_{uuid4().hex}'
    admin = make_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA {schema}'))
        # search_path holds only the new schema, so the tables and alembic_version can land nowhere else
        url = make_url(base_url).update_query_dict({'options': f'-csearch_path={schema}'})
        engine = make_engine(url.render_as_string(hide_password=False))
        try:
            upgrade_to_latest(engine)
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS {schema} CASCADE'))
        admin.dispose()
