"""Account rules: normalised emails, password policy, one-time setup, generic sign-in failures."""
import pytest

from domain import accounts
from domain.errors import AuthenticationFailed, Conflict, Forbidden, InvalidInput
from tests.unit.fakes import FakeHasher, FakeUnitOfWork

PASSWORD = 'long enough password'


def test_setup_creates_an_admin_once(uow: FakeUnitOfWork) -> None:
    assert accounts.needs_setup(uow)
    admin = accounts.set_up_first_admin(uow, FakeHasher(), email='Ada@Example.ORG ', password=PASSWORD)
    assert (admin.email, admin.display_name, admin.is_admin) == ('ada@example.org', 'ada', True)
    assert not accounts.needs_setup(uow)
    with pytest.raises(Conflict):
        accounts.set_up_first_admin(uow, FakeHasher(), email='eve@example.org', password=PASSWORD)


@pytest.mark.parametrize('email', ['', 'no-at-sign', 'a@b', 'two@@example.org', 'sp ace@example.org'])
def test_malformed_emails_are_refused(uow: FakeUnitOfWork, email: str) -> None:
    with pytest.raises(InvalidInput, match='valid email'):
        accounts.create_instructor(uow, FakeHasher(), email=email, password=PASSWORD)


def test_passwords_have_a_floor_and_a_ceiling(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInput, match='at least'):
        accounts.create_instructor(uow, FakeHasher(), email='a@example.org', password='short')
    with pytest.raises(InvalidInput, match='at most'):
        accounts.create_instructor(uow, FakeHasher(), email='a@example.org', password='x' * 2000)


def test_emails_are_unique_whatever_their_case(uow: FakeUnitOfWork) -> None:
    accounts.create_instructor(uow, FakeHasher(), email='ada@example.org', password=PASSWORD)
    with pytest.raises(Conflict):
        accounts.create_instructor(uow, FakeHasher(), email='ADA@example.org', password=PASSWORD)


def test_passwords_are_stored_hashed(uow: FakeUnitOfWork) -> None:
    ada = accounts.create_instructor(uow, FakeHasher(), email='ada@example.org', password=PASSWORD)
    assert ada.password_hash == FakeHasher().hash(PASSWORD)


@pytest.mark.parametrize(('email', 'password'), [
    ('ada@example.org', 'wrong password'), ('nobody@example.org', PASSWORD), ('not an email', PASSWORD)])
def test_every_sign_in_failure_says_the_same(uow: FakeUnitOfWork, email: str, password: str) -> None:
    accounts.create_instructor(uow, FakeHasher(), email='ada@example.org', password=PASSWORD)
    with pytest.raises(AuthenticationFailed) as failure:
        accounts.authenticate(uow, FakeHasher(), email=email, password=password)
    assert str(failure.value) == accounts.SIGN_IN_FAILED


def test_sign_in_matches_the_email_case_insensitively(uow: FakeUnitOfWork) -> None:
    ada = accounts.create_instructor(uow, FakeHasher(), email='ada@example.org', password=PASSWORD)
    assert accounts.authenticate(uow, FakeHasher(), email=' ADA@example.org', password=PASSWORD).id == ada.id


def test_only_admins_add_or_list_instructors(uow: FakeUnitOfWork) -> None:
    admin = accounts.create_instructor(uow, FakeHasher(), email='ada@example.org', password=PASSWORD, is_admin=True)
    bob = accounts.add_instructor_as(uow, FakeHasher(), acting=admin, email='bob@example.org', password=PASSWORD)
    with pytest.raises(Forbidden):
        accounts.add_instructor_as(uow, FakeHasher(), acting=bob, email='eve@example.org', password=PASSWORD)
    with pytest.raises(Forbidden):
        accounts.list_instructors_as(uow, acting=bob)
    assert [i.email for i in accounts.list_instructors_as(uow, acting=admin)] == ['ada@example.org', 'bob@example.org']
