"""The drop zone: NiceGUI's upload element, pointed at our streaming route.

The element stays in charge of the browser side (drag and drop, picking files, one request per file); the
bytes go to `/api/media/upload`, which streams them into storage and reports progress through the server-side
registry. The browser's own checks (type, size) are a courtesy: the server enforces every rule again.
"""
from collections.abc import Sequence
from urllib.parse import urlencode

from nicegui import events, ui

from domain.media import ACCEPTED_EXTENSIONS, format_bytes

UPLOAD_URL = '/api/media/upload'
_SEND_SIZE = ":headers=\"files => [{name: 'X-File-Size', value: String(files[0].size)}]\""
_REJECTED = '(entries) => emit(entries.map(e => ({name: e.file.name, reason: e.failedPropValidation})))'


class DropZone(ui.upload):
    def __init__(self, *, max_bytes: int, accept: Sequence[str] = ACCEPTED_EXTENSIONS, compact: bool = False,
                 query: dict[str, str] | None = None, max_files: int | None = None) -> None:
        super().__init__(multiple=True, auto_upload=True, max_file_size=max_bytes, max_files=max_files)
        self._max_bytes = max_bytes
        self.props['url'] = f'{UPLOAD_URL}?{urlencode(query)}' if query else UPLOAD_URL
        self.props['field-name'] = 'file'
        self.props['accept'] = ','.join(accept)
        self.props(f'{_SEND_SIZE} flat bordered')
        self.classes('mediashelf-dropzone w-full' + (' compact' if compact else ''))
        self.on('rejected', self._explain_rejection, js_handler=_REJECTED)
        self.on('finish', self.reset)  # our progress panel shows the files; the element's own list starts empty again
        with self.add_slot('header'):
            self._header(title='Add media' if compact else 'Upload to your library')
        with self.add_slot('list'):
            self._hint(compact=compact)

    @property
    def _pick_files(self) -> str:
        """Opening the file picker must happen in the browser, inside the click: browsers refuse it otherwise."""
        return f'() => getElement({self.id}).$refs.qRef.pickFiles()'

    def _header(self, *, title: str) -> None:
        """Quasar's header shows its own byte counter; progress lives in our panel, so the header only names the
        zone and offers the file picker."""
        with ui.row().classes('w-full items-center justify-between px-3 py-1 no-wrap'):
            ui.label(title).classes('text-sm font-medium')
            ui.button(icon='add').props('flat round dense color=white').tooltip('Choose files') \
                .on('click', js_handler=self._pick_files)

    def _hint(self, *, compact: bool) -> None:
        """What an empty drop zone says; clicking anywhere on it opens the file picker."""
        with ui.column().classes('w-full items-center justify-center gap-1 py-2 text-gray-600 cursor-pointer') \
                .on('click', js_handler=self._pick_files):
            ui.icon('cloud_upload', size='1.5rem' if compact else '3rem')
            ui.label('Drop files here or click to browse').classes('text-sm' if compact else 'text-base')
            if not compact:
                ui.label(f'Video, images, documents and audio, up to {format_bytes(self._max_bytes)} each') \
                    .classes('text-xs')

    def _explain_rejection(self, event: events.GenericEventArguments) -> None:
        for entry in event.args or []:
            name = str(entry.get('name', 'A file'))
            reason = entry.get('reason')
            if reason == 'max-file-size':
                ui.notify(f'{name} is larger than the {format_bytes(self._max_bytes)} limit.', type='warning')
            elif reason == 'max-files':
                ui.notify(f'{name} was not added: too many files at once.', type='warning')
            else:
                ui.notify(f'{name} is not a supported file type.', type='warning')
