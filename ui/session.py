"""Who is asking: the instructor id kept in NiceGUI's per-browser user storage (signed session cookie), or
a personal API token in `Authorization: Bearer ...` for scripts."""
from urllib.parse import urlsplit
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

PUBLIC_PATHS = frozenset({'/login', '/setup', '/signup', '/api/session', '/api/docs', '/api/openapi.json'})
SAFE_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})
_KEY = 'instructor_id'


def current_instructor(services: Services, request: Request | None = None) -> Instructor | None:
    """The caller, looked up afresh (a deleted account's old session or token signs nobody in).

    A route passes its request so a bearer token counts; pages rely on the session alone.
    """
    token = bearer_token(request) if request is not None else None
    if token is not None:
        owner_id = services.tokens.owner_of(token)
        return accounts.get_instructor(services.new_uow(), owner_id) if owner_id else None
    raw = app.storage.user.get(_KEY)
    if raw is None:
        return None
    try:
        return accounts.get_instructor(services.new_uow(), UUID(raw))
    except ValueError:
        return None


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get('authorization', '').partition(' ')
    return token.strip() if scheme.lower() == 'bearer' and token.strip() else None


def sign_in(instructor: Instructor) -> None:
    app.storage.user[_KEY] = str(instructor.id)


def sign_out() -> None:
    app.storage.user.pop(_KEY, None)


class RequireSignIn(BaseHTTPMiddleware):
    """Every page but sign-in, setup and sign-up needs a session; NiceGUI's own assets stay reachable.

    A cookie-authenticated change (POST, PUT, PATCH, DELETE) must also come from one of our own pages: its Origin
    (or Referer) must name this host. Cookies are SameSite=Lax too, but the check also covers older browsers and
    same-site neighbours. Token-authenticated scripts send no cookie and need no such check.
    """

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if bearer_token(request) is not None and path.startswith('/api/'):
            return await call_next(request)  # the route checks the token itself
        if request.method not in SAFE_METHODS and path.startswith('/api/') and not _same_origin(request):
            return json_error(403, 'forbidden', 'Cross-site request refused.')
        if path in PUBLIC_PATHS or path.startswith('/_nicegui') or _KEY in app.storage.user:
            return await call_next(request)
        if path.startswith('/api/'):
            return json_error(401, 'unauthenticated', 'Sign in first, or send a personal API token.')
        return RedirectResponse(f'/login?next={path}' if path != '/' else '/login')


def _same_origin(request: Request) -> bool:
    """The JSON sign-in may come from a script (no Origin at all); every other change must name our host."""
    source = request.headers.get('origin') or request.headers.get('referer')
    if source is None:
        return request.url.path == '/api/session'
    return urlsplit(source).netloc == request.headers.get('host', '')
