"""Security headers on pages, API answers and served files, and the session cookie's attributes.

The first tests go through the whole app (NiceGUI's `user` fixture runs main.py); the last ones put the middleware
in front of a bare ASGI app to pin down what the app alone cannot show: a route's own header wins, the S3 origin
joins the policy, and upload bodies reach the app through the server's own `receive`, unwrapped.
"""
from pathlib import Path

import httpx
import pytest
from nicegui.testing import User
from starlette.types import Message, Receive, Scope, Send

from tests.conftest import PASSWORD
from tests.media_samples import make_png
from ui.security_headers import SecurityHeaders


def assert_security_headers(response: httpx.Response, *, frame_ancestors: str = "'none'") -> None:
    assert response.headers.get_list('x-content-type-options') == ['nosniff']
    assert response.headers['referrer-policy'] == 'same-origin'
    policy = dict(directive.strip().split(' ', 1) for directive in response.headers['content-security-policy']
                  .split(';'))
    assert policy['frame-ancestors'] == frame_ancestors
    assert policy['object-src'] == "'none'"
    assert policy['base-uri'] == policy['form-action'] == "'self'"
    assert policy['script-src'] == "'self' 'unsafe-inline' 'unsafe-eval'"
    assert policy['connect-src'] == "'self' ws: wss:"
    assert policy['img-src'] == policy['media-src'] == "'self' data: blob:"  # local storage: nothing else
    assert policy['frame-src'] == "'self'"


async def sign_in(user: User, email: str = 'ada@example.org') -> None:
    response = await user.http_client.post('/api/session', json={'email': email, 'password': PASSWORD})
    assert response.status_code == 200


