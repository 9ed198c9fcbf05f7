"""Finding and managing items on the library page: search, filters, sort, pages, rename, delete."""
import pytest
from nicegui import ui
from nicegui.testing import User

from db.unit_of_work import SqlUnitOfWork
from domain import courses
from domain.library import Library, LibraryQuery
from tests.ui.helpers import signed_in, until


def names(user: User) -> list[str]:
    """Item names in page order."""
    labels = sorted(user.find(marker='media-name').elements, key=lambda element: element.id)
    return [label.text for label in labels if isinstance(label, ui.label)]


def open_item(user: User, name: str) -> None:
    """Click the card that shows this name, as a person would."""
    for card in user.find(marker='media-card').elements:
        if any(isinstance(child, ui.label) and child.text == name for child in card.descendants()):
            item_marker = next(mark for mark in card._markers if mark.startswith('media-') and mark != 'media-card')
            user.find(marker=item_marker).click()
            return
    raise AssertionError(f'no card shows {name}')


def count_items(app_engine, owner_id) -> int:
    with SqlUnitOfWork(app_engine) as uow:
        return uow.media.search(LibraryQuery(owner_id=owner_id))[1]


@pytest.fixture
async def ada(user: User, make_instructor, make_media):
    instructor = make_instructor('ada@example.org')
    for name, size in [('Intro to Lighting.mp4', 300), ('École d’été.pdf', 100), ('diagram.png', 50),
                       ('Outro lighting.mov', 900), ('theme.mp3', 10)]:
        make_media(instructor.id, name, size=size)
    await signed_in(user, 'ada@example.org')
    return instructor


async def test_newest_first_with_a_storage_summary(user: User, ada) -> None:
    await user.open('/library')
    assert names(user) == ['Intro to Lighting.mp4', 'École d’été.pdf', 'diagram.png', 'Outro lighting.mov',
                           'theme.mp3']
    await user.should_see('5 items, 1.3 KB')
    await user.should_see('2 videos (1.2 KB)')


async def test_search_ignores_case_and_accents(user: User, ada) -> None:
    await user.open('/library')
    user.find(marker='search').type('LIGHTING')
    await until(lambda: names(user) == ['Intro to Lighting.mp4', 'Outro lighting.mov'])
    user.find(marker='search').clear().type('ecole')
    await until(lambda: names(user) == ['École d’été.pdf'])
    user.find(marker='search').clear().type('nothing like this')
    await user.should_see('Nothing matches. Try another name or kind.')


async def test_filters_and_sort_live_in_the_url(user: User, ada) -> None:
    await user.open('/library?kind=video&sort=size')
    assert names(user) == ['Outro lighting.mov', 'Intro to Lighting.mp4']
    await user.open('/library?sort=name')
    assert names(user) == ['diagram.png', 'École d’été.pdf', 'Intro to Lighting.mp4', 'Outro lighting.mov',
                           'theme.mp3']
    await user.open('/library?q=light&sort=oldest')
    assert names(user) == ['Outro lighting.mov', 'Intro to Lighting.mp4']
    await user.open('/library?kind=spreadsheet')  # a mangled link shows the plain library
    assert len(names(user)) == 5


async def test_the_kind_filter_and_sort_controls(user: User, ada) -> None:
    await user.open('/library')
    user.find(marker='kind-filter').click()  # the toggle is driven by its value in the simulation
    with user:
        next(iter(user.find(marker='kind-filter').elements)).value = 'document'
    await until(lambda: names(user) == ['École d’été.pdf'])
    with user:
        next(iter(user.find(marker='kind-filter').elements)).value = ''
        next(iter(user.find(marker='sort').elements)).value = 'size'
    await until(lambda: names(user)[:2] == ['Outro lighting.mov', 'Intro to Lighting.mp4'])


