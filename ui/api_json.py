"""The JSON shapes the HTTP routes return; the progress endpoint and the upload route share them."""
from typing import Any

from domain.media import MediaItem
from domain.uploads import UploadOperation


def media_json(item: MediaItem) -> dict[str, Any]:
    return {
        'id': str(item.id), 'name': item.display_name, 'kind': str(item.kind), 'mime_type': item.mime_type,
        'size': item.size, 'sha256': item.sha256, 'status': str(item.status), 'status_detail': item.status_detail,
        'duration_seconds': item.duration_seconds, 'width': item.width, 'height': item.height,
        'thumbnail_url': f'/api/media/{item.id}/thumbnail' if item.thumbnail_key else None,
        'created_at': item.created_at.isoformat(),
    }


def operation_json(operation: UploadOperation) -> dict[str, Any]:
    return {
        'id': str(operation.id), 'file_name': operation.file_name, 'stage': str(operation.stage),
        'bytes_done': operation.bytes_done, 'bytes_total': operation.bytes_total, 'fraction': operation.fraction,
        'speed': operation.speed, 'eta_seconds': operation.eta_seconds, 'error': operation.error,
        'media_id': str(operation.media_id) if operation.media_id else None, 'duplicate': operation.duplicate,
    }