async def test_pages_carry_the_headers(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    page = await user.http_client.get('/login')
    assert page.status_code == 200
    assert 'text/html' in page.headers['content-type']
    assert_security_headers(page)
    redirect = await user.http_client.get('/library')  # answered by the sign-in middleware itself
    assert redirect.status_code in {302, 303, 307}
    assert_security_headers(redirect)


async def test_api_errors_carry_the_headers(user: User, make_instructor) -> None:
    make_instructor('ada@example.org')
    unauthenticated = await user.http_client.get('/api/media')
    assert (unauthenticated.status_code, unauthenticated.json()['error']) == (401, 'unauthenticated')
    assert_security_headers(unauthenticated)
    await sign_in(user)
    missing = await user.http_client.get('/api/media/00000000-0000-0000-0000-000000000000')
    assert (missing.status_code, missing.json()['error']) == (404, 'not_found')
    assert_security_headers(missing)
    invalid = await user.http_client.post('/api/courses', json={'title': 42, 'bogus': []})
    assert invalid.status_code in {400, 422}
    assert_security_headers(invalid)


async def test_served_files_may_be_framed_by_our_own_pages_only(user: User, make_instructor, tmp_path: Path) -> None:
    make_instructor('ada@example.org')
    await sign_in(user)
    png = make_png(tmp_path / 'a.png').read_bytes()
    uploaded = await user.http_client.post('/api/media/upload', files={'file': ('a.png', png)})
    assert uploaded.status_code == 201
    assert_security_headers(uploaded)
    content = await user.http_client.get(f'/api/media/{uploaded.json()["id"]}/content')
    assert (content.status_code, content.content) == (200, png)
    assert_security_headers(content, frame_ancestors="'self'")  # the PDF preview iframes this route
    assert content.headers['x-frame-options'] == 'SAMEORIGIN'
    assert content.headers['cache-control'] == 'private, no-cache'  # the route's own headers stay as they were
    ranged = await user.http_client.get(f'/api/media/{uploaded.json()["id"]}/content', headers={'Range': 'bytes=0-3'})
    assert (ranged.status_code, ranged.content) == (206, png[:4])
    assert_security_headers(ranged, frame_ancestors="'self'")
    thumbnail = await user.http_client.get(f'/api/media/{uploaded.json()["id"]}/thumbnail')
    assert_security_headers(thumbnail)  # only the content route is ever framed


async def test_only_the_api_docs_page_may_load_swagger_ui_from_its_cdn(user: User) -> None:
    docs = await user.http_client.get('/api/docs')
    assert docs.status_code == 200
    policy = docs.headers['content-security-policy']
    assert "script-src 'self' 'unsafe-inline' 'unsafe-eval' https://cdn.jsdelivr.net;" in policy
    assert "frame-ancestors 'none'" in policy
    for url in ('https://cdn.jsdelivr.net/npm/swagger-ui-dist', 'https://fastapi.tiangolo.com/img/'):
        assert url in docs.text  # what the policy allows is what the page loads
    schema = await user.http_client.get('/api/openapi.json')
    assert 'cdn.jsdelivr.net' not in schema.headers['content-security-policy']
    assert_security_headers(schema)

def session_cookie(response: httpx.Response) -> dict[str, str]:
    cookies = [value for value in response.headers.get_list('set-cookie') if value.startswith('session=')]
    assert len(cookies) == 1, response.headers
    _, *attributes = (part.strip() for part in cookies[0].split(';'))
    return {name.lower(): value for name, _, value in (attribute.partition('=') for attribute in attributes)}


async def test_the_session_cookie_is_http_only_and_same_site_lax(user: User) -> None:
    attributes = session_cookie(await user.http_client.get('/login'))
    assert 'httponly' in attributes
    assert attributes['samesite'] == 'lax'
    assert attributes['path'] == '/'
    assert 'secure' not in attributes  # plain http://127.0.0.1 must keep working without a public URL


@pytest.fixture
def public_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('MEDIASHELF_PUBLIC_URL', 'https://media.example.org')


@pytest.fixture
def user_behind_https(public_https: None, user: User) -> User:
    """The setting has to be in place before the `user` fixture runs main.py."""
    return user


async def test_the_session_cookie_is_secure_behind_https(user_behind_https: User) -> None:
    attributes = session_cookie(await user_behind_https.http_client.get('/login'))
    assert {'secure', 'httponly'} <= attributes.keys()
    assert attributes['samesite'] == 'lax'


@pytest.fixture
def bucket_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bucket nobody answers for: signing a URL needs no server, and the app starts without one."""
    for name, value in {'STORAGE': 's3', 'S3_ENDPOINT_URL': 'http://127.0.0.1:9', 'S3_BUCKET': 'media',
                        'S3_ACCESS_KEY_ID': 'key', 'S3_SECRET_ACCESS_KEY': 'secret'}.items():
        monkeypatch.setenv(f'MEDIASHELF_{name}', value)


@pytest.fixture
def user_with_a_bucket(bucket_settings: None, user: User) -> User:
    return user


async def test_with_s3_storage_the_bucket_may_serve_media_and_nothing_else(user_with_a_bucket: User) -> None:
    page = await user_with_a_bucket.http_client.get('/login')
    policy = dict(part.strip().split(' ', 1) for part in page.headers['content-security-policy'].split(';'))
    for directive in ('img-src', 'media-src', 'frame-src'):
        assert policy[directive].endswith(' http://127.0.0.1:9'), policy
    assert '127.0.0.1:9' not in policy['script-src'] + policy['connect-src'] + policy['default-src']


# The middleware on its own, in front of a bare ASGI app.

class FakeBucket:
    def __init__(self, url: str | None = None, *, fails: bool = False) -> None:
        self.url, self.fails = url, fails

    async def presigned_url(self, key: str, *, filename: str, inline: bool, content_type: str) -> str | None:
        if self.fails:
            raise RuntimeError('no credentials')
        return self.url


def bare_app(headers: list[tuple[bytes, bytes]], seen: list[Receive]):
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(receive)
        await send({'type': 'http.response.start', 'status': 200, 'headers': headers})
        await send({'type': 'http.response.body', 'body': b'ok'})
    return app


async def call(app, path: str = '/library') -> tuple[list[Message], Receive]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {'type': 'http.request', 'body': b'', 'more_body': False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({'type': 'http', 'method': 'GET', 'path': path, 'headers': []}, receive, send)
    return sent, receive


def headers_of(sent: list[Message]) -> dict[str, list[str]]:
    collected: dict[str, list[str]] = {}
    for name, value in sent[0]['headers']:
        collected.setdefault(name.decode(), []).append(value.decode())
    return collected


async def test_a_route_s_own_header_wins_and_the_body_is_not_wrapped() -> None:
    seen: list[Receive] = []
    own = [(b'content-security-policy', b"default-src 'none'"), (b'X-Content-Type-Options', b'nosniff')]
    sent, receive = await call(SecurityHeaders(bare_app(own, seen)))
    headers = headers_of(sent)
    assert headers['content-security-policy'] == ["default-src 'none'"]
    assert len(headers.get('x-content-type-options', [])) + len(headers.get('X-Content-Type-Options', [])) == 1
    assert headers['referrer-policy'] == ['same-origin']
    assert seen == [receive]  # the app reads the server's own receive: no wrapper per body message


async def test_websockets_and_lifespan_pass_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    middleware = SecurityHeaders(app, blobs=FakeBucket(fails=True))  # never asked: no HTTP request yet
    for kind in ('websocket', 'lifespan'):
        await middleware({'type': kind, 'path': '/_nicegui_ws/socket.io/'}, None, None)  # type: ignore[arg-type]
    assert [scope['type'] for scope in seen] == ['websocket', 'lifespan']


async def test_the_bucket_origin_joins_the_policy_when_media_may_be_redirected_there() -> None:
    bucket = FakeBucket('https://media.s3.eu-central-1.example.com/prefix/key?X-Amz-Signature=abc')
    sent, _ = await call(SecurityHeaders(bare_app([], []), blobs=bucket))  # type: ignore[arg-type]
    policy = dict(part.strip().split(' ', 1) for part in headers_of(sent)['content-security-policy'][0].split(';'))
    origin = 'https://media.s3.eu-central-1.example.com'
    for directive in ('img-src', 'media-src', 'frame-src'):
        assert policy[directive].endswith(f' {origin}'), policy
    assert origin not in policy['script-src'] + policy['connect-src'] + policy['default-src']
    framed, _ = await call(SecurityHeaders(bare_app([], []), blobs=bucket), '/api/media/abc/content')  # type: ignore[arg-type]
    assert "frame-ancestors 'self'" in headers_of(framed)['content-security-policy'][0]


async def test_a_store_that_cannot_sign_still_gets_the_headers(caplog: pytest.LogCaptureFixture) -> None:
    sent, _ = await call(SecurityHeaders(bare_app([], []), blobs=FakeBucket(fails=True)))  # type: ignore[arg-type]
    assert "img-src 'self' data: blob:;" in headers_of(sent)['content-security-policy'][0]
    assert 'Content-Security-Policy' in caplog.text
