"""The course editor in real Chromium: three clicks from a chapter to a linked library video, and a video
dropped on a chapter's drop zone that lands in the library and in that chapter."""
from pathlib import Path

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from db.unit_of_work import SqlUnitOfWork
from domain import courses
from tests.browser.conftest import sign_in
from tests.browser.drag_and_drop import DroppedFile, drop_files
from tests.media_samples import make_mp4


@pytest.fixture
def course_page(screen: Screen, make_instructor, app_engine):
    ada = make_instructor('ada@example.org')
    course = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Film')
    chapter = courses.add_chapter(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=course.id, title='Week 1')
    sign_in(screen, 'ada@example.org', then=f'/courses/{course.id}', expect='Chapters')
    return ada, course, chapter


def linked_names(screen: Screen) -> list[str]:
    return [element.text for element in screen.selenium.find_elements(By.CSS_SELECTOR, '.linked-name')]


def test_a_library_video_is_linked_in_three_clicks(screen: Screen, course_page, make_media) -> None:
    ada, _, _ = course_page
    make_media(ada.id, 'Lighting basics.mp4')
    make_media(ada.id, 'Handout.pdf')
    screen.click('Add media')  # opens the chapter's add area (not counted: the area is a disclosure)
    clicks = 0
    screen.click('From library')
    clicks += 1
    screen.should_contain('Add from library')
    screen.click('Lighting basics.mp4')
    clicks += 1
    screen.should_contain('1 selected')
    screen.click('Link 1 item')
    clicks += 1
    screen.wait_for(lambda: linked_names(screen) == ['Lighting basics.mp4'])
    assert clicks <= 3


def test_a_video_dropped_on_a_chapter_lands_there_when_ready(screen: Screen, course_page, tmp_path: Path) -> None:
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=2.0)
    screen.click('Add media')
    screen.should_contain('Drop files here or click to browse')
    drop_files(screen, [DroppedFile(clip, 'Week 1 lecture.mp4', 'video/mp4')], selector='.mediashelf-dropzone')
    screen.should_contain('1 completed')
    screen.wait_for(lambda: linked_names(screen) == ['Week 1 lecture.mp4'])
    screen.should_contain('0:02 of video')
    screen.open('/library')
    screen.should_contain('Week 1 lecture.mp4')  # it is in the library as well
