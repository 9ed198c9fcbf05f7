"""Building a course outline in the UI, and never seeing another instructor's courses."""
from nicegui import ui
from nicegui.testing import User

from db.unit_of_work import SqlUnitOfWork
from domain import courses
from tests.ui.helpers import signed_in, until


def chapter_titles(user: User) -> list[str]:
    labels = sorted(user.find(marker='chapter-title').elements, key=lambda element: element.id)  # a set: page order
    return [label.text for label in labels if isinstance(label, ui.item_label)]


async def create_course(user: User, title: str) -> None:
    await user.open('/courses')
    user.find(marker='new-course').click()
    await user.should_see(marker='dialog-input')
    user.find(marker='dialog-input').type(title)
    user.find(marker='dialog-ok').click()
    await user.should_see(marker=f'course-{title}')


async def test_create_rename_and_delete_a_course(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/courses')
    await user.should_see('No courses yet. Create one, then add chapters and media.')
    await create_course(user, 'Film <b>101</b>')
    await user.should_see('Film <b>101</b>')  # shown as typed, not as markup
    user.find(marker='rename-course-Film <b>101</b>').click()
    await user.should_see(marker='dialog-input')
    user.find(marker='dialog-input').clear().type('Film 102')
    user.find(marker='dialog-ok').click()
    await user.should_see(marker='course-Film 102')
    user.find(marker='delete-course-Film 102').click()
    await user.should_see('The media stays in your library.')
    user.find(marker='dialog-ok').click()
    await user.should_see(marker='courses-empty')


async def test_an_empty_course_title_is_refused(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await user.open('/courses')
    user.find(marker='new-course').click()
    await user.should_see(marker='dialog-input')
    user.find(marker='dialog-input').type('   ')
    user.find(marker='dialog-ok').click()
    await user.should_see('The title cannot be empty.')
    await user.should_see(marker='courses-empty')


async def test_build_and_reorder_an_outline(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    await signed_in(user, 'ada@example.org')
    await create_course(user, 'Film')
    user.find(marker='course-Film').click()
    await user.should_see(marker='chapters-empty')
    for title in ('Light', 'Sound', 'Edit'):
        user.find(marker='new-chapter-title').type(title)
        user.find(marker='add-chapter').click()
    await user.should_see(marker='chapter-list')
    await until(lambda: chapter_titles(user) == ['Light', 'Sound', 'Edit'])
    user.find(marker='up-Edit').click()
    await until(lambda: chapter_titles(user) == ['Light', 'Edit', 'Sound'])
    user.find(marker='down-Light').click()
    await until(lambda: chapter_titles(user) == ['Edit', 'Light', 'Sound'])
    user.find(marker='rename-Sound').click()
    await user.should_see(marker='dialog-input')
    user.find(marker='dialog-input').clear().type('Sound design')
    user.find(marker='dialog-ok').click()
    await until(lambda: chapter_titles(user) == ['Edit', 'Light', 'Sound design'])
    user.find(marker='delete-Light').click()
    await user.should_see(marker='dialog-ok')
    user.find(marker='dialog-ok').click()
    await until(lambda: chapter_titles(user) == ['Edit', 'Sound design'])
    await user.should_see('2.')  # numbering follows the dense positions


async def test_course_details_are_saved(user: User, make_instructor, app_engine) -> None:
    ada = make_instructor('ada@example.org')
    course = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Film')
    await signed_in(user, 'ada@example.org')
    await user.open(f'/courses/{course.id}')
    user.find(marker='course-description').type('Learn to light a scene.')
    user.find(marker='save-details').click()
    await user.should_see('Saved')
    outline = courses.get_outline(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=course.id)
    assert outline.course.description == 'Learn to light a scene.'


async def test_another_instructors_course_is_a_404(user: User, make_instructor, app_engine) -> None:
    ada = make_instructor('ada@example.org')
    make_instructor('bob@example.org')
    adas = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Ada only')
    await signed_in(user, 'bob@example.org')
    await user.open('/courses')
    await user.should_not_see('Ada only')
    for path in (f'/courses/{adas.id}', '/courses/not-a-uuid'):
        response = await user.http_client.get(path)
        assert response.status_code == 404, path
        assert 'Ada only' not in response.text
