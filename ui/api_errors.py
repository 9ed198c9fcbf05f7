"""How a broken rule looks over HTTP: a status and `{"error": code, "detail": text}`, never a traceback."""
from uuid import UUID

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from domain import errors

_STATUS: list[tuple[type[errors.DomainError], int, str]] = [  # most specific first
    (errors.TooLarge, 413, 'too_large'),
    (errors.UnsupportedType, 415, 'unsupported_type'),
    (errors.EmptyFile, 400, 'empty_file'),
    (errors.InvalidInput, 400, 'invalid_input'),
    (errors.NotFound, 404, 'not_found'),
    (errors.UploadCancelled, 409, 'cancelled'),
    (errors.Conflict, 409, 'conflict'),
    (errors.TooManyAttempts, 429, 'too_many_attempts'),
    (errors.AuthenticationFailed, 401, 'unauthenticated'),
    (errors.Forbidden, 403, 'forbidden'),
    (errors.StorageUnavailable, 503, 'storage_unavailable'),
    (errors.UploadInterrupted, 400, 'interrupted'),
]


def error_response(error: errors.DomainError) -> JSONResponse:
    for error_type, status, code in _STATUS:
        if isinstance(error, error_type):
            return json_error(status, code, str(error))
    return json_error(400, 'rejected', str(error))


def json_error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({'error': code, 'detail': detail}, status_code=status)


async def domain_error_response(_request: Request, error: Exception) -> JSONResponse:
    """A rule broken inside a route: the same JSON error the route would have built itself."""
    assert isinstance(error, errors.DomainError)
    return error_response(error)


async def validation_error_response(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own 422 for a malformed body, in the same shape as every other error."""
    assert isinstance(error, RequestValidationError)
    problems = '; '.join(f'{".".join(str(part) for part in problem["loc"][1:])}: {problem["msg"]}'
                         for problem in error.errors())
    return json_error(422, 'invalid_input', problems or 'The request is malformed.')


_HTTP_CODES = {400: 'invalid_input', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
               405: 'method_not_allowed', 409: 'conflict', 413: 'too_large', 415: 'unsupported_type',
               422: 'invalid_input', 429: 'too_many_attempts'}


async def http_error_response(request: Request, error: Exception) -> Response:
    """The framework's own HTTP errors (a body that does not parse at all, a method a route lacks) in the same
    shape on /api/; pages keep the framework's answer."""
    assert isinstance(error, HTTPException)
    if not request.url.path.startswith('/api/') or error.status_code < 400:
        return await http_exception_handler(request, error)
    response = json_error(error.status_code, _HTTP_CODES.get(error.status_code, 'error'), str(error.detail))
    response.headers.update(error.headers or {})
    return response


def parse_id(raw: str, what: str) -> UUID:
    """An id from a URL; a malformed one is just another id that does not exist."""
    try:
        return UUID(raw)
    except ValueError:
        raise errors.NotFound(f'This {what} does not exist.') from None
