"""One library item as a card: thumbnail (or a kind icon), name, kind, size, duration and status."""
from nicegui import ui

from domain.media import MediaItem, MediaKind, MediaStatus, format_bytes

from .formatting import format_duration

KIND_ICONS = {MediaKind.VIDEO: 'movie', MediaKind.IMAGE: 'image', MediaKind.DOCUMENT: 'description',
              MediaKind.AUDIO: 'audiotrack'}


class MediaCard(ui.card):
    def __init__(self, item: MediaItem) -> None:
        super().__init__()
        self.classes('w-52 p-0 gap-0 overflow-hidden').mark('media-card', f'media-{item.id}')
        with self:
            with ui.element('div').classes('w-full h-32 bg-slate-100 flex items-center justify-center relative'):
                if item.thumbnail_key:
                    ui.image(f'/api/media/{item.id}/thumbnail').props('fit=cover') \
                        .classes('media-thumbnail w-full h-32').mark('media-thumbnail')
                else:
                    ui.icon(KIND_ICONS[item.kind], size='3rem').classes('text-slate-400')
                if item.duration_seconds is not None:
                    ui.label(format_duration(item.duration_seconds)).mark('media-duration') \
                        .classes('media-duration absolute bottom-1 right-1 bg-black/70 text-white text-xs px-1 rounded')
            with ui.column().classes('w-full p-2 gap-1'):
                ui.label(item.display_name).classes('media-name text-sm font-medium truncate w-full') \
                    .mark('media-name').tooltip(item.display_name)
                with ui.row().classes('items-center gap-2 text-xs text-gray-600'):
                    ui.badge(str(item.kind)).props('outline').mark('media-kind')
                    ui.label(format_bytes(item.size))
                if item.status == MediaStatus.PROCESSING:
                    with ui.row().classes('items-center gap-1 text-xs text-gray-500'):
                        ui.spinner(size='xs')
                        ui.label('Making preview…')
                elif item.status_detail:
                    ui.label(item.status_detail).classes('text-xs text-amber-700').mark('media-note')
