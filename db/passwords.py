"""Argon2 password hashes: stored in the users table, so they live beside it."""
from functools import cached_property

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


class Argon2PasswordHasher:
    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str) -> bool:
        return self._hash.verify(password, password_hash)

    def dummy_hash(self) -> str:
        return self._dummy

    @cached_property
    def _dummy(self) -> str:
        return self._hash.hash('not a password anyone has')
