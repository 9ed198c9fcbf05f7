"""Media in chapters: pick from the library, upload into a chapter, reorder, unlink."""
from pathlib import Path

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from db.unit_of_work import SqlUnitOfWork
from domain import courses
from domain.changes import ChangeFeed
from domain.links import Linking
from tests.media_samples import make_mp4
from tests.ui.helpers import signed_in, until


def linked_names(user: User) -> list[str]:
    """Names of linked media in page order (chapter after chapter); empty while there are none."""
    with user:
        labels = sorted(ElementFilter(kind=ui.item_label, marker='linked-name'), key=lambda element: element.id)
    return [label.text for label in labels]


def pick(user: User, item_id) -> None:
    user.find(marker=f'pick-{item_id}').click()


@pytest.fixture
def film(make_instructor, make_media, app_engine):
    ada = make_instructor('ada@example.org')
    course = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Film')
    chapter = courses.add_chapter(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=course.id, title='Week 1')
    items = {name: make_media(ada.id, name) for name in ('lighting.mp4', 'sound.mp4', 'notes.pdf', 'still.png')}
    linking = Linking(new_uow=lambda: SqlUnitOfWork(app_engine), feed=ChangeFeed())
    return ada, course, chapter, items, linking


async def open_editor(user: User, course) -> None:
    await signed_in(user, 'ada@example.org')
    await user.open(f'/courses/{course.id}')


async def test_pick_several_from_the_library_in_three_clicks(user: User, film) -> None:
    _, course, _, items, _ = film
    await open_editor(user, course)
    user.find(marker='tab-library').click()  # 1
    await user.should_see(marker='media-selector')
    await user.should_see('0 selected')
    pick(user, items['sound.mp4'].id)  # 2
    pick(user, items['notes.pdf'].id)
    await user.should_see('2 selected')
    user.find('Link 2 items').click()  # 3
    await until(lambda: linked_names(user) == ['sound.mp4', 'notes.pdf'])
    await user.should_see('2 items')


async def test_the_selector_searches_filters_and_marks_linked_items(user: User, film) -> None:
    ada, course, chapter, items, linking = film
    linking.link(ada.id, chapter.id, [items['lighting.mp4'].id])
    await open_editor(user, course)
    user.find(marker='tab-library').click()
    await user.should_see(marker='media-selector')
    await user.should_see('Linked')  # lighting.mp4 is already in the chapter
    pick(user, items['lighting.mp4'].id)
    await user.should_see('0 selected')  # and cannot be picked again
    user.find(marker='selector-search').type('SOUND')
    await until(lambda: [e.text for e in user.find(marker='selector-name').elements] == ['sound.mp4'])
    user.find(marker='selector-search').clear()
    with user:
        next(iter(user.find(marker='selector-kind').elements)).value = 'image'
    await until(lambda: [e.text for e in user.find(marker='selector-name').elements] == ['still.png'])
    user.find(marker='selector-cancel').click()
    await user.should_not_see(marker='media-selector')
    assert linked_names(user) == ['lighting.mp4']


async def test_reorder_and_unlink(user: User, film, app_engine) -> None:
    ada, course, chapter, items, linking = film
    linking.link(ada.id, chapter.id, [items[name].id for name in ('lighting.mp4', 'sound.mp4', 'notes.pdf')])
    await open_editor(user, course)
    await until(lambda: linked_names(user) == ['lighting.mp4', 'sound.mp4', 'notes.pdf'])
    user.find(marker='media-up-notes.pdf').click()
    await until(lambda: linked_names(user) == ['lighting.mp4', 'notes.pdf', 'sound.mp4'])
    user.find(marker='media-down-lighting.mp4').click()
    await until(lambda: linked_names(user) == ['notes.pdf', 'lighting.mp4', 'sound.mp4'])
    user.find(marker='unlink-lighting.mp4').click()
    await user.should_see('Unlinked lighting.mp4. It stays in your library.')
    await until(lambda: linked_names(user) == ['notes.pdf', 'sound.mp4'])
    with SqlUnitOfWork(app_engine) as uow:
        assert uow.media.get(items['lighting.mp4'].id) is not None


async def test_upload_into_a_chapter_links_it_and_a_duplicate_links_the_existing_item(
        user: User, film, tmp_path: Path, app_engine) -> None:
    ada, course, chapter, _, _ = film
    await open_editor(user, course)
    clip = make_mp4(tmp_path / 'clip.mp4', seconds=2.0).read_bytes()
    response = await user.http_client.post(f'/api/media/upload?chapter_id={chapter.id}',
                                           files={'file': ('new lecture.mp4', clip)})
    assert response.status_code == 201
    await until(lambda: linked_names(user) == ['new lecture.mp4'])
    await user.should_see('0:02 of video', retries=50)  # chapter total once the duration is known
    other = courses.add_chapter(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=course.id, title='Week 2')
    again = await user.http_client.post(f'/api/media/upload?chapter_id={other.id}',
                                        files={'file': ('same bytes.mp4', clip)})
    assert again.status_code == 200
    assert again.json()['duplicate'] is True
    assert again.json()['id'] == response.json()['id']
    await until(lambda: linked_names(user) == ['new lecture.mp4', 'new lecture.mp4'])  # both chapters
    await user.should_see('0:04 of video in total')


async def test_uploading_into_someone_elses_chapter_is_refused_before_reading(user: User, film, make_instructor,
                                                                             tmp_path: Path) -> None:
    _, _, chapter, _, _ = film
    make_instructor('bob@example.org')
    await signed_in(user, 'bob@example.org')
    response = await user.http_client.post(f'/api/media/upload?chapter_id={chapter.id}',
                                           files={'file': ('x.mp4', make_mp4(tmp_path / 'x.mp4').read_bytes())})
    assert response.status_code == 404
    assert response.json()['error'] == 'not_found'
