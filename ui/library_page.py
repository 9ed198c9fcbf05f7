"""The media library page: the drop zone, live upload progress and the newest items."""
from fastapi.responses import RedirectResponse
from nicegui import ui

from domain import library
from domain.uploads import Stage, UploadOperation

from .dropzone import DropZone
from .frame import frame
from .media_card import MediaCard
from .progress_panel import ProgressPanel
from .services import Services
from .session import current_instructor

_NEW_ITEM_STAGES = frozenset({Stage.PROCESSING, Stage.READY})


def register(services: Services) -> None:
    @ui.page('/library')
    def library_page() -> RedirectResponse | None:
        instructor = current_instructor(services)
        if instructor is None:
            return RedirectResponse('/login')

        @ui.refreshable
        def items() -> None:
            recent = library.recent_items(services.new_uow(), owner_id=instructor.id)
            if not recent:
                with ui.column().classes('w-full items-center py-12 text-gray-600 gap-2').mark('library-empty'):
                    ui.icon('perm_media', size='4rem')
                    ui.label('Your library is empty.').classes('text-lg')
                    ui.label('Drop videos, images, documents or audio above; you can reuse them in every course.')
                return
            with ui.row().classes('w-full gap-4').mark('media-grid'):
                for item in recent:
                    MediaCard(item)

        def refresh_on_new_item(operation: UploadOperation) -> None:
            if operation.stage in _NEW_ITEM_STAGES and not grid.is_deleted:
                items.refresh()

        with frame('Library', instructor):
            DropZone(max_bytes=services.max_upload_bytes).mark('dropzone')
            ProgressPanel(services.registry, instructor.id)
            grid = ui.column().classes('w-full')
            with grid:
                items()
        unsubscribe = services.registry.subscribe(instructor.id, refresh_on_new_item)
        ui.context.client.on_delete(unsubscribe)
        return None
