"""Security headers on every response: pages, the JSON API and served files.

A pure ASGI middleware, not a BaseHTTPMiddleware: it only adds headers to `http.response.start` and never touches
`receive`, so upload bodies stream past it untouched (see `_note_server_receive` in media_routes.py).

The Content-Security-Policy is what NiceGUI can live with: Vue compiles templates at run time and NiceGUI runs
inline scripts ('unsafe-inline', 'unsafe-eval'), its websocket needs ws:/wss:. Media may be answered by a redirect
to the bucket (S3 storage), so that origin is allowed for images, players and the PDF frame. The origin is not
configured twice: it is the origin of a URL the blob store itself signs, exactly what the browser will be sent to.
Only the file route may be framed, and only by our own pages (the PDF preview); nothing else may be framed at all.
FastAPI's Swagger UI at /api/docs loads its script, stylesheet and icon from CDNs, so that one page allows them.
"""
import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.ports import BlobStore
from domain.storage_keys import new_media_key

log = logging.getLogger(__name__)

FRAMEABLE_PATH = re.compile(r'/api/media/[^/]+/content')  # the PDF preview's iframe
SWAGGER_UI_SOURCES = {'script-src': 'https://cdn.jsdelivr.net', 'style-src': 'https://cdn.jsdelivr.net',
                      'img-src': 'https://fastapi.tiangolo.com'}  # what fastapi.openapi.docs.get_swagger_ui_html uses

Headers = list[tuple[bytes, bytes]]


def content_security_policy(*, frame_ancestors: str, media_origins: Iterable[str] = (),
                            also: dict[str, str] | None = None) -> str:
    """`also` adds sources to single directives (the API docs page's CDNs)."""
    extra = ''.join(f' {origin}' for origin in media_origins)
    directives = {
        'default-src': "'self'",
        'script-src': "'self' 'unsafe-inline' 'unsafe-eval'",
        'style-src': "'self' 'unsafe-inline'",
        'img-src': f"'self' data: blob:{extra}",
        'media-src': f"'self' data: blob:{extra}",
        'font-src': "'self' data:",
        'connect-src': "'self' ws: wss:",
        'frame-src': f"'self'{extra}",
        'worker-src': "'self' blob:",
        'object-src': "'none'",
        'base-uri': "'self'",
        'form-action': "'self'",
        'frame-ancestors': frame_ancestors,
    }
    for name, sources in (also or {}).items():
        directives[name] += f' {sources}'
    return '; '.join(f'{name} {value}' for name, value in directives.items())


def security_headers(*, frameable: bool, media_origins: Iterable[str] = (), also: dict[str, str] | None = None
                     ) -> Headers:
    policy = content_security_policy(frame_ancestors="'self'" if frameable else "'none'", media_origins=media_origins,
                                     also=also)
    headers = {
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
        'content-security-policy': policy,
        'x-frame-options': 'SAMEORIGIN' if frameable else 'DENY',  # for browsers that predate frame-ancestors
    }
    return [(name.encode(), value.encode()) for name, value in headers.items()]


async def external_media_origins(blobs: BlobStore | None) -> tuple[str, ...]:
    """Where the browser may be redirected for bytes: the origin of a URL the store signs (signing is local, no
    request is made), or nothing when the app serves the bytes itself (a local folder)."""
    if blobs is None:
        return ()
    try:
        url = await blobs.presigned_url(new_media_key(uuid4()), filename='probe', inline=True,
                                        content_type='application/octet-stream')
    except Exception:  # a broken store must not take every page down; its media will be refused by the browser
        log.exception('could not learn the storage origin for the Content-Security-Policy')
        return ()
    if not url:
        return ()
    parts = urlsplit(url)
    return (f'{parts.scheme}://{parts.netloc}',) if parts.scheme in {'http', 'https'} and parts.netloc else ()


class SecurityHeaders:
    """Adds the headers to every HTTP response that has not set them itself (a route's own value wins)."""

    def __init__(self, app: ASGIApp, blobs: BlobStore | None = None) -> None:
        self.app = app
        self._blobs = blobs
        self._headers: tuple[Headers, Headers, Headers] | None = None  # pages and API, frameable files, API docs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        pages, files, docs = self._headers or await self._build()
        path = scope['path']
        added = files if FRAMEABLE_PATH.fullmatch(path) else \
            docs if path == getattr(scope.get('app'), 'docs_url', None) else pages

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = list(message.get('headers', []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in added if name not in present)
                message['headers'] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _build(self) -> tuple[Headers, Headers, Headers]:
        origins = await external_media_origins(self._blobs)
        self._headers = (security_headers(frameable=False, media_origins=origins),
                         security_headers(frameable=True, media_origins=origins),
                         security_headers(frameable=False, also=SWAGGER_UI_SOURCES))
        return self._headers
