"""Personal API tokens: how scripts and integrations act as an instructor without a browser session.

A token is shown once, when it is made; only its SHA-256 is stored (a token is 256 random bits, so a fast hash
is enough, unlike a password). Revoking one takes effect on the next request.
"""
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from .clock import utc_now
from .courses import clean_title
from .errors import Conflict, NotFound
from .ports import UnitOfWork

PREFIX = 'msh_'
MAX_TOKENS = 50


@dataclass(kw_only=True, slots=True)
class ApiToken:
    owner_id: UUID
    name: str
    token_hash: str
    id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=utc_now)
    last_used_at: datetime | None = None


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(kw_only=True)
class Tokens:
    new_uow: Callable[[], UnitOfWork]

    def create(self, owner_id: UUID, name: str) -> tuple[ApiToken, str]:
        """The new token and its secret: the only time the secret exists outside the caller's hands."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(owner_id=owner_id, name=clean_title(name, what='token name'), token_hash=hash_token(secret))
        with self.new_uow() as uow:
            if len(uow.tokens.list_for_owner(owner_id)) >= MAX_TOKENS:
                raise Conflict(f'You already have {MAX_TOKENS} tokens; revoke one first.')
            uow.tokens.add(token)
            uow.commit()
        return token, secret

    def list(self, owner_id: UUID) -> list[ApiToken]:
        with self.new_uow() as uow:
            return uow.tokens.list_for_owner(owner_id)

    def revoke(self, owner_id: UUID, token_id: UUID) -> None:
        with self.new_uow() as uow:
            token = uow.tokens.get(token_id)
            if token is None or token.owner_id != owner_id:
                raise NotFound('This token does not exist.')
            uow.tokens.delete(token.id)
            uow.commit()

    def owner_of(self, secret: str) -> UUID | None:
        """Who a presented token belongs to, if it is one of ours and not revoked."""
        if not secret.startswith(PREFIX):
            return None
        with self.new_uow() as uow:
            token = uow.tokens.find_by_hash(hash_token(secret))
            if token is None:
                return None
            token.last_used_at = utc_now()
            uow.tokens.update(token)
            uow.commit()
            return token.owner_id
