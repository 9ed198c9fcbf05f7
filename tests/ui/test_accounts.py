"""Setup, sign-in, sign-up and the admin's instructor list, as a person clicks through them."""
import pytest
from nicegui.testing import User

from tests.conftest import PASSWORD
from tests.ui.helpers import fill_account_form, sign_in, signed_in, until, value_of


async def test_first_visit_offers_setup_and_creates_an_admin(user: User) -> None:
    await user.open('/')
    await user.should_see('Welcome to Mediashelf')
    fill_account_form(user, email='Ada@Example.org ', name='Ada')
    await user.should_see(marker='new-course', retries=30)
    await user.should_see('Ada')
    user.find(marker='account-menu').click()
    await user.should_see('Instructors')  # the first account is an admin


async def test_setup_refuses_mismatched_and_short_passwords(user: User) -> None:
    await user.open('/setup')
    fill_account_form(user, email='ada@example.org', password='short', repeat='different')
    await user.should_see('The two passwords differ.', retries=30)
    fill_account_form(user, email='ada@example.org', password='short')
    await user.should_see('Use a password of at least 10 characters.', retries=30)
    await user.should_not_see(marker='new-course')


async def test_setup_is_gone_once_an_account_exists(user: User, make_instructor) -> None:
    make_instructor('ada@example.org', admin=True)
    await user.open('/setup')
    await user.should_see(marker='sign-in')
    await user.should_not_see('Welcome to Mediashelf')


async def test_pages_need_a_session(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    for path in ('/', '/library', '/courses', '/admin/instructors'):
        response = await user.http_client.get(path)
        assert response.status_code in {302, 303, 307}, path
        assert response.headers['location'].startswith('/login'), path


async def test_sign_in_returns_to_the_page_asked_for(user: User, make_instructor) -> None:
    make_instructor('ada@example.org', name='Ada')
    await sign_in(user, 'ada@example.org', path='/login?next=/courses')
    await user.should_see(marker='new-course', retries=30)


async def test_sign_in_ignores_a_next_link_to_another_site(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await sign_in(user, 'ada@example.org', path='/login?next=//evil.example/')
    await user.should_see(marker='library-empty', retries=30)


@pytest.mark.parametrize('email', ['ada@example.org', 'nobody@example.org'])
async def test_wrong_credentials_get_one_generic_message(user: User, make_instructor, email: str) -> None:
    make_instructor('ada@example.org')
    await sign_in(user, email, 'wrong password!')
    await user.should_see('Email or password is wrong.', retries=30)
    await user.should_not_see(marker='new-course')


async def test_repeated_failures_are_slowed_down(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await user.open('/login')
    for _ in range(3):  # typos happen: three failures are free
        user.find(marker='email').clear().type('ada@example.org')
        user.find(marker='password').clear().type('wrong password!')
        user.find(marker='sign-in').click()
        await until(lambda: value_of(user, 'password') == '')  # the form clears it after each failure
    user.find(marker='password').clear().type(PASSWORD)
    user.find(marker='sign-in').click()
    await user.should_see('Too many failed attempts.')  # even the right password waits its turn
    await user.should_not_see(marker='new-course')


async def test_sign_out_ends_the_session(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/logout')
    await user.should_see(marker='sign-in')
    response = await user.http_client.get('/courses')
    assert response.headers['location'].startswith('/login')


async def test_sign_up_is_closed_by_default(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await user.open('/signup')
    await user.should_see(marker='sign-in')
    await user.should_not_see('Create your account')


@pytest.fixture
def open_signup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('MEDIASHELF_OPEN_SIGNUP', 'true')


async def test_open_sign_up_creates_a_regular_instructor(open_signup: None, user: User, make_instructor) -> None:
    make_instructor('ada@example.org', admin=True)
    await user.open('/signup')
    fill_account_form(user, email='bob@example.org')
    await user.should_see(marker='new-course', retries=30)
    user.find(marker='account-menu').click()
    await user.should_see('bob@example.org', retries=30)
    await user.should_not_see('Instructors')


async def test_admin_adds_an_instructor_who_can_then_sign_in(user: User, make_instructor) -> None:
    make_instructor('ada@example.org', admin=True)
    await signed_in(user, 'ada@example.org')
    await user.open('/admin/instructors')
    fill_account_form(user, email='bob@example.org', name='Bob')
    await user.should_see('Added bob@example.org', retries=30)
    with user.scope(marker='instructors'):
        await user.should_see('Bob')
    fill_account_form(user, email='BOB@example.org')
    await user.should_see('An account with this email already exists.', retries=30)


async def test_only_admins_see_the_instructor_list(user: User, make_instructor) -> None:
    make_instructor('ada@example.org', admin=True)
    make_instructor('bob@example.org')
    await signed_in(user, 'bob@example.org')
    await user.open('/admin/instructors')
    await user.should_see(marker='library-empty')
    await user.should_not_see(marker='instructors')


async def test_scripts_sign_in_over_json(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    wrong = await user.http_client.post('/api/session', json={'email': 'ada@example.org', 'password': 'nope'})
    assert (wrong.status_code, wrong.json()['error']) == (401, 'unauthenticated')
    missing = await user.http_client.post('/api/session', json={'email': 'ada@example.org'})
    assert (missing.status_code, missing.json()['error']) == (422, 'invalid_input')
    assert 'password' in missing.json()['detail']
    right = await user.http_client.post('/api/session', json={'email': 'ADA@example.org', 'password': PASSWORD})
    assert right.status_code == 200
    assert right.json()['email'] == 'ada@example.org'
    assert (await user.http_client.get('/api/media/upload-progress/00000000-0000-0000-0000-000000000000')) \
        .status_code == 404  # signed in: a missing upload, not a missing session
    assert (await user.http_client.delete('/api/session')).status_code == 204
    assert (await user.http_client.get('/api/media/upload-progress/00000000-0000-0000-0000-000000000000')) \
        .status_code == 401


async def test_scripts_are_throttled_too(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    for _ in range(3):
        await user.http_client.post('/api/session', json={'email': 'ada@example.org', 'password': 'wrong one!'})
    throttled = await user.http_client.post('/api/session', json={'email': 'ada@example.org', 'password': PASSWORD})
    assert throttled.status_code == 429
    assert 'Try again in' in throttled.json()['detail']
