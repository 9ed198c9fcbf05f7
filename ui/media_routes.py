"""HTTP routes for uploading: the streaming upload and its progress. Owner-only throughout."""
from collections.abc import AsyncIterator, Callable
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from nicegui import app, background_tasks
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import Conflict, DomainError, InvalidInput, UploadInterrupted
from domain.media import check_size

from .api_errors import error_response, json_error, parse_id
from .api_models import ERRORS, UPLOAD_BODY, UploadedOut, UploadProgressOut
from .multipart_stream import MultipartStream
from .services import Services
from .session import current_instructor

FILE_FIELD = 'file'
FORM_OVERHEAD = 1024 * 1024  # multipart boundaries and small fields on top of the file itself
SERVER_RECEIVE = 'mediashelf.server_receive'  # scope key: the ASGI server's own receive, noted before any middleware


def register(services: Services) -> None:
    _note_server_receive()

    @app.post('/api/media/upload', status_code=201, tags=['media'], openapi_extra={'requestBody': UPLOAD_BODY},
              responses={**ERRORS, 200: {'model': UploadedOut, 'description': 'Already in the library'},
                         201: {'model': UploadedOut}})
    async def upload(request: Request, operation_id: str | None = None, chapter_id: str | None = None) -> Response:
        """Stream one file (multipart field `file`) into the library; 201 with the item, 200 if a duplicate.

        With `chapter_id`, the item (new or already in the library) is also linked into that chapter.
        """
        instructor = current_instructor(services, request)
        if instructor is None:
            return json_error(401, 'unauthenticated', 'Sign in first.')
        try:
            chosen_id = _optional_uuid(operation_id, 'operation_id')
            if chosen_id is not None and _recorded(services, chosen_id):  # the registry checks only live ones
                raise Conflict('This upload id is already in use.')
            chapter = None if chapter_id is None else \
                services.linking.check_chapter(instructor.id, parse_id(chapter_id, 'chapter'))
            declared = _declared_size(request)
            if declared is not None:
                check_size(max(0, declared - FORM_OVERHEAD), limit=services.max_upload_bytes)
            form = MultipartStream(_body(request), request.headers.get('content-type', ''))
            async for part in form.parts():
                if part.name != FILE_FIELD or part.filename is None:
                    continue
                operation = services.ingestor.begin(owner_id=instructor.id, raw_name=part.filename,
                                                    declared_size=_file_size_hint(request, declared),
                                                    operation_id=chosen_id,
                                                    target_chapter_id=chapter.id if chapter else None)
                result = await services.ingestor.receive(operation, part.chunks)
                if chapter is not None:
                    services.linking.link(instructor.id, chapter.id, [result.item.id])
                if not result.duplicate:
                    background_tasks.create(services.ingestor.process(result.item, operation),
                                            name=f'process {result.item.id}')
                body = UploadedOut.of_upload(result.item, duplicate=result.duplicate, operation_id=operation.id) \
                    .model_dump(mode='json')
                return JSONResponse(body, status_code=200 if result.duplicate else 201)
            raise InvalidInput(f'Send the file in a form field named "{FILE_FIELD}".')
        except DomainError as error:
            return error_response(error)

    @app.get('/api/media/upload-progress/{operation_id}', tags=['media'],
             responses={**ERRORS, 200: {'model': UploadProgressOut}})
    def upload_progress(operation_id: str, request: Request) -> Response:
        """The same state the progress bars show, for scripts and as a polling fallback."""
        instructor = current_instructor(services, request)
        if instructor is None:
            return json_error(401, 'unauthenticated', 'Sign in first.')
        try:
            operation = services.registry.get(instructor.id, parse_id(operation_id, 'upload'))
        except DomainError as error:
            return error_response(error)
        return JSONResponse(UploadProgressOut.of(operation).model_dump(mode='json'))


def _note_server_receive() -> None:
    """Let the upload route read the body straight from the server, past the middleware.

    NiceGUI runs four BaseHTTPMiddleware layers before any route (three of its own and RequireSignIn), and each one
    wraps every `receive()` in a task group of its own: a gigabyte arrives in ~4,000 messages, and those wrappers
    cost more CPU time than parsing, hashing and storing them together (see bench/ingest.py). They pass body
    messages through unchanged, so skipping them for the body loses nothing: every layer still runs for the request
    itself (session, sign-in). Only the stack's outside can see the server's `receive`, and NiceGUI adds its layers
    last, in `ui.run`, so the stack is wrapped where it is built. Body-size middleware is skipped too; none is
    configured, and the route checks its own limit.
    """
    if not isinstance(app.build_middleware_stack, _StackNotingServerReceive):  # tests register again on one app
        app.build_middleware_stack = _StackNotingServerReceive(app.build_middleware_stack)  # type: ignore[method-assign]


class _StackNotingServerReceive:
    def __init__(self, build: Callable[[], ASGIApp]) -> None:
        self._build = build

    def __call__(self) -> ASGIApp:
        stack = self._build()

        async def note_receive(scope: Scope, receive: Receive, send: Send) -> None:
            if scope['type'] == 'http':
                scope[SERVER_RECEIVE] = receive
            await stack(scope, receive, send)

        return note_receive


async def _body(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives; a browser that goes away mid-file becomes a clear domain error."""
    receive = request.scope.get(SERVER_RECEIVE, request.receive)
    while True:
        message = await receive()
        if message['type'] == 'http.disconnect':
            raise UploadInterrupted('The connection was lost before the file arrived completely.')
        if message.get('body'):
            yield message['body']
        if not message.get('more_body', False):
            return


def _declared_size(request: Request) -> int | None:
    raw = request.headers.get('content-length')
    if raw is None:
        return None
    if not raw.isdigit():
        raise InvalidInput('Content-Length is not a number.')
    return int(raw)


def _file_size_hint(request: Request, declared: int | None) -> int | None:
    """The browser sends the file's exact size in X-File-Size; otherwise the body length is close enough."""
    raw = request.headers.get('x-file-size', '')
    return int(raw) if raw.isdigit() else declared


def _recorded(services: Services, operation_id: UUID) -> bool:
    """An id some upload already had, perhaps before a restart, perhaps another instructor's: taking it would
    collide with that record."""
    with services.new_uow() as uow:
        return uow.uploads.get(operation_id) is not None


def _optional_uuid(raw: str | None, field: str) -> UUID | None:
    if raw is None:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidInput(f'{field} must be a UUID.') from None


