"""Signing in and out over HTTP, for scripts and tools that upload without a browser."""
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from nicegui import app, run
from pydantic import BaseModel

from domain import accounts
from domain.errors import DomainError

from .api_errors import error_response
from .api_models import ERRORS
from .services import Services
from .session import sign_in, sign_out


class Credentials(BaseModel):
    email: str
    password: str


def register(services: Services) -> None:
    @app.post('/api/session', tags=['session'], responses=ERRORS)  # type: ignore[arg-type]
    async def create_session(credentials: Credentials, request: Request) -> Response:
        """Sign in; the response sets the same session cookie a browser gets. Throttled like the sign-in page."""
        address = request.client.host if request.client else 'unknown'
        try:
            instructor = await run.io_bound(accounts.sign_in, services.new_uow(), services.hasher, services.throttle,
                                            email=credentials.email, password=credentials.password, address=address)
        except DomainError as error:
            return error_response(error)
        sign_in(instructor)
        return JSONResponse({'id': str(instructor.id), 'email': instructor.email, 'name': instructor.display_name})

    @app.delete('/api/session', status_code=204, tags=['session'], responses=ERRORS)  # type: ignore[arg-type]
    def delete_session() -> Response:
        sign_out()
        return Response(status_code=204)
