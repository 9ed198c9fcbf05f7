"""The library selector: pick existing media for a chapter (search, kind filter, multi-select, paged)."""
from dataclasses import replace
from uuid import UUID

from nicegui import ui

from domain.library import Library, LibraryQuery
from domain.media import MediaItem, MediaKind

from .formatting import format_duration
from .media_card import KIND_ICONS

PAGE_SIZE = 24


class MediaSelector(ui.dialog):
    """Resolves to the picked ids, in the order they were picked, or None when cancelled.

    Server-side pages keep it fast however large the library; items already in the chapter are shown as linked
    and cannot be picked again. Enter links, Escape cancels.
    """

    def __init__(self, library: Library, owner_id: UUID, *, linked: set[UUID], chapter_title: str) -> None:
        super().__init__()
        self._library = library
        self._linked = linked
        self._picked: list[UUID] = []
        self._query = LibraryQuery(owner_id=owner_id, page_size=PAGE_SIZE)
        self.mark('media-selector')
        with self, ui.card().classes('w-full max-w-5xl gap-3').on('keydown.enter', self._submit):
            ui.label(f'Add from library to “{chapter_title}”').classes('text-lg font-semibold')
            with ui.row().classes('w-full items-center gap-3'):
                ui.input(placeholder='Search by name', on_change=lambda e: self._change(search=e.value or '')) \
                    .props('outlined dense clearable debounce=300 autofocus').classes('grow').mark('selector-search')
                ui.toggle({'': 'All', **{kind.value: kind.value.capitalize() for kind in MediaKind}}, value='',
                          on_change=lambda e: self._change(kind=MediaKind(e.value) if e.value else None)) \
                    .props('dense no-caps').mark('selector-kind')
            self._results = ui.column().classes('w-full')
            with ui.row().classes('w-full items-center justify-between'):
                self._count = ui.label().classes('text-sm').mark('selector-count')
                with ui.row():
                    ui.button('Cancel', on_click=lambda: self.submit(None)).props('flat').mark('selector-cancel')
                    self._confirm = ui.button(on_click=self._submit).mark('selector-link')
        self._show()

    def _change(self, **changes: object) -> None:
        self._query = replace(self._query, page=1, **changes)  # type: ignore[arg-type]
        self._show()

    def _show(self) -> None:
        page = self._library.page(self._query)
        self._results.clear()
        with self._results:
            if not page.items:
                ui.label('Nothing matches. Upload new media in the other tab.').classes('text-gray-600 py-6') \
                    .mark('selector-empty')
            with ui.row().classes('w-full gap-3'):
                for item in page.items:
                    self._tile(item)
            if page.page_count > 1:
                ui.pagination(1, page.page_count, direction_links=True, value=self._query.page,
                              on_change=lambda e: self._change_page(e.value)).props('max-pages=7')
        self._update_count()

    def _change_page(self, page: int) -> None:
        self._query = replace(self._query, page=page)
        self._show()

    def _tile(self, item: MediaItem) -> None:
        linked = item.id in self._linked
        picked = item.id in self._picked
        with ui.card().classes('w-40 p-0 gap-0 ' + ('opacity-50' if linked else 'cursor-pointer')) \
                .classes('ring-2 ring-primary' if picked else '').mark('selector-item', f'pick-{item.id}') as card:
            with ui.element('div').classes('w-full h-24 bg-slate-100 flex items-center justify-center relative'):
                if item.thumbnail_key:
                    ui.image(f'/api/media/{item.id}/thumbnail').props('fit=cover').classes('w-full h-24')
                else:
                    ui.icon(KIND_ICONS[item.kind], size='2rem').classes('text-slate-400')
                if picked:
                    ui.icon('check_circle', size='1.5rem').classes('absolute top-1 right-1 text-primary bg-white '
                                                                   'rounded-full')
            with ui.column().classes('p-2 gap-0 w-full'):
                ui.label(item.display_name).classes('text-xs font-medium truncate w-full').mark('selector-name')
                ui.label('Linked' if linked else f'{item.kind} {format_duration(item.duration_seconds)}') \
                    .classes('text-xs text-gray-500')
        if not linked:
            card.on('click', lambda i=item: self._toggle(i.id))

    def _toggle(self, media_id: UUID) -> None:
        if media_id in self._picked:
            self._picked.remove(media_id)
        else:
            self._picked.append(media_id)
        self._show()

    def _update_count(self) -> None:
        count = len(self._picked)
        self._count.text = f'{count} selected'
        self._confirm.text = f'Link {count} item{"s" if count != 1 else ""}'
        self._confirm.set_enabled(count > 0)

    def _submit(self) -> None:
        if self._picked:
            self.submit(list(self._picked))

