"""Steps UI tests share: signing in the way an instructor does."""
import asyncio
from collections.abc import Callable

from nicegui import ui
from nicegui.testing import User

from tests.conftest import PASSWORD


async def sign_in(user: User, email: str, password: str = PASSWORD, *, path: str = '/login') -> None:
    await user.open(path)
    user.find(marker='email').type(email)
    user.find(marker='password').type(password)
    user.find(marker='sign-in').click()


async def signed_in(user: User, email: str, password: str = PASSWORD, *, path: str = '/login') -> None:
    """Sign in and wait until the signed-in page is there (argon2 runs in a thread)."""
    await sign_in(user, email, password, path=path)
    await user.should_see(marker='account-menu', retries=50)


async def until(condition: Callable[[], bool], *, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError('condition not met in time')


def value_of(user: User, marker: str) -> str:
    element = next(iter(user.find(marker=marker).elements))
    assert isinstance(element, ui.input)
    return element.value


def fill_account_form(user: User, *, email: str, password: str = PASSWORD, repeat: str | None = None,
                      name: str = '') -> None:
    """Name, email and the password typed twice, then submit: setup, sign-up and the admin page share it."""
    if name:
        user.find(marker='name').clear().type(name)
    user.find(marker='email').clear().type(email)
    user.find(marker='password').clear().type(password)
    user.find(marker='repeat-password').clear().type(password if repeat is None else repeat)
    user.find(marker='submit').click()
