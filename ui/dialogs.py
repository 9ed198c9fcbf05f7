"""Small dialogs the pages share: a text prompt and a confirmation, both awaited like a function call."""
from nicegui import ui


async def ask_text(title: str, *, label: str, value: str = '', action: str = 'Save') -> str | None:
    with ui.dialog() as dialog, ui.card().classes('w-96'):
        ui.label(title).classes('text-lg font-semibold')
        field = ui.input(label, value=value).props('autofocus outlined').classes('w-full').mark('dialog-input')
        field.on('keydown.enter', lambda: dialog.submit(field.value))
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat')
            ui.button(action, on_click=lambda: dialog.submit(field.value)).mark('dialog-ok')
    result = await dialog
    dialog.clear()
    return result


async def confirm(title: str, message: str, *, action: str = 'Delete') -> bool:
    with ui.dialog() as dialog, ui.card().classes('w-96'):
        ui.label(title).classes('text-lg font-semibold')
        ui.label(message).classes('text-sm')
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat')
            ui.button(action, on_click=lambda: dialog.submit(True)).props('color=negative').mark('dialog-ok')
    result = await dialog
    dialog.clear()
    return bool(result)
