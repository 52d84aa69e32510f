"""Autosave of a draft: on every committed field and every few seconds, off the GUI thread.

Saves go through the task helper, one at a time: a request while a save is in flight is
remembered and served when it returns, so an older snapshot can never overwrite a newer
one. Nothing is written when the snapshot equals the last one saved (an input method's
preedit text is not part of any snapshot, so composing never writes).
"""

import copy
import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.store.db import Store
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

Snapshot = tuple[dict[str, Any], int]

AUTOSAVE_MS = 3000


class AutoSaver(QObject):
    """Keeps one draft's stored values in step with the wizard.

    Signals:
        saved(int): the number of writes so far, after each write that reached the database.
    """

    saved = Signal(int)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        draft_id: str,
        snapshot: Callable[[], Snapshot],
        interval_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_failure = on_failure
        self._store = store
        self._runner = runner
        self._draft_id = draft_id
        self._snapshot = snapshot
        self._last: str | None = None
        self._in_flight = False
        self._again = False
        self.writes = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.request)

    def start(self, initial: Snapshot) -> None:
        """Remember what is already stored, then save every ``interval_ms`` if changed."""
        self._last = _key(initial)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @property
    def busy(self) -> bool:
        return self._in_flight

    def request(self) -> None:
        """Save the current snapshot if it differs from the last one saved."""
        if self._in_flight:
            self._again = True
            return
        values, step = self._snapshot()
        key = _key((values, step))
        if key == self._last:
            return
        self._in_flight = True
        store, draft_id, payload = self._store, self._draft_id, copy.deepcopy(values)

        def op() -> None:
            from app.services.drafts import save_draft

            with store.session() as session:
                save_draft(session, draft_id, payload, step)

        self._runner.run(op, lambda _r: self._done(key), self._failed)

    def _done(self, key: str) -> None:
        self._in_flight = False
        self._last = key
        self.writes += 1
        emit(self.saved, self.writes)
        if self._again:
            self._again = False
            self.request()

    def _failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self._again = False
        if self._on_failure is not None:
            self._on_failure(exc)
        else:
            self._runner.report_failure(exc)


def _key(snapshot: Snapshot) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)
