"""What the pages are given by main.py: use-case dependencies, never concrete adapters by name."""
from collections.abc import Callable
from dataclasses import dataclass

from domain.changes import ChangeFeed
from domain.ingest import Ingestor
from domain.library import Library
from domain.links import Linking
from domain.ports import BlobStore, PasswordHasher, UnitOfWork
from domain.throttle import SignInThrottle
from domain.tokens import Tokens
from domain.uploads import UploadRegistry


@dataclass(kw_only=True, slots=True)
class Services:
    new_uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    throttle: SignInThrottle
    blobs: BlobStore
    registry: UploadRegistry
    ingestor: Ingestor
    feed: ChangeFeed
    library: Library
    linking: Linking
    tokens: Tokens
    open_signup: bool
    max_upload_bytes: int