async def test_pages_of_a_large_library(user: User, make_instructor, make_media) -> None:
    ada = make_instructor('ada@example.org')
    for number in range(30):
        make_media(ada.id, f'clip {number:02d}.mp4')
    await signed_in(user, 'ada@example.org')
    await user.open('/library')
    assert names(user)[0] == 'clip 00.mp4'
    assert len(names(user)) == 24
    await user.should_see('1–24 of 30')
    await user.open('/library?page=2')
    assert names(user) == [f'clip {number:02d}.mp4' for number in range(24, 30)]
    await user.should_see('25–30 of 30')
    await user.open('/library?page=9')  # past the end: the last page
    await user.should_see('25–30 of 30')


async def test_the_view_choice_is_remembered_per_instructor(user: User, ada, app_engine) -> None:
    await user.open('/library')
    await user.should_see(marker='media-grid')
    with user:
        next(iter(user.find(marker='layout').elements)).value = 'list'
    await user.should_see(marker='media-list')
    await user.open('/library')
    await user.should_see(marker='media-list')
    with SqlUnitOfWork(app_engine) as uow:
        assert uow.instructors.get(ada.id).library_view == 'list'


async def test_rename_from_the_detail_dialog(user: User, ada) -> None:
    await user.open('/library')
    open_item(user, 'diagram.png')
    await user.should_see(marker='media-detail')
    await user.should_see('Not used in any course yet.')
    user.find(marker='rename-input').clear().type('<b>Wiring & diagram.png')
    user.find(marker='rename-save').click()
    await user.should_see('Renamed')
    await until(lambda: '<b>Wiring & diagram.png' in names(user))


async def test_deleting_an_item_in_use_lists_where_first(user: User, ada, link_media, app_engine,
                                                         make_media) -> None:
    film = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Film')
    week = courses.add_chapter(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=film.id, title='Week 1')
    item = make_media(ada.id, 'used clip.mp4', minutes_ago=0)
    link_media(item, film.id, week.id)
    await user.open('/library')
    open_item(user, 'used clip.mp4')
    await user.should_see('Film › Week 1')
    user.find(marker='detail-delete').click()
    await user.should_see('It is used in 1 chapter: Film › Week 1. Deleting removes it from there too.')
    user.find('Cancel').click()
    await until(lambda: count_items(app_engine, ada.id) == 6)
    user.find(marker='detail-delete').click()
    await user.should_see('Delete anyway')
    user.find('Delete anyway').click()
    await user.should_see('Deleted 1 item')
    await until(lambda: 'used clip.mp4' not in names(user))
    assert count_items(app_engine, ada.id) == 5
    assert courses.get_outline(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=film.id).chapters  # intact


async def test_bulk_delete_with_one_combined_summary(user: User, ada, link_media, app_engine) -> None:
    film = courses.create_course(SqlUnitOfWork(app_engine), owner_id=ada.id, title='Film')
    week = courses.add_chapter(SqlUnitOfWork(app_engine), owner_id=ada.id, course_id=film.id, title='Week 1')
    library_items = Library(new_uow=lambda: SqlUnitOfWork(app_engine), blobs=None, feed=None)  # type: ignore[arg-type]
    first = library_items.page(LibraryQuery(owner_id=ada.id)).items[0]
    link_media(first, film.id, week.id)
    await user.open('/library')
    user.find(marker='select-page').click()
    await user.should_see('5 selected')
    user.find(marker='delete-selected').click()
    await user.should_see('Delete 5 items?')
    await user.should_see('1 of them is used in 1 chapter: Film › Week 1. Deleting removes it from there too.')
    user.find('Delete anyway').click()
    await user.should_see('Deleted 5 items')
    await user.should_see('Your library is empty.')
    assert count_items(app_engine, ada.id) == 0


async def test_another_instructors_items_never_show(user: User, ada, make_instructor, make_media) -> None:
    bob = make_instructor('bob@example.org')
    make_media(bob.id, 'bob secret.mp4')
    await user.open('/library?q=secret')
    await user.should_see('Nothing matches. Try another name or kind.')
