"""Instructors: who they are, how they get an account and how they prove it is them."""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from .clock import utc_now
from .errors import AuthenticationFailed, Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts
from .ports import PasswordHasher, UnitOfWork
from .throttle import SignInThrottle

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 accepts more, but a megabyte "password" is an attack, not a secret
MAX_NAME_LENGTH = 120
_EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')
SIGN_IN_FAILED = 'Email or password is wrong.'


@dataclass(kw_only=True, slots=True)
class Instructor:
    email: str
    display_name: str
    password_hash: str
    is_admin: bool = False
    library_view: str = 'grid'  # 'grid' or 'list': remembered per instructor, on every device
    id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=utc_now)


def normalize_email(raw: str) -> str:
    """Emails compare case-insensitively and without stray spaces, so 'Ann@X.org ' is the same account."""
    email = unicodedata.normalize('NFC', raw.strip()).lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput('Enter a valid email address.')
    return email


def clean_display_name(raw: str, *, email: str) -> str:
    """A display name is optional; without one the part of the email before @ stands in."""
    name = ' '.join(raw.split())[:MAX_NAME_LENGTH]
    return name or email.split('@', 1)[0]


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f'Use a password of at least {MIN_PASSWORD_LENGTH} characters.')
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f'Use a password of at most {MAX_PASSWORD_LENGTH} characters.')


def needs_setup(uow: UnitOfWork) -> bool:
    """The one-time setup is offered only while nobody has an account."""
    with uow:
        return uow.instructors.count() == 0


def set_up_first_admin(uow: UnitOfWork, hasher: PasswordHasher, *, email: str, password: str,
                       display_name: str = '') -> Instructor:
    """Create the first account; refused once any account exists, so a stranger cannot re-run setup."""
    with uow:
        if uow.instructors.count() > 0:
            raise Conflict('Setup is already done; sign in instead.')
        instructor = _new_instructor(uow, hasher, email=email, password=password, display_name=display_name,
                                     is_admin=True)
        uow.commit()
        return instructor


def create_instructor(uow: UnitOfWork, hasher: PasswordHasher, *, email: str, password: str,
                      display_name: str = '', is_admin: bool = False) -> Instructor:
    """Create an account (from the admin page, open sign-up or the command line)."""
    with uow:
        instructor = _new_instructor(uow, hasher, email=email, password=password, display_name=display_name,
                                     is_admin=is_admin)
        uow.commit()
        return instructor


def add_instructor_as(uow: UnitOfWork, hasher: PasswordHasher, *, acting: Instructor, email: str, password: str,
                      display_name: str = '', is_admin: bool = False) -> Instructor:
    if not acting.is_admin:
        raise Forbidden('Only an admin can add instructors.')
    return create_instructor(uow, hasher, email=email, password=password, display_name=display_name,
                             is_admin=is_admin)


def list_instructors_as(uow: UnitOfWork, *, acting: Instructor) -> list[Instructor]:
    if not acting.is_admin:
        raise Forbidden('Only an admin can see all instructors.')
    with uow:
        return uow.instructors.list_all()


def authenticate(uow: UnitOfWork, hasher: PasswordHasher, *, email: str, password: str) -> Instructor:
    """Check credentials; every failure raises the same error, and an unknown email still costs a hash."""
    try:
        normalized = normalize_email(email)
    except InvalidInput:
        normalized = ''
    with uow:
        instructor = uow.instructors.get_by_email(normalized) if normalized else None
    if instructor is None:
        hasher.verify(password[:MAX_PASSWORD_LENGTH], hasher.dummy_hash())  # same cost as a real check
        raise AuthenticationFailed(SIGN_IN_FAILED)
    if not hasher.verify(password[:MAX_PASSWORD_LENGTH], instructor.password_hash):
        raise AuthenticationFailed(SIGN_IN_FAILED)
    return instructor


def sign_in(uow: UnitOfWork, hasher: PasswordHasher, throttle: SignInThrottle, *, email: str, password: str,
            address: str) -> Instructor:
    """Authenticate, slowed down per account and per network address; the one way in for pages and scripts."""
    keys = (f'email:{email.strip().lower()}', f'ip:{address}')
    wait = throttle.wait_seconds(*keys)
    if wait > 0:
        raise TooManyAttempts(f'Too many failed attempts. Try again in {int(wait) + 1} seconds.')
    try:
        instructor = authenticate(uow, hasher, email=email, password=password)
    except AuthenticationFailed:
        throttle.record_failure(*keys)
        raise
    throttle.record_success(*keys)
    return instructor


LIBRARY_VIEWS = ('grid', 'list')


def remember_library_view(uow: UnitOfWork, *, instructor_id: UUID, view: str) -> None:
    if view not in LIBRARY_VIEWS:
        raise InvalidInput(f'Unknown view: {view}')
    with uow:
        instructor = uow.instructors.get(instructor_id)
        if instructor is None:
            raise NotFound('This account does not exist.')
        instructor.library_view = view
        uow.instructors.update(instructor)
        uow.commit()


def get_instructor(uow: UnitOfWork, instructor_id: UUID) -> Instructor | None:
    with uow:
        return uow.instructors.get(instructor_id)


def _new_instructor(uow: UnitOfWork, hasher: PasswordHasher, *, email: str, password: str, display_name: str,
                    is_admin: bool) -> Instructor:
    normalized = normalize_email(email)
    check_password(password)
    if uow.instructors.get_by_email(normalized) is not None:
        raise Conflict('An account with this email already exists.')
    instructor = Instructor(email=normalized, display_name=clean_display_name(display_name, email=normalized),
                            password_hash=hasher.hash(password), is_admin=is_admin)
    uow.instructors.add(instructor)
    return instructor
