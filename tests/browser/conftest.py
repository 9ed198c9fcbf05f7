"""What browser tests share: signing in through the real form."""
import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from tests.conftest import PASSWORD


def sign_in(screen: Screen, email: str, *, then: str = '/library', expect: str = 'Drop files here or click to browse'
            ) -> None:
    """Type the credentials the way a person does and land on `then`."""
    screen.open(f'/login?next={then}')
    inputs = screen.selenium.find_elements(By.CSS_SELECTOR, 'input')
    inputs[0].send_keys(email)
    inputs[1].send_keys(PASSWORD + '\n')
    screen.should_contain(expect)


@pytest.fixture
def signed_in(screen: Screen, make_instructor) -> Screen:
    """An instructor signed in and looking at their library."""
    make_instructor('ada@example.org')
    sign_in(screen, 'ada@example.org')
    return screen
