"""The progress panel: every upload of the signed-in instructor, live, in every open tab.

Rows are driven by the server-side upload registry, not by the browser that sends the file: a reload or a
second tab shows the same bars, and a failure is explained even when the sending tab is gone.
"""
from uuid import UUID

from nicegui import ui

from domain.errors import DomainError
from domain.media import format_bytes
from domain.uploads import Stage, UploadOperation, UploadRegistry

from .formatting import format_eta, format_speed

_STAGE_TEXT = {
    Stage.QUEUED: 'Waiting', Stage.RECEIVING: 'Uploading', Stage.STORING: 'Saving',
    Stage.PROCESSING: 'Making preview', Stage.READY: 'Done', Stage.FAILED: 'Failed', Stage.CANCELLED: 'Cancelled',
}
_BAR_COLOR = {Stage.READY: 'positive', Stage.FAILED: 'negative', Stage.CANCELLED: 'grey'}


class UploadRow(ui.item):
    def __init__(self, operation: UploadOperation, registry: UploadRegistry) -> None:
        super().__init__()
        self._registry = registry
        self.operation = operation
        self.mark('upload-row')
        with self:
            with ui.item_section():
                with ui.row().classes('w-full items-baseline justify-between gap-2 no-wrap'):
                    self._name = ui.label(operation.file_name).classes('font-medium truncate').mark('upload-name')
                    self._size = ui.label().classes('upload-size text-xs text-gray-500 whitespace-nowrap')
                self._bar = ui.linear_progress(show_value=False, size='6px').props('rounded').mark('upload-bar')
                with ui.row().classes('w-full justify-between text-xs text-gray-600'):
                    self._stage = ui.label().mark('upload-stage')
                    self._rate = ui.label().mark('upload-rate')
                self._error = ui.label().classes('text-xs text-negative').mark('upload-error')
            with ui.item_section().props('side'):
                self._cancel = ui.button(icon='close', on_click=self._request_cancel) \
                    .props('flat round dense').tooltip('Cancel upload').mark('upload-cancel')
                self._dismiss = ui.button(icon='done', on_click=self._request_dismiss) \
                    .props('flat round dense').tooltip('Dismiss').mark('upload-dismiss')
        self.show(operation)

    def show(self, operation: UploadOperation) -> None:
        self.operation = operation
        total = operation.bytes_total
        done = format_bytes(operation.bytes_done)
        self._size.text = f'{done} of {format_bytes(total)}' if total and not operation.finished else (
            format_bytes(total) if total else done)
        self._bar.value = operation.fraction
        self._bar.props(f'color={_BAR_COLOR.get(operation.stage, "primary")}')
        stage = _STAGE_TEXT[operation.stage]
        self._stage.text = 'Already in your library' if operation.duplicate else stage
        self._rate.text = ' · '.join(filter(None, [format_speed(operation.speed), format_eta(operation.eta_seconds)])) \
            if operation.stage == Stage.RECEIVING else ''
        self._error.text = operation.error if operation.stage in (Stage.FAILED, Stage.CANCELLED) else ''
        self._error.set_visibility(bool(self._error.text))
        self._cancel.set_visibility(operation.stage in (Stage.QUEUED, Stage.RECEIVING))
        self._dismiss.set_visibility(operation.finished)

    def _request_cancel(self) -> None:
        try:
            self._registry.request_cancel(self.operation.owner_id, self.operation.id)
        except DomainError as error:
            ui.notify(str(error), type='warning')

    def _request_dismiss(self) -> None:
        try:
            self._registry.dismiss(self.operation.owner_id, self.operation.id)
        except DomainError as error:
            ui.notify(str(error), type='warning')


class ProgressPanel(ui.card):
    def __init__(self, registry: UploadRegistry, owner_id: UUID, *, chapter_id: UUID | None = None) -> None:
        """Every upload of the instructor, or (in a chapter) only those headed for that chapter."""
        super().__init__()
        self._registry = registry
        self._owner_id = owner_id
        self._chapter_id = chapter_id
        self._rows: dict[UUID, UploadRow] = {}
        self.classes('w-full p-0 gap-0').mark('progress-panel')
        with self:
            with ui.row().classes('w-full items-center justify-between px-4 py-2'):
                self._summary = ui.label().classes('text-sm font-medium').mark('upload-summary')
                ui.button('Clear finished', on_click=self._clear_finished) \
                    .props('flat dense no-caps size=sm').mark('clear-finished')
            self._list = ui.list().props('separator').classes('w-full')
        for operation in sorted(registry.list_for_owner(owner_id), key=lambda op: op.created_at):
            self._update(operation)
        unsubscribe = registry.subscribe(owner_id, self._update)
        self.client.on_delete(unsubscribe)  # a closed tab must stop receiving updates (NiceGUI issue #4742)

    def _update(self, operation: UploadOperation) -> None:
        if self.is_deleted or (self._chapter_id is not None and operation.target_chapter_id != self._chapter_id):
            return
        row = self._rows.get(operation.id)
        if not self._registry.is_listed(operation.id):
            if row is not None:
                self._list.remove(row)
                del self._rows[operation.id]
        elif row is None:
            with self._list:
                self._rows[operation.id] = UploadRow(operation, self._registry)
            self._rows[operation.id].move(self._list, target_index=0)  # newest first
        else:
            row.show(operation)
        self._summarize()

    def _clear_finished(self) -> None:
        for row in list(self._rows.values()):
            if row.operation.finished:
                self._registry.dismiss(self._owner_id, row.operation.id)

    def _summarize(self) -> None:
        operations = [row.operation for row in self._rows.values()]
        counts = [
            (sum(not op.finished for op in operations), 'uploading'),
            (sum(op.stage == Stage.READY for op in operations), 'completed'),
            (sum(op.stage == Stage.FAILED for op in operations), 'failed'),
            (sum(op.stage == Stage.CANCELLED for op in operations), 'cancelled'),
        ]
        self._summary.text = ', '.join(f'{count} {label}' for count, label in counts if count)
        self.set_visibility(bool(operations))
