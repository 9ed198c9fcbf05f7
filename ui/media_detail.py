"""The detail dialog of one library item: preview, facts, rename, download, where it is used, delete."""
from collections.abc import Awaitable, Callable

from nicegui import ui

from domain.errors import DomainError
from domain.library import Library, Usage
from domain.media import MediaItem, MediaKind, format_bytes

from .dialogs import confirm
from .formatting import format_duration
from .frame import show_error

DeleteItems = Callable[[list[MediaItem]], Awaitable[bool]]


def content_url(item: MediaItem, *, download: bool = False) -> str:
    return f'/api/media/{item.id}/content' + ('?download=1' if download else '')


class MediaDetail(ui.dialog):
    def __init__(self, item: MediaItem, library: Library, *, delete_items: DeleteItems) -> None:
        super().__init__()
        self._item = item
        self._library = library
        self._delete_items = delete_items
        self.props('maximized=false').mark('media-detail')
        with self, ui.card().classes('w-full max-w-4xl gap-3'):
            with ui.row().classes('w-full items-center justify-between no-wrap'):
                self._title = ui.label(item.display_name).classes('text-lg font-semibold truncate') \
                    .mark('detail-title')
                ui.button(icon='close', on_click=self.close).props('flat round dense').tooltip('Close')
            _preview(item)
            with ui.row().classes('w-full gap-6 items-start'):
                with ui.column().classes('grow gap-2 min-w-64'):
                    self._name = ui.input('Name', value=item.display_name).props('outlined dense') \
                        .classes('w-full').mark('rename-input').on('keydown.enter', self._rename)
                    with ui.row().classes('gap-2'):
                        ui.button('Rename', on_click=self._rename).props('outline dense').mark('rename-save')
                        ui.button('Download original', icon='download').props('outline dense') \
                            .on('click', js_handler=f'() => window.open("{content_url(item, download=True)}")') \
                            .mark('download')
                        ui.button('Delete', icon='delete', on_click=self._delete) \
                            .props('outline dense color=negative').mark('detail-delete')
                    _facts(item)
                with ui.column().classes('min-w-64 gap-1').mark('used-in'):
                    ui.label('Used in').classes('text-sm font-semibold')
                    _usage_list(library.usages(item.owner_id, [item.id]))

    async def _rename(self) -> None:
        try:
            self._item = self._library.rename(self._item.owner_id, self._item.id, self._name.value or '')
        except DomainError as error:
            show_error(str(error))
            return
        self._title.text = self._name.value = self._item.display_name
        ui.notify('Renamed', type='positive')

    async def _delete(self) -> None:
        if await self._delete_items([self._item]):
            self.close()


def preview_dialog(item: MediaItem) -> ui.dialog:
    """Just the player (or picture, or PDF), for a quick look from a chapter."""
    with ui.context.client.content, ui.dialog() as dialog, ui.card().classes('w-full max-w-4xl'):
        ui.label(item.display_name).classes('text-lg font-semibold')
        _preview(item)
    dialog.on('hide', dialog.delete)
    return dialog


def _preview(item: MediaItem) -> None:
    """Players that can seek (the content route answers byte ranges), the image itself, or the PDF inline."""
    with ui.element('div').classes('w-full flex justify-center bg-slate-900 rounded').mark('preview'):
        url = content_url(item)
        if item.kind == MediaKind.VIDEO:
            ui.video(url).classes('max-h-[60vh] w-full').mark('preview-video')
        elif item.kind == MediaKind.AUDIO:
            ui.audio(url).classes('w-full p-4').mark('preview-audio')
        elif item.kind == MediaKind.IMAGE:
            ui.image(url).props('fit=contain').classes('max-h-[60vh] w-full').mark('preview-image')
        elif item.mime_type == 'application/pdf':
            ui.element('iframe').props(f'src={url} title="PDF preview"').classes('w-full h-[60vh] bg-white') \
                .mark('preview-pdf')
        else:
            with ui.column().classes('items-center p-8 text-slate-300'):
                ui.icon('description', size='4rem')
                ui.label('No preview for this type; download it to open it.')


def _facts(item: MediaItem) -> None:
    facts = [('Type', item.mime_type), ('Size', format_bytes(item.size))]
    if item.duration_seconds is not None:
        facts.append(('Duration', format_duration(item.duration_seconds)))
    if item.width and item.height:
        facts.append(('Dimensions', f'{item.width} × {item.height}'))
    facts.append(('Uploaded', item.created_at.strftime('%Y-%m-%d %H:%M UTC')))
    if item.status_detail:
        facts.append(('Note', item.status_detail))
    facts.append(('SHA-256', item.sha256))
    with ui.grid(columns='auto 1fr').classes('gap-x-4 gap-y-1 text-sm').mark('facts'):
        for label, value in facts:
            ui.label(label).classes('text-gray-500')
            ui.label(value).classes('break-all' + (' font-mono text-xs' if label == 'SHA-256' else ''))


def _usage_list(usages: list[Usage]) -> None:
    if not usages:
        ui.label('Not used in any course yet.').classes('text-sm text-gray-500').mark('not-used')
        return
    for usage in usages:
        ui.link(f'{usage.course_title} › {usage.chapter_title}', f'/courses/{usage.course_id}') \
            .classes('text-sm').mark('usage')


async def confirm_delete(items: list[MediaItem], usages: list[Usage]) -> bool:
    """One combined summary, however many items: how many, and every chapter that would lose them."""
    count = len(items)
    what = f'"{items[0].display_name}"' if count == 1 else f'{count} items'
    if not usages:
        return await confirm(f'Delete {what}?', 'The files are removed from your library and cannot be restored.')
    places = sorted({f'{u.course_title} › {u.chapter_title}' for u in usages})
    used = len({u.media_id for u in usages})
    lead = 'It is used in' if count == 1 else f'{used} of them {"is" if used == 1 else "are"} used in'
    listed = '; '.join(places[:10]) + (f'; and {len(places) - 10} more' if len(places) > 10 else '')
    return await confirm(f'Delete {what}?', f'{lead} {len(places)} chapter{"s" if len(places) != 1 else ""}: '
                         f'{listed}. Deleting removes it from there too.', action='Delete anyway')
