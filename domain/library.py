"""Reading an instructor's library."""
from uuid import UUID

from .media import MediaItem
from .ports import UnitOfWork


def recent_items(uow: UnitOfWork, *, owner_id: UUID, limit: int = 60) -> list[MediaItem]:
    """Newest first: what was just uploaded is what an instructor looks for next."""
    with uow:
        return uow.media.list_recent(owner_id, limit=limit)
