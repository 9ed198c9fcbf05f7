"""Serving stored media: the original file and its thumbnail, to their owner only (anyone else gets 404)."""
from fastapi import Request
from fastapi.responses import Response
from nicegui import app

from domain.errors import DomainError, NotFound

from .api_errors import error_response, json_error, parse_id
from .file_responses import blob_response
from .services import Services
from .session import current_instructor


def register(services: Services) -> None:
    @app.head('/api/media/{media_id}/content', include_in_schema=False)
    @app.get('/api/media/{media_id}/content', tags=['media'])
    async def content(media_id: str, request: Request, download: bool = False) -> Response:
        """The original bytes, with byte ranges for seeking; `?download=1` always saves instead of showing."""
        instructor = current_instructor(services, request)
        if instructor is None:
            return json_error(401, 'unauthenticated', 'Sign in first.')
        try:
            item = services.library.get(instructor.id, parse_id(media_id, 'media item'))
            return await blob_response(request, services.blobs, key=item.storage_key, media_type=item.mime_type,
                                       etag=f'"{item.sha256}"', last_modified=item.created_at,
                                       filename=item.display_name, download=download)
        except DomainError as error:
            return error_response(error)

    @app.head('/api/media/{media_id}/thumbnail', include_in_schema=False)
    @app.get('/api/media/{media_id}/thumbnail', tags=['media'])
    async def thumbnail(media_id: str, request: Request) -> Response:
        instructor = current_instructor(services, request)
        if instructor is None:
            return json_error(401, 'unauthenticated', 'Sign in first.')
        try:
            item = services.library.get(instructor.id, parse_id(media_id, 'media item'))
            if item.thumbnail_key is None:
                raise NotFound('This item has no thumbnail.')
            return await blob_response(request, services.blobs, key=item.thumbnail_key, media_type='image/jpeg',
                                       etag=f'"{item.sha256[:40]}-thumbnail"', last_modified=item.updated_at,
                                       filename=f'{item.display_name}.jpg', cache_control='private, max-age=86400')
        except DomainError as error:
            return error_response(error)
