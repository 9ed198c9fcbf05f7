"""Upload stages and the live registry: legal moves only, throttled progress, owner-only access."""
from uuid import uuid4

import pytest

from domain.errors import Conflict, NotFound
from domain.uploads import IllegalTransition, Stage, UploadRegistry, recover_interrupted
from tests.unit.fakes import FakeUnitOfWork, ManualClock

OWNER = uuid4()


@pytest.fixture
def registry(uow: FakeUnitOfWork, clock: ManualClock) -> UploadRegistry:
    return UploadRegistry(new_uow=lambda: uow, clock=clock)


def test_stage_changes_are_stored_and_published(registry: UploadRegistry, uow: FakeUnitOfWork) -> None:
    heard = []
    registry.subscribe(OWNER, lambda op: heard.append(op.stage))
    operation = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=10)
    for stage in (Stage.RECEIVING, Stage.STORING, Stage.PROCESSING, Stage.READY):
        registry.advance(operation, stage)
    assert heard == [Stage.QUEUED, Stage.RECEIVING, Stage.STORING, Stage.PROCESSING, Stage.READY]
    assert uow.uploads.get(operation.id).stage == Stage.READY


@pytest.mark.parametrize(('path', 'illegal'), [
    ([], Stage.READY), ([Stage.RECEIVING, Stage.STORING], Stage.RECEIVING), ([Stage.FAILED], Stage.RECEIVING),
    ([Stage.RECEIVING, Stage.STORING, Stage.PROCESSING], Stage.CANCELLED)])
def test_stages_only_move_forward(registry: UploadRegistry, path: list[Stage], illegal: Stage) -> None:
    operation = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=10)
    for stage in path:
        registry.advance(operation, stage)
    with pytest.raises(IllegalTransition):
        registry.advance(operation, illegal)


def test_progress_is_published_at_most_ten_times_a_second(registry: UploadRegistry, clock: ManualClock) -> None:
    heard = []
    operation = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1000)
    registry.advance(operation, Stage.RECEIVING)
    registry.subscribe(OWNER, lambda op: heard.append(op.bytes_done))
    for step in range(1, 101):  # 100 chunks over one second
        clock.now += 0.01
        registry.progress(operation, step * 10)
    assert 9 <= len(heard) <= 11
    assert heard[-1] >= 900


def test_speed_and_eta_follow_the_bytes(registry: UploadRegistry, clock: ManualClock) -> None:
    operation = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=10_000)
    registry.advance(operation, Stage.RECEIVING)
    for second in range(5):
        clock.now = float(second)
        registry.progress(operation, second * 1000)
    live = registry.get(OWNER, operation.id)
    assert live.speed == pytest.approx(1000)
    assert live.eta_seconds == pytest.approx(6)
    assert live.fraction == pytest.approx(0.4)


def test_every_subscriber_of_the_owner_hears_and_others_do_not(registry: UploadRegistry) -> None:
    tab_one, tab_two, stranger = [], [], []
    registry.subscribe(OWNER, tab_one.append)
    unsubscribe = registry.subscribe(OWNER, tab_two.append)
    registry.subscribe(uuid4(), stranger.append)
    registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1)
    unsubscribe()
    registry.start(owner_id=OWNER, file_name='b.mp4', bytes_total=1)
    assert (len(tab_one), len(tab_two), len(stranger)) == (2, 1, 0)


def test_another_instructor_cannot_see_cancel_or_dismiss(registry: UploadRegistry) -> None:
    operation = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1)
    stranger = uuid4()
    for attempt in (lambda: registry.get(stranger, operation.id),
                    lambda: registry.request_cancel(stranger, operation.id),
                    lambda: registry.dismiss(stranger, operation.id)):
        with pytest.raises(NotFound):
            attempt()
    assert not registry.cancel_requested(operation)


def test_cancel_is_a_request_the_receiver_honours(registry: UploadRegistry) -> None:
    operation = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1)
    registry.request_cancel(OWNER, operation.id)
    assert registry.cancel_requested(operation)


def test_only_finished_uploads_are_dismissed(registry: UploadRegistry) -> None:
    running = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1)
    done = registry.start(owner_id=OWNER, file_name='b.mp4', bytes_total=1)
    registry.fail(done, 'Storage is unavailable.')
    registry.dismiss(OWNER, running.id)
    registry.dismiss(OWNER, done.id)
    assert [op.file_name for op in registry.list_for_owner(OWNER)] == ['a.mp4']
    assert registry.get(OWNER, done.id).error == 'Storage is unavailable.'  # still on record


def test_a_client_chosen_id_is_used_once(registry: UploadRegistry) -> None:
    chosen = uuid4()
    assert registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1, operation_id=chosen).id == chosen
    with pytest.raises(Conflict):
        registry.start(owner_id=OWNER, file_name='b.mp4', bytes_total=1, operation_id=chosen)


def test_a_restart_fails_cut_off_uploads_and_keeps_finished_items(registry: UploadRegistry,
                                                                  uow: FakeUnitOfWork) -> None:
    cut_off = registry.start(owner_id=OWNER, file_name='a.mp4', bytes_total=1)
    registry.advance(cut_off, Stage.RECEIVING)
    processing = registry.start(owner_id=OWNER, file_name='b.mp4', bytes_total=1)
    for stage in (Stage.RECEIVING, Stage.STORING):
        registry.advance(processing, stage)
    processing.media_id = uuid4()
    registry.advance(processing, Stage.PROCESSING)
    failed = recover_interrupted(uow)
    assert [op.id for op in failed] == [cut_off.id]
    assert uow.uploads.get(cut_off.id).stage == Stage.FAILED
    assert 'restart' in uow.uploads.get(cut_off.id).error
    assert uow.uploads.get(processing.id).stage == Stage.READY
