"""Upload operations: the stages a file goes through and the live, shared view of every upload in flight.

The registry holds the live state in memory (bytes arrive far too often to write each to the database) and
persists every stage change, so a restart can tell which uploads were cut off. Pages subscribe per
instructor: every open tab sees every upload, and a reloaded page picks them up mid-flight.
"""
import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from time import monotonic
from uuid import UUID, uuid4

from .clock import utc_now
from .errors import Conflict, DomainError, NotFound
from .ports import UnitOfWork

PUBLISH_INTERVAL = 0.1  # at most ~10 progress updates a second per file; stage changes go out at once
SPEED_WINDOW = 3.0  # seconds of history behind the speed estimate
KEEP_FINISHED = 100  # finished operations an instructor's panel keeps until dismissed


class Stage(StrEnum):
    QUEUED = 'queued'
    RECEIVING = 'receiving'
    STORING = 'storing'
    PROCESSING = 'processing'
    READY = 'ready'
    FAILED = 'failed'
    CANCELLED = 'cancelled'


FINISHED = frozenset({Stage.READY, Stage.FAILED, Stage.CANCELLED})
_NEXT: dict[Stage, frozenset[Stage]] = {
    Stage.QUEUED: frozenset({Stage.RECEIVING, Stage.FAILED, Stage.CANCELLED}),
    Stage.RECEIVING: frozenset({Stage.STORING, Stage.FAILED, Stage.CANCELLED}),
    Stage.STORING: frozenset({Stage.PROCESSING, Stage.READY, Stage.FAILED, Stage.CANCELLED}),
    Stage.PROCESSING: frozenset({Stage.READY, Stage.FAILED}),
    Stage.READY: frozenset(),
    Stage.FAILED: frozenset(),
    Stage.CANCELLED: frozenset(),
}


class IllegalTransition(DomainError):
    """A bug, not a user error: code tried to move an upload backwards or out of a finished stage."""


@dataclass(kw_only=True, slots=True)
class UploadOperation:
    owner_id: UUID
    file_name: str
    bytes_total: int | None = None
    bytes_done: int = 0
    stage: Stage = Stage.QUEUED
    error: str = ''
    media_id: UUID | None = None
    duplicate: bool = False
    target_chapter_id: UUID | None = None
    storage_key: str | None = None
    speed: float | None = None  # bytes per second over the last few seconds
    id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)

    @property
    def finished(self) -> bool:
        return self.stage in FINISHED

    @property
    def fraction(self) -> float:
        """0..1 for the progress bar; a finished upload shows full, an unknown total shows nothing yet."""
        if self.stage == Stage.READY:
            return 1.0
        if not self.bytes_total:
            return 0.0
        return min(1.0, self.bytes_done / self.bytes_total)

    @property
    def eta_seconds(self) -> float | None:
        if self.finished or not self.speed or not self.bytes_total:
            return None
        return max(0.0, (self.bytes_total - self.bytes_done) / self.speed)


def advanced(operation: UploadOperation, stage: Stage) -> None:
    if stage not in _NEXT[operation.stage]:
        raise IllegalTransition(f'upload cannot go from {operation.stage} to {stage}')
    operation.stage = stage
    operation.updated_at = utc_now()


Listener = Callable[[UploadOperation], None]


@dataclass(kw_only=True, slots=True)
class _Live:
    operation: UploadOperation
    samples: deque[tuple[float, int]] = field(default_factory=deque)
    last_published: float = float('-inf')
    cancel_requested: bool = False


