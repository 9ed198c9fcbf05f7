"""A real Chromium signs in and reorders chapters, the way an instructor does it."""
from nicegui.testing import Screen
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from db.unit_of_work import SqlUnitOfWork
from domain import courses
from tests.conftest import PASSWORD


def chapter_titles(screen: Screen) -> list[str]:
    return [element.text for element in screen.selenium.find_elements(By.CSS_SELECTOR, '.chapter-title')]


def test_sign_in_and_reorder_chapters(screen: Screen, make_instructor, app_engine) -> None:
    ada = make_instructor('ada@example.org', name='Ada')
    course = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Film')
    for title in ('Light', 'Sound', 'Edit'):
        courses.add_chapter(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=course.id, title=title)

    screen.open(f'/courses/{course.id}')
    screen.should_contain('Welcome back.')  # not signed in yet: the course waits behind the sign-in form
    inputs = screen.selenium.find_elements(By.CSS_SELECTOR, 'input')
    inputs[0].send_keys('ada@example.org')
    inputs[1].send_keys(PASSWORD + Keys.ENTER)
    screen.should_contain('Chapters')
    screen.wait_for(lambda: chapter_titles(screen) == ['Light', 'Sound', 'Edit'])

    screen.selenium.find_element(By.CSS_SELECTOR, '[aria-label="Move Edit up"]').click()
    screen.wait_for(lambda: chapter_titles(screen) == ['Light', 'Edit', 'Sound'])
    screen.selenium.find_element(By.CSS_SELECTOR, '[aria-label="Move Light down"]').click()
    screen.wait_for(lambda: chapter_titles(screen) == ['Edit', 'Light', 'Sound'])

    screen.open(f'/courses/{course.id}')  # the order is stored, not just shown
    screen.wait_for(lambda: chapter_titles(screen) == ['Edit', 'Light', 'Sound'])
