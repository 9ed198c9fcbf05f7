"""Telling every open page of an instructor that something changed, so tabs never show stale data.

Pages subscribe per instructor and topic; use cases publish after they commit. In memory: one process serves a
self-hosted install, and a page that missed an event reloads everything on its next visit anyway.
"""
from collections.abc import Callable
from enum import StrEnum
from uuid import UUID


class Topic(StrEnum):
    MEDIA = 'media'  # items added, processed, renamed or deleted
    LINKS = 'links'  # media linked to, moved within or unlinked from chapters


Listener = Callable[[], None]


class ChangeFeed:
    def __init__(self) -> None:
        self._listeners: dict[tuple[UUID, Topic], list[Listener]] = {}

    def subscribe(self, owner_id: UUID, topic: Topic, listener: Listener) -> Callable[[], None]:
        """Returns the unsubscribe function; a page calls it when its client goes away."""
        listeners = self._listeners.setdefault((owner_id, topic), [])
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)
        return unsubscribe

    def publish(self, owner_id: UUID, topic: Topic) -> None:
        for listener in list(self._listeners.get((owner_id, topic), [])):
            listener()