class UploadRegistry:
    def __init__(self, *, new_uow: Callable[[], UnitOfWork], clock: Callable[[], float] = monotonic) -> None:
        self._new_uow = new_uow
        self._clock = clock
        self._live: dict[UUID, _Live] = {}
        self._listeners: dict[UUID, list[Listener]] = {}

    def start(self, *, owner_id: UUID, file_name: str, bytes_total: int | None,
              target_chapter_id: UUID | None = None, operation_id: UUID | None = None) -> UploadOperation:
        """Register a new upload; a client may choose its id up front so it can poll progress from the start."""
        if operation_id is not None and operation_id in self._live:
            raise Conflict('This upload id is already in use.')
        operation = UploadOperation(owner_id=owner_id, file_name=file_name, bytes_total=bytes_total,
                                    target_chapter_id=target_chapter_id, id=operation_id or uuid4())
        self._live[operation.id] = _Live(operation=operation)
        self._forget_old_finished(owner_id)
        with self._new_uow() as uow:
            uow.uploads.add(operation)
            uow.commit()
        self._publish(self._live[operation.id])
        return operation

    def advance(self, operation: UploadOperation, stage: Stage, *, error: str = '') -> None:
        """Move to the next stage, store it and tell every subscribed page now."""
        advanced(operation, stage)
        operation.error = error
        if stage == Stage.READY and operation.bytes_total is None:
            operation.bytes_total = operation.bytes_done
        operation.speed = None if operation.finished else operation.speed
        with self._new_uow() as uow:
            uow.uploads.update(operation)
            uow.commit()
        self._publish(self._live[operation.id])

    def fail(self, operation: UploadOperation, error: str) -> None:
        """Finish as failed from whatever stage the error hit (a cancel that raced it wins)."""
        if not operation.finished:
            self.advance(operation, Stage.FAILED, error=error)

    def progress(self, operation: UploadOperation, bytes_done: int) -> None:
        live = self._live[operation.id]
        now = self._clock()
        operation.bytes_done = bytes_done
        live.samples.append((now, bytes_done))
        while len(live.samples) > 2 and now - live.samples[0][0] > SPEED_WINDOW:
            live.samples.popleft()
        first_time, first_bytes = live.samples[0]
        if now - first_time > 0:
            operation.speed = (bytes_done - first_bytes) / (now - first_time)
        if now - live.last_published >= PUBLISH_INTERVAL:
            self._publish(live)

    def request_cancel(self, owner_id: UUID, operation_id: UUID) -> None:
        """Ask the receiving loop to stop; it notices at its next chunk and cleans up."""
        live = self._owned(owner_id, operation_id)
        if not live.operation.finished:
            live.cancel_requested = True

    def cancel_requested(self, operation: UploadOperation) -> bool:
        return self._live[operation.id].cancel_requested

    def get(self, owner_id: UUID, operation_id: UUID) -> UploadOperation:
        """The live state, or the stored one for an upload this process no longer holds (after a restart)."""
        live = self._live.get(operation_id)
        if live is not None and live.operation.owner_id == owner_id:
            return copy.copy(live.operation)
        with self._new_uow() as uow:
            stored = uow.uploads.get(operation_id)
        if stored is None or stored.owner_id != owner_id:
            raise NotFound('This upload does not exist.')
        return stored

    def list_for_owner(self, owner_id: UUID) -> list[UploadOperation]:
        return [copy.copy(live.operation) for live in self._live.values() if live.operation.owner_id == owner_id]

    def dismiss(self, owner_id: UUID, operation_id: UUID) -> None:
        """Hide a finished upload from the panels (its stored record stays)."""
        live = self._owned(owner_id, operation_id)
        if live.operation.finished:
            del self._live[operation_id]
            self._publish(live)

    def subscribe(self, owner_id: UUID, listener: Listener) -> Callable[[], None]:
        """Call `listener` with a snapshot on every change of this instructor's uploads; returns the
        unsubscribe function, which a page must call when its client goes away."""
        self._listeners.setdefault(owner_id, []).append(listener)

        def unsubscribe() -> None:
            listeners = self._listeners.get(owner_id, [])
            if listener in listeners:
                listeners.remove(listener)
        return unsubscribe

    def is_listed(self, operation_id: UUID) -> bool:
        """False once dismissed: panels drop the row when they hear about such an operation."""
        return operation_id in self._live

    def _publish(self, live: _Live) -> None:
        live.last_published = self._clock()
        snapshot = copy.copy(live.operation)
        for listener in list(self._listeners.get(snapshot.owner_id, [])):
            listener(snapshot)

    def _owned(self, owner_id: UUID, operation_id: UUID) -> _Live:
        live = self._live.get(operation_id)
        if live is None or live.operation.owner_id != owner_id:
            raise NotFound('This upload does not exist.')
        return live

    def _forget_old_finished(self, owner_id: UUID) -> None:
        finished = [live for live in self._live.values()
                    if live.operation.owner_id == owner_id and live.operation.finished]
        for live in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._live[live.operation.id]


def recover_interrupted(uow: UnitOfWork) -> list[UploadOperation]:
    """At start, settle uploads a crash cut off. Those that had become a library item are done (the item is
    re-processed separately); the rest failed, and the caller removes the blobs they may have left."""
    with uow:
        interrupted = uow.uploads.list_unfinished()
        for operation in interrupted:
            if operation.media_id is not None:
                operation.stage = Stage.READY
            else:
                operation.stage = Stage.FAILED
                operation.error = 'Interrupted by a server restart. Please upload the file again.'
            operation.updated_at = utc_now()
            uow.uploads.update(operation)
        uow.commit()
    return [operation for operation in interrupted if operation.stage == Stage.FAILED]
