"""Creating the engine: SQLite gets foreign keys, WAL, a busy timeout and write-locking transactions;
PostgreSQL works from its URL."""
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import create_engine


def make_engine(url: str) -> Engine:
    if url.startswith('sqlite'):
        engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': 30, 'isolation_level': None})
        event.listen(engine, 'connect', _configure_sqlite)
        event.listen(engine, 'begin', _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite leaves foreign keys off per connection; WAL lets page reads run while an upload commits."""
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction starts, not at its first write.

    With the default deferred start, two tabs that read a chapter and then write to it fail with "database is
    locked" (a read snapshot cannot be upgraded once another writer committed) instead of waiting their turn.
    Taking the lock up front makes them queue (busy timeout) and each sees the other's committed work.
    """
    connection.exec_driver_sql('BEGIN IMMEDIATE')
