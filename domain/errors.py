"""Errors the use cases raise; adapters translate them into messages and HTTP statuses."""


class DomainError(Exception):
    """A rule was broken; `str(error)` is a message fit to show an instructor."""


class NotFound(DomainError):
    """The thing does not exist *for this instructor*: another owner's id looks exactly like a missing one."""


class InvalidInput(DomainError):
    """The request itself is wrong (empty title, malformed email, weak password)."""


class Conflict(DomainError):
    """The request clashes with what exists (an email already taken, setup already done)."""


class AuthenticationFailed(DomainError):
    """Sign-in failed; deliberately says nothing about which part was wrong."""


class TooManyAttempts(AuthenticationFailed):
    """Sign-in is paused for this account or address after repeated failures."""


class Forbidden(DomainError):
    """Signed in, but this action needs a role the instructor does not have."""


class TooLarge(InvalidInput):
    """The upload is over the configured size limit."""


class UnsupportedType(InvalidInput):
    """The file's extension is not one we accept, or its bytes are not what the extension claims."""


class UploadCancelled(DomainError):
    """The instructor cancelled the upload; whatever was received is thrown away."""


class StorageUnavailable(DomainError):
    """The blob store failed (disk full, S3 down); the upload can be retried later."""


class EmptyFile(InvalidInput):
    """A zero-byte file: almost always a failed export or a placeholder, never useful media."""


class UploadInterrupted(DomainError):
    """The browser's connection dropped before the whole file arrived."""
