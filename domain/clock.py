"""One source of 'now' so every timestamp is timezone-aware UTC."""
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
