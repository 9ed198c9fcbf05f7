"""Small dialogs the pages share: a text prompt and a confirmation, both awaited like a function call.

They hang off the page itself, not the row that opened them: a row is rebuilt on refresh, and a dialog inside
it would vanish (or linger) with it. Each dialog is deleted once answered.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui


async def ask_text(title: str, *, label: str, value: str = '', action: str = 'Save') -> str | None:
    with _page_level_dialog() as dialog:
        ui.label(title).classes('text-lg font-semibold')
        field = ui.input(label, value=value).props('autofocus outlined').classes('w-full').mark('dialog-input')
        field.on('keydown.enter', lambda: dialog.submit(field.value))
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat')
            ui.button(action, on_click=lambda: dialog.submit(field.value)).mark('dialog-ok')
    return await _answer(dialog)


async def confirm(title: str, message: str, *, action: str = 'Delete') -> bool:
    with _page_level_dialog() as dialog:
        ui.label(title).classes('text-lg font-semibold')
        ui.label(message).classes('text-sm')
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat')
            ui.button(action, on_click=lambda: dialog.submit(True)).props('color=negative').mark('dialog-ok')
    return bool(await _answer(dialog))


@contextmanager
def _page_level_dialog() -> Iterator[ui.dialog]:
    with ui.context.client.content, ui.dialog() as dialog, ui.card().classes('w-96'):
        yield dialog


async def _answer(dialog: ui.dialog) -> object:
    result = await dialog
    dialog.delete()
    return result
