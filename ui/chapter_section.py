"""One chapter in the course editor: its header, its linked media in order, and the two ways to add media.

A section lives as long as its chapter: when chapters move or media change, the section is updated in place,
never rebuilt, so a drop zone with uploads in flight is never torn down (that would abort them).
"""
from collections.abc import Callable
from uuid import UUID

from nicegui import events, ui

from domain.courses import Chapter
from domain.errors import DomainError
from domain.links import LinkedMedia, video_seconds
from domain.media import FILE_TYPES, MediaKind

from .dropzone import DropZone
from .formatting import format_duration
from .frame import show_error
from .media_card import KIND_ICONS
from .media_detail import preview_dialog
from .media_selector import MediaSelector
from .progress_panel import ProgressPanel
from .services import Services

VIDEO_EXTENSIONS = tuple(f'.{ext}' for ext, file_type in FILE_TYPES.items() if file_type.kind == MediaKind.VIDEO)
FILES_PER_DROP = 5
_DRAG_START = '(e) => e.dataTransfer.setData("text/plain", e.currentTarget.dataset.link)'
_DROP = '(e) => emit(e.dataTransfer.getData("text/plain"))'


class ChapterSection(ui.card):
    def __init__(self, services: Services, owner_id: UUID, chapter: Chapter, *,
                 actions: dict[str, Callable[..., object]]) -> None:
        super().__init__()
        self._services = services
        self._owner_id = owner_id
        self.chapter = chapter
        self._actions = actions
        self._entries: list[LinkedMedia] = []
        self.classes('w-full p-0 gap-0').mark('chapter')
        with self:
            self._header = ui.item().classes('w-full')
            self._media = ui.list().props('separator').classes('w-full').mark('chapter-media')
            with ui.expansion('Add media', icon='add').classes('w-full').mark('add-media'):
                self._add_media_area()

    def show(self, chapter: Chapter, entries: list[LinkedMedia], *, first: bool, last: bool) -> None:
        self.chapter = chapter
        self._entries = entries
        self._draw_header(first=first, last=last)
        self._draw_media()

    @property
    def video_seconds(self) -> float:
        return video_seconds(self._entries)

    def _draw_header(self, *, first: bool, last: bool) -> None:
        chapter = self.chapter
        actions = self._actions
        self._header.clear()
        with self._header:
            with ui.item_section().props('avatar'):
                ui.label(f'{chapter.position + 1}.').classes('text-gray-500')
            with ui.item_section():
                ui.item_label(chapter.title).classes('chapter-title font-medium').mark('chapter-title')
                total = self.video_seconds
                ui.item_label(f'{len(self._entries)} item{"s" if len(self._entries) != 1 else ""}'
                              + (f' · {format_duration(total)} of video' if total else '')).props('caption') \
                    .mark('chapter-summary')
            with ui.item_section().props('side'), ui.row().classes('gap-0'):
                icon_button('arrow_upward', f'Move {chapter.title} up', lambda: actions['move'](self.chapter, -1),
                            mark=f'up-{chapter.title}').set_enabled(not first)
                icon_button('arrow_downward', f'Move {chapter.title} down', lambda: actions['move'](self.chapter, 1),
                            mark=f'down-{chapter.title}').set_enabled(not last)
                icon_button('edit', f'Rename {chapter.title}', lambda: actions['rename'](self.chapter),
                            mark=f'rename-{chapter.title}')
                icon_button('delete', f'Delete {chapter.title}', lambda: actions['delete'](self.chapter),
                            mark=f'delete-{chapter.title}')

    def _draw_media(self) -> None:
        self._media.clear()
        with self._media:
            for index, entry in enumerate(self._entries):
                self._media_row(entry, first=index == 0, last=index == len(self._entries) - 1)

    def _media_row(self, entry: LinkedMedia, *, first: bool, last: bool) -> None:
        item, link = entry.item, entry.link
        row = ui.item().classes('w-full').mark('linked-media')
        row.props(f'draggable=true data-link={link.id}')
        row.on('dragstart', js_handler=_DRAG_START).on('dragover.prevent', js_handler='() => {}')
        row.on('drop.prevent', lambda e, target=link.id: self._dropped(e, target), js_handler=_DROP)
        with row:
            with ui.item_section().props('avatar'):
                ui.icon('drag_indicator').classes('text-gray-400 cursor-grab')
            with ui.item_section().props('thumbnail'):
                if item.thumbnail_key:
                    ui.image(f'/api/media/{item.id}/thumbnail').classes('w-16 h-10').props('fit=cover')
                else:
                    ui.icon(KIND_ICONS[item.kind], size='1.75rem').classes('text-slate-400 w-16')
            with ui.item_section():
                ui.item_label(item.display_name).classes('linked-name').mark('linked-name')
                ui.item_label(' · '.join(filter(None, [str(item.kind), format_duration(item.duration_seconds)]))) \
                    .props('caption')
            with ui.item_section().props('side'), ui.row().classes('gap-0'):
                icon_button('play_circle', f'Preview {item.display_name}', lambda i=item: preview_dialog(i).open(),
                            mark='preview-linked')
                icon_button('arrow_upward', f'Move {item.display_name} up', lambda: self._move(link.id, -1),
                            mark=f'media-up-{item.display_name}').set_enabled(not first)
                icon_button('arrow_downward', f'Move {item.display_name} down', lambda: self._move(link.id, 1),
                            mark=f'media-down-{item.display_name}').set_enabled(not last)
                icon_button('link_off', f'Unlink {item.display_name}', lambda: self._unlink(entry),
                            mark=f'unlink-{item.display_name}')

    def _add_media_area(self) -> None:
        with ui.tabs().props('dense align=left no-caps').classes('w-full') as tabs:
            upload_tab = ui.tab('Upload new', icon='upload').mark('tab-upload')
            library_tab = ui.tab('From library', icon='perm_media').mark('tab-library')
            library_tab.on('click', self._pick_from_library)
        with ui.tab_panels(tabs, value=upload_tab).classes('w-full'):
            with ui.tab_panel(upload_tab).classes('gap-2'):
                DropZone(max_bytes=self._services.max_upload_bytes, accept=VIDEO_EXTENSIONS, compact=True,
                         max_files=FILES_PER_DROP, query={'chapter_id': str(self.chapter.id)}) \
                    .mark('chapter-dropzone')
                ui.label(f'Videos, up to {FILES_PER_DROP} per drop. They land in your library and are linked here '
                         'when ready.').classes('text-xs text-gray-500')
                ProgressPanel(self._services.registry, self._owner_id, chapter_id=self.chapter.id)
            with ui.tab_panel(library_tab):
                ui.button('Choose from library', icon='perm_media', on_click=self._pick_from_library) \
                    .props('outline').mark('choose-from-library')

    async def _pick_from_library(self) -> None:
        selector = MediaSelector(self._services.library, self._owner_id, chapter_title=self.chapter.title,
                                 linked={entry.item.id for entry in self._entries})
        picked = await selector
        selector.delete()
        if picked:
            try:
                added = self._services.linking.link(self._owner_id, self.chapter.id, picked)
            except DomainError as error:
                show_error(str(error))
                return
            ui.notify(f'Linked {len(added)} item{"s" if len(added) != 1 else ""} to {self.chapter.title}',
                      type='positive')

    def _move(self, link_id: UUID, step: int) -> None:
        self._attempt(lambda: self._services.linking.move_by(self._owner_id, link_id, step))

    def _dropped(self, event: events.GenericEventArguments, target: UUID) -> None:
        """Drag and drop: the dragged row takes the place of the row it was dropped on."""
        order = [entry.link.id for entry in self._entries]
        try:
            dragged = UUID(str(event.args))
        except ValueError:
            return
        if dragged in order and dragged != target:
            self._attempt(lambda: self._services.linking.move(self._owner_id, dragged, order.index(target)))

    def _unlink(self, entry: LinkedMedia) -> None:
        if self._attempt(lambda: self._services.linking.unlink(self._owner_id, entry.link.id)):
            ui.notify(f'Unlinked {entry.item.display_name}. It stays in your library.')

    @staticmethod
    def _attempt(action: Callable[[], object]) -> bool:
        try:
            action()
        except DomainError as error:
            show_error(str(error))
            return False
        return True


def icon_button(icon: str, label: str, on_click: Callable[[], object], *, mark: str) -> ui.button:
    """A compact icon button with a spoken name (aria-label) and a tooltip, for keyboard and screen-reader users."""
    button = ui.button(icon=icon, on_click=on_click).props('flat round dense').tooltip(label).mark(mark)
    button.props['aria-label'] = label
    return button
