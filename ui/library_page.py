"""The media library page. Uploading and browsing fill it in; until then it says what it will hold."""
from fastapi.responses import RedirectResponse
from nicegui import ui

from .frame import frame
from .services import Services
from .session import current_instructor


def register(services: Services) -> None:
    @ui.page('/library')
    def library_page() -> RedirectResponse | None:
        instructor = current_instructor(services)
        if instructor is None:
            return RedirectResponse('/login')
        with frame('Library', instructor), \
                ui.column().classes('w-full items-center py-16 text-gray-600 gap-2').mark('library-empty'):
                ui.icon('perm_media', size='4rem')
                ui.label('Your library is empty.').classes('text-lg')
                ui.label('Videos, images, documents and audio you add here can be reused in every course.')
        return None
