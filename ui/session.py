"""Who is signed in: the instructor id kept in NiceGUI's per-browser user storage (signed session cookie)."""
from uuid import UUID

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from domain import accounts
from domain.accounts import Instructor

from .api_errors import json_error
from .services import Services

PUBLIC_PATHS = frozenset({'/login', '/setup', '/signup', '/api/session'})
_KEY = 'instructor_id'


def current_instructor(services: Services) -> Instructor | None:
    """The signed-in instructor, looked up afresh: a deleted account's old session signs nobody in."""
    raw = app.storage.user.get(_KEY)
    if raw is None:
        return None
    try:
        return accounts.get_instructor(services.new_uow(), UUID(raw))
    except ValueError:
        return None


def sign_in(instructor: Instructor) -> None:
    app.storage.user[_KEY] = str(instructor.id)


def sign_out() -> None:
    app.storage.user.pop(_KEY, None)


class RequireSignIn(BaseHTTPMiddleware):
    """Every page but sign-in, setup and sign-up needs a session; NiceGUI's own assets stay reachable."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path in PUBLIC_PATHS or path.startswith('/_nicegui') or _KEY in app.storage.user:
            return await call_next(request)
        if path.startswith('/api/'):
            return json_error(401, 'unauthenticated', 'Sign in first.')
        return RedirectResponse(f'/login?next={path}' if path != '/' else '/login')
