"""Registers every page and route on NiceGUI's app; main.py calls this once with the built services."""
import logging

from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from nicegui import app, background_tasks, ui

from domain.errors import DomainError

from . import (
    account_page,
    api_routes,
    auth_pages,
    course_pages,
    library_page,
    media_files,
    media_routes,
    security_headers,
    session_routes,
)
from .api_errors import domain_error_response, validation_error_response
from .services import Services
from .session import RequireSignIn


def register_pages(services: Services) -> None:
    app.add_middleware(RequireSignIn)
    app.add_middleware(security_headers.SecurityHeaders, blobs=services.blobs)  # outside: its answers too
    app.add_exception_handler(RequestValidationError, validation_error_response)
    app.add_exception_handler(DomainError, domain_error_response)
    app.docs_url, app.openapi_url, app.redoc_url = '/api/docs', '/api/openapi.json', None
    auth_pages.register(services)
    course_pages.register(services)
    library_page.register(services)
    media_routes.register(services)
    media_files.register(services)
    session_routes.register(services)
    api_routes.register(services)
    account_page.register(services)

    @ui.page('/')
    def home() -> RedirectResponse:
        return RedirectResponse('/library')

    async def recover_after_restart() -> None:
        """Storage that is down at start must not keep the app from serving; uploads will say it is down."""
        try:
            stuck = await services.ingestor.recover_after_restart()
        except OSError as error:
            logging.getLogger('mediashelf').warning('Could not clean up unfinished uploads at start: %s', error)
            return
        for item in stuck:
            background_tasks.create(services.ingestor.process(item), name=f'process {item.id}')

    app.on_startup(recover_after_restart)
