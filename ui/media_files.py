"""Serving stored media: the original file and its thumbnail, to their owner only (anyone else gets 404)."""
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app

from domain.errors import DomainError, NotFound
from domain.media import INLINE_TYPES

from .api_errors import error_response, json_error, parse_id
from .api_models import ERRORS, FILE_RESPONSES
from .file_responses import blob_response
from .services import Services
from .session import current_instructor


def register(services: Services) -> None:
    @app.head('/api/media/{media_id}/content', include_in_schema=False)
    @app.get('/api/media/{media_id}/content', tags=['media'], response_class=Response,
             responses={**ERRORS, **FILE_RESPONSES})
    async def content(media_id: str, request: Request, download: bool = False) -> Response:
        """The original bytes, with byte ranges for seeking; `?download=1` always saves instead of showing."""
        instructor = current_instructor(services, request)
        if instructor is None:
            return json_error(401, 'unauthenticated', 'Sign in first.')
        try:
            item = services.library.get(instructor.id, parse_id(media_id, 'media item'))
            inline = not download and item.mime_type.startswith(INLINE_TYPES)
            if url := await services.blobs.presigned_url(item.storage_key, filename=item.display_name, inline=inline,
                                                         content_type=item.mime_type):
                return RedirectResponse(url, status_code=307)  # the bucket answers ranges itself
            return await blob_response(request, services.blobs, key=item.storage_key, media_type=item.mime_type,
                                       etag=f'"{item.sha256}"', last_modified=item.created_at,
                                       filename=item.display_name, download=download)
        except DomainError as error:
            return error_response(error)

    @app.head('/api/media/{media_id}/thumbnail', include_in_schema=False)
    @app.get('/api/media/{media_id}/thumbnail', tags=['media'], response_class=Response,
             responses={**ERRORS, **FILE_RESPONSES})
    async def thumbnail(media_id: str, request: Request) -> Response:
        instructor = current_instructor(services, request)
        if instructor is None:
            return json_error(401, 'unauthenticated', 'Sign in first.')
        try:
            item = services.library.get(instructor.id, parse_id(media_id, 'media item'))
            if item.thumbnail_key is None:
                raise NotFound('This item has no thumbnail.')
            if url := await services.blobs.presigned_url(item.thumbnail_key, filename=f'{item.display_name}.jpg',
                                                         inline=True, content_type='image/jpeg'):
                return RedirectResponse(url, status_code=307)
            return await blob_response(request, services.blobs, key=item.thumbnail_key, media_type='image/jpeg',
                                       etag=f'"{item.sha256[:40]}-thumbnail"', last_modified=item.updated_at,
                                       filename=f'{item.display_name}.jpg', cache_control='private, max-age=86400')
        except DomainError as error:
            return error_response(error)
