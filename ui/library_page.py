"""The media library page: upload, find (search, kind, sort, pages), look closer, rename and delete.

Search, filter, sort, page and view live in the URL, so a reload or a shared link shows the same thing. Every
open tab follows changes: new uploads, renames and deletes show up without a reload.
"""
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode
from uuid import UUID

from fastapi.responses import RedirectResponse
from nicegui import ui

from domain import accounts
from domain.accounts import Instructor
from domain.changes import Topic
from domain.errors import DomainError
from domain.library import LibraryPage, LibraryQuery, Sort, StorageSummary, make_query
from domain.media import MediaItem, MediaKind, format_bytes

from .dropzone import DropZone
from .frame import frame, show_error
from .library_views import media_grid, media_list
from .media_detail import MediaDetail, confirm_delete
from .progress_panel import ProgressPanel
from .services import Services
from .session import current_instructor

_KIND_FILTERS = {'': 'All', **{kind.value: kind.value.capitalize() for kind in MediaKind}}
_SORTS = {Sort.NEWEST: 'Newest first', Sort.OLDEST: 'Oldest first', Sort.NAME: 'Name', Sort.SIZE: 'Largest first'}


@dataclass
class _View:
    query: LibraryQuery
    layout: str
    selected: set[UUID] = field(default_factory=set)


def register(services: Services) -> None:
    @ui.page('/library')
    def library_page(q: str = '', kind: str = '', sort: str = 'newest', page: int = 1) -> RedirectResponse | None:
        instructor = current_instructor(services)
        if instructor is None:
            return RedirectResponse('/login')
        try:
            query = make_query(owner_id=instructor.id, search=q, kind=kind, sort=sort, page=page)
        except DomainError:
            return RedirectResponse('/library')  # a mangled link falls back to the plain library
        LibraryScreen(services, instructor, _View(query=query, layout=instructor.library_view))
        return None


