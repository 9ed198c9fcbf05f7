"""The chrome every signed-in page shares: header, navigation and the account menu."""
from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from domain.accounts import Instructor

NAVIGATION = (('Library', '/library', 'perm_media'), ('Courses', '/courses', 'school'))


@contextmanager
def frame(title: str, instructor: Instructor) -> Iterator[None]:
    ui.page_title(f'{title} · Mediashelf')
    with ui.header().classes('items-center justify-between bg-slate-800 px-6 py-2'):
        with ui.row().classes('items-center gap-6'):
            ui.link('Mediashelf', '/library').classes('text-xl font-semibold text-white no-underline')
            for label, target, icon in NAVIGATION:
                with ui.link(target=target).classes('text-white no-underline').mark(f'nav-{label.lower()}'):
                    ui.icon(icon).classes('mr-1')
                    ui.label(label).classes('inline')
        with ui.button(icon='account_circle').props('flat color=white no-caps').mark('account-menu'):
            ui.label(instructor.display_name).classes('ml-2')
            with ui.menu():
                ui.menu_item(instructor.email).props('disable')
                ui.menu_item('Account and API tokens', lambda: ui.navigate.to('/account')).mark('account')
                if instructor.is_admin:
                    ui.menu_item('Instructors', lambda: ui.navigate.to('/admin/instructors'))
                ui.menu_item('Sign out', lambda: ui.navigate.to('/logout')).mark('sign-out')
    with ui.column().classes('w-full max-w-5xl mx-auto p-6 gap-4'):
        ui.label(title).classes('text-2xl font-semibold').mark('page-title')
        yield


def show_error(message: str) -> None:
    """Rules broken by the user come back as domain errors; they are shown, never raised into a traceback."""
    ui.notify(message, type='negative')
