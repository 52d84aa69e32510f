"""The one background-task helper: every piece of I/O the GUI starts goes through here.

Built on :class:`QThreadPool` and :class:`QRunnable` with a signal-carrying :class:`QObject`
(the pattern of Anki's ``CollectionOp`` and Picard's ``run_task``). ``op`` runs on a worker
thread; ``on_success(result)`` and ``on_failure(exc)`` run later on the GUI thread.

.. warning::
   Code inside ``op`` must not touch the UI: no widgets, no models, no ``QPixmap``. It may use
   the store (open its own session with ``store.session()``), the file system and services,
   and report progress only through a callable from :meth:`TaskRunner.progress_reporter`.
   Everything it returns must be plain data (dataclasses, lists, ids), never live ORM objects.

Failures without an ``on_failure`` callback are routed by kind: a
:class:`~app.errors.UserError` (an expected problem with a Chinese message) goes to the notice
sink (the main window's notice bar); anything else is a bug and goes to the crash handler
(``sys.excepthook``).

For tests, ``TaskRunner(synchronous=True)`` runs ``op`` inline and calls the callbacks before
:meth:`TaskRunner.run` returns.
"""

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import UserError
from app.ui.qtcompat import emit

log = logging.getLogger(__name__)

T = TypeVar("T")

NoticeSink = Callable[[str], None]


def _receiver_alive(callback: Callable[..., None]) -> bool:
    """False when ``callback`` is a method of a Qt object that has been deleted meanwhile
    (a dialog closed while its task ran): its outcome has nowhere to go and is dropped."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class _Relay(QObject):
    """Carries one task's outcome from the worker thread to the GUI thread.

    Created on the GUI thread, so its own slots run there (queued connections).

    Signals:
        succeeded(object): the value ``op`` returned.
        failed(object): the exception ``op`` raised.
    """

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        runner: "TaskRunner",
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[BaseException], None] | None,
    ) -> None:
        super().__init__()
        self._runner = runner
        self._on_success = on_success
        self._on_failure = on_failure
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        try:
            if self._on_success is not None and _receiver_alive(self._on_success):
                self._on_success(result)
        finally:
            self._runner._finished(self)

    @Slot(object)
    def _deliver_failure(self, exc: object) -> None:
        try:
            assert isinstance(exc, BaseException)
            if self._on_failure is not None:
                if _receiver_alive(self._on_failure):
                    self._on_failure(exc)
                else:
                    log.info("task failed after its window closed: %r", exc)
            else:
                self._runner.report_failure(exc)
        finally:
            self._runner._finished(self)


class _Job(QRunnable):
    def __init__(self, op: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._op = op
        self._relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._op()
        except BaseException as exc:  # every failure must reach the GUI thread
            emit(self._relay.failed, exc)
        else:
            emit(self._relay.succeeded, result)


class _ProgressRelay(QObject):
    """Carries progress reports from a worker thread to a callback on the GUI thread.

    Signals:
        progressed(int, int): done and total; emitted from any thread.
    """

    progressed = Signal(int, int)

    def __init__(self, on_progress: Callable[[int, int], None], parent: QObject) -> None:
        super().__init__(parent)
        self._on_progress = on_progress
        self.progressed.connect(self._deliver)

    @Slot(int, int)
    def _deliver(self, done: int, total: int) -> None:
        self._on_progress(done, total)


class TaskRunner(QObject):
    """Runs operations off the GUI thread and delivers their outcome on it.

    Signals:
        busy_changed(bool): True when the first task starts, False when the last one ends.
    """

    busy_changed = Signal(bool)

    def __init__(
        self,
        *,
        synchronous: bool = False,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: set[_Relay] = set()
        self._notice_sink: NoticeSink | None = None
        self._progress: list[_ProgressRelay] = []

    def set_notice_sink(self, sink: NoticeSink | None) -> None:
        """Where expected problems (:class:`UserError`) go when a task has no ``on_failure``."""
        self._notice_sink = sink

    @property
    def pending(self) -> int:
        """How many tasks have started and not yet delivered their outcome."""
        return len(self._pending)

    def run(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``op`` on a worker thread; ``op`` must not touch the UI (see module docstring)."""
        relay = _Relay(self, on_success, on_failure)
        self._pending.add(relay)
        if len(self._pending) == 1:
            emit(self.busy_changed, True)
        if self.synchronous:
            _Job(op, relay).run()
            return
        self._pool.start(_Job(op, relay))

    def progress_reporter(
        self, on_progress: Callable[[int, int], None]
    ) -> Callable[[int, int], None]:
        """A thread-safe ``report(done, total)`` for ``op``; ``on_progress`` runs on the GUI."""
        relay = _ProgressRelay(on_progress, self)
        self._progress.append(relay)
        return lambda done, total: emit(relay.progressed, done, total)

    def report_failure(self, exc: BaseException) -> None:
        """Route a failure: expected problems to the notice sink, bugs to the crash handler."""
        if isinstance(exc, UserError):
            log.warning("task failed: %s", exc)
            if self._notice_sink is not None:
                self._notice_sink(str(exc))
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Wait for worker threads to finish (their callbacks still need the event loop)."""
        return self._pool.waitForDone(msecs)

    def _finished(self, relay: _Relay) -> None:
        self._pending.discard(relay)
        relay.deleteLater()
        if not self._pending:
            emit(self.busy_changed, False)
