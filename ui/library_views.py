"""The two ways to look at a page of the library: a grid of cards and a list with sortable columns."""
from collections.abc import Callable

from nicegui import ui

from domain.library import Sort
from domain.media import MediaItem, MediaStatus, format_bytes

from .formatting import format_duration
from .media_card import KIND_ICONS, MediaCard

Open = Callable[[MediaItem], None]
Toggle = Callable[[MediaItem, bool], None]

# List columns: header, the sort it stands for (None: not sortable), width classes.
_COLUMNS: list[tuple[str, Sort | None, str]] = [
    ('Name', Sort.NAME, 'grow'), ('Kind', None, 'w-24'), ('Duration', None, 'w-20'), ('Size', Sort.SIZE, 'w-24'),
    ('Uploaded', Sort.NEWEST, 'w-40'),
]


def media_grid(items: list[MediaItem], *, selected: set, on_open: Open, on_toggle: Toggle) -> None:
    with ui.row().classes('w-full gap-4').mark('media-grid'):
        for item in items:
            with ui.element('div').classes('relative'):
                MediaCard(item).classes('cursor-pointer').on('click', lambda i=item: on_open(i))
                ui.checkbox(value=item.id in selected, on_change=lambda e, i=item: on_toggle(i, e.value)) \
                    .classes('absolute top-0 left-0 bg-white/80 rounded').props('dense') \
                    .mark('select-item').props['aria-label'] = f'Select {item.display_name}'


def media_list(items: list[MediaItem], *, selected: set, sort: Sort, on_sort: Callable[[Sort], None],
               on_open: Open, on_toggle: Toggle) -> None:
    with ui.list().props('bordered separator').classes('w-full').mark('media-list'):
        with ui.item().classes('bg-slate-50 text-xs font-semibold text-gray-600'), \
                ui.row().classes('w-full items-center no-wrap gap-2 pl-10'):
            for header, column_sort, width in _COLUMNS:
                _header(header, column_sort, width, current=sort, on_sort=on_sort)
        for item in items:
            with ui.item(on_click=lambda i=item: on_open(i)).mark('media-row'), \
                    ui.row().classes('w-full items-center no-wrap gap-2'):
                ui.checkbox(value=item.id in selected, on_change=lambda e, i=item: on_toggle(i, e.value)) \
                    .props('dense').on('click.stop', lambda: None).mark('select-item')
                with ui.row().classes('grow items-center gap-2 no-wrap min-w-0'):
                    ui.icon(KIND_ICONS[item.kind]).classes('text-slate-400')
                    ui.label(item.display_name).classes('media-name truncate').mark('media-name')
                    if item.status == MediaStatus.PROCESSING:
                        ui.spinner(size='xs')
                ui.label(str(item.kind)).classes('w-24 text-sm text-gray-600')
                ui.label(format_duration(item.duration_seconds)).classes('w-20 text-sm text-gray-600')
                ui.label(format_bytes(item.size)).classes('w-24 text-sm text-gray-600')
                ui.label(item.created_at.strftime('%Y-%m-%d %H:%M')).classes('w-40 text-sm text-gray-600')


def _header(text: str, column_sort: Sort | None, width: str, *, current: Sort,
            on_sort: Callable[[Sort], None]) -> None:
    if column_sort is None:
        ui.label(text).classes(width)
        return
    active = current == column_sort or (column_sort == Sort.NEWEST and current == Sort.OLDEST)
    target = Sort.OLDEST if current == Sort.NEWEST and column_sort == Sort.NEWEST else column_sort
    with ui.row().classes(f'{width} items-center gap-0 cursor-pointer').on('click', lambda: on_sort(target)) \
            .mark(f'sort-{column_sort}'):
        ui.label(text).classes('text-primary' if active else '')
        if active:
            ui.icon('arrow_upward' if current in (Sort.NAME, Sort.OLDEST) else 'arrow_downward', size='xs')