class LibraryScreen:
    """Owns the page's state; the controls change it, and `show` redraws the results from the server."""

    def __init__(self, services: Services, instructor: Instructor, view: _View) -> None:
        self._services = services
        self._instructor = instructor
        self._view = view
        with frame('Library', instructor):
            DropZone(max_bytes=services.max_upload_bytes).mark('dropzone')
            ProgressPanel(services.registry, instructor.id)
            self._summary = ui.label().classes('text-sm text-gray-600').mark('storage-summary')
            self._controls()
            self._selection_bar = ui.row().classes('w-full items-center gap-2').mark('selection-bar')
            self._results = ui.column().classes('w-full gap-4')
        self.show()
        for topic in (Topic.MEDIA, Topic.LINKS):
            ui.context.client.on_delete(services.feed.subscribe(instructor.id, topic, self.show))

    def show(self) -> None:
        if self._results.is_deleted:
            return
        library = self._services.library
        page = library.page(self._view.query)
        if page.items == [] and self._view.query.page > 1:  # the last page emptied (deletes in another tab)
            self._view.query = replace(self._view.query, page=page.page_count)
            page = library.page(self._view.query)
        self._summary.text = _summary_text(library.summary(self._instructor.id))
        self._results.clear()
        with self._results:
            self._draw(page)
        self._draw_selection()

    def _controls(self) -> None:
        query = self._view.query
        with ui.row().classes('w-full items-center gap-3'):
            ui.input(placeholder='Search by name', value=query.search,
                     on_change=lambda e: self._change(search=' '.join((e.value or '').split()))) \
                .props('outlined dense clearable debounce=300').classes('grow min-w-48').mark('search') \
                .add_slot('prepend', '<q-icon name="search" />')
            ui.toggle(_KIND_FILTERS, value=query.kind.value if query.kind else '',
                      on_change=lambda e: self._change(kind=MediaKind(e.value) if e.value else None)) \
                .props('dense no-caps').mark('kind-filter')
            ui.select(dict(_SORTS), value=query.sort,
                      on_change=lambda e: self._change(sort=Sort(e.value))).props('outlined dense') \
                .classes('w-40').mark('sort')
            ui.toggle({'grid': 'Grid', 'list': 'List'}, value=self._view.layout, on_change=self._switch_layout) \
                .props('dense no-caps').mark('layout')

    def _draw(self, page: LibraryPage) -> None:
        if not page.items:
            _empty_state(filtered=bool(self._view.query.search or self._view.query.kind))
            return
        first = page.query.offset + 1
        ui.label(f'{first}–{first + len(page.items) - 1} of {page.total}').classes('text-xs text-gray-500') \
            .mark('result-count')
        if self._view.layout == 'list':
            media_list(page.items, selected=self._view.selected, sort=self._view.query.sort,
                       on_sort=lambda sort: self._change(sort=sort), on_open=self._open, on_toggle=self._toggle)
        else:
            media_grid(page.items, selected=self._view.selected, on_open=self._open, on_toggle=self._toggle)
        self._page_items = page.items
        if page.page_count > 1:
            ui.pagination(1, page.page_count, direction_links=True, value=page.query.page,
                          on_change=lambda e: self._change(page=e.value)) \
                .props('boundary-links max-pages=7').mark('pagination')

    def _draw_selection(self) -> None:
        self._selection_bar.clear()
        count = len(self._view.selected)
        with self._selection_bar:
            if count:
                ui.label(f'{count} selected').classes('text-sm font-medium').mark('selected-count')
                ui.button('Delete selected', icon='delete', on_click=self._delete_selected) \
                    .props('outline dense color=negative').mark('delete-selected')
                ui.button('Clear selection', on_click=self._clear_selection).props('flat dense no-caps')
            ui.button('Select all on page', on_click=self._select_page).props('flat dense no-caps') \
                .mark('select-page')

    def _change(self, **changes: object) -> None:
        """Apply a control's change, go back to page 1 unless paging, and keep the URL in step."""
        if 'page' not in changes:
            changes['page'] = 1
        self._view.query = replace(self._view.query, **changes)  # type: ignore[arg-type]
        ui.navigate.history.replace(f'/library?{_url_query(self._view.query)}')
        self.show()

    def _switch_layout(self, event: object) -> None:
        self._view.layout = getattr(event, 'value', 'grid')
        try:
            accounts.remember_library_view(self._services.new_uow(), instructor_id=self._instructor.id,
                                           view=self._view.layout)
        except DomainError as error:
            show_error(str(error))
        self.show()

    def _toggle(self, item: MediaItem, selected: bool) -> None:
        (self._view.selected.add if selected else self._view.selected.discard)(item.id)
        self._draw_selection()

    def _select_page(self) -> None:
        self._view.selected.update(item.id for item in getattr(self, '_page_items', []))
        self.show()

    def _clear_selection(self) -> None:
        self._view.selected.clear()
        self.show()

    def _open(self, item: MediaItem) -> None:
        try:
            fresh = self._services.library.get(self._instructor.id, item.id)
        except DomainError as error:
            show_error(str(error))
            return
        with ui.context.client.content:
            MediaDetail(fresh, self._services.library, delete_items=self._delete).open()

    async def _delete_selected(self) -> None:
        library = self._services.library
        try:
            items = [library.get(self._instructor.id, media_id) for media_id in self._view.selected]
        except DomainError as error:
            show_error(str(error))
            return
        await self._delete(items)

    async def _delete(self, items: list[MediaItem]) -> bool:
        library = self._services.library
        ids = [item.id for item in items]
        try:
            usages = library.usages(self._instructor.id, ids)
            if not await confirm_delete(items, usages):
                return False
            await library.delete(self._instructor.id, ids, confirmed=True)
        except DomainError as error:
            show_error(str(error))
            return False
        self._view.selected.difference_update(ids)
        ui.notify(f'Deleted {len(items)} item{"s" if len(items) != 1 else ""}', type='positive')
        self.show()
        return True


def _url_query(query: LibraryQuery) -> str:
    params = {'q': query.search, 'kind': query.kind.value if query.kind else '',
              'sort': query.sort.value if query.sort != Sort.NEWEST else '',
              'page': query.page if query.page > 1 else ''}
    return urlencode({key: value for key, value in params.items() if value})


def _summary_text(summary: StorageSummary) -> str:
    if not summary.count:
        return ''
    parts = [f'{total.count} {kind.value}{"s" if total.count != 1 else ""} ({format_bytes(total.bytes)})'
             for kind, total in sorted(summary.by_kind.items())]
    return f'{summary.count} items, {format_bytes(summary.bytes)}: ' + ', '.join(parts)


def _empty_state(*, filtered: bool) -> None:
    with ui.column().classes('w-full items-center py-12 text-gray-600 gap-2').mark('library-empty'):
        ui.icon('search_off' if filtered else 'perm_media', size='4rem')
        if filtered:
            ui.label('Nothing matches. Try another name or kind.').classes('text-lg')
        else:
            ui.label('Your library is empty.').classes('text-lg')
            ui.label('Drop videos, images, documents or audio above; you can reuse them in every course.')
