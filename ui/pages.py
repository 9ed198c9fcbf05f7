"""Registers every page and route on NiceGUI's app; main.py calls this once with the built services."""
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from . import auth_pages, course_pages, library_page
from .services import Services
from .session import RequireSignIn


def register_pages(services: Services) -> None:
    app.add_middleware(RequireSignIn)
    auth_pages.register(services)
    course_pages.register(services)
    library_page.register(services)

    @ui.page('/')
    def home() -> RedirectResponse:
        return RedirectResponse('/library')
