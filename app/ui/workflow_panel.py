"""The case view's workflow tab: where the case stands, who owes what by when, the materials
checklist, the next steps as buttons, and generated documents.

Everything is loaded and recorded through the task helper (app.ui.tasks); the panel renders
plain dataclasses from app.services.workflow. A refused step (WorkflowRefused, a UserError)
shows as a notice in plain Chinese; nothing was written.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.identity import SignedInUser
from app.domain.labels import DOC_TYPE_LABELS, STATUS_LABELS, label
from app.domain.workcalendar import CST
from app.errors import UserError
from app.store.db import Store
from app.ui.case_view import _fill, _table
from app.ui.event_dialog import EventDialog
from app.ui.notices import NoticeBar
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.workflow import CaseWorkflow, Changes
    from app.services.workflow_documents import GeneratedDocument

GENERATED = ("transfer_letter", "materials_list", "seized_items_list", "opinion_reply")
STEP_COLUMNS = 3


@dataclass(frozen=True)
class _Loaded:
    flow: "CaseWorkflow"
    members: list[tuple[str, str]]


def _now() -> datetime:
    return datetime.now(CST)


def _due(value: datetime) -> str:
    return value.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def _export_copy(store: Store, made: "GeneratedDocument") -> Path:
    """A copy named after the document, for a viewer to open and print."""
    folder = store.paths.root / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c for c in f"{made.number}-{made.title}" if c not in '\\/:*?"<>|')
    target = folder / f"{safe}.pdf"
    target.write_bytes(made.path.read_bytes())
    return target


class WorkflowPanel(QWidget):
    """The workflow of one case for the signed-in user.

    Signals:
        loaded(): the workflow is shown.
        changed(str): an event was recorded (its kind) or a document generated ("document");
            the case view reloads its record and this panel.
        document_ready(str): a generated PDF was stored and copied to this path.
    """

    loaded = Signal()
    changed = Signal(str)
    document_ready = Signal(str)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        user: SignedInUser,
        case_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.user = user
        self.case_id = case_id
        self.flow: CaseWorkflow | None = None
        self.members: list[tuple[str, str]] = []
        self.dialog: EventDialog | None = None
        self.last_document: Path | None = None
        self.opener: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.step_buttons: dict[str, QPushButton] = {}

        layout = QVBoxLayout(self)
        self.notices = NoticeBar(self)
        layout.addWidget(self.notices)
        self.node = QLabel(self.tr("Loading…"), self)
        self.node.setWordWrap(True)
        layout.addWidget(self.node)
        self.owes = QLabel(self)
        self.owes.setWordWrap(True)
        layout.addWidget(self.owes)
        self.anomalies = QLabel(self)
        self.anomalies.setWordWrap(True)
        self.anomalies.setStyleSheet("color:#8a5300")
        self.anomalies.hide()
        layout.addWidget(self.anomalies)

        self.deadlines = _table(
            self,
            [
                self.tr("Deadline"),
                self.tr("Owed by"),
                self.tr("Due"),
                self.tr("Source"),
            ],
        )
        layout.addWidget(self.deadlines, 2)

        self.steps_box = QGroupBox(self.tr("Next steps"), self)
        self.steps_grid = QGridLayout(self.steps_box)
        layout.addWidget(self.steps_box)

        self.materials = _table(self, [self.tr("Transfer material"), self.tr("Status")])
        layout.addWidget(self.materials, 2)

        docs = QHBoxLayout()
        self.doc_type = QComboBox(self)
        for code in GENERATED:
            self.doc_type.addItem(label(DOC_TYPE_LABELS, code), code)
        docs.addWidget(self.doc_type, 1)
        self.generate_button = QPushButton(self.tr("Generate document"), self)
        self.generate_button.clicked.connect(self.generate)
        docs.addWidget(self.generate_button)
        self.open_button = QPushButton(self.tr("Open / print"), self)
        self.open_button.setEnabled(False)
        self.open_button.setToolTip(self.tr("Opens the PDF in the system viewer to print it"))
        self.open_button.clicked.connect(self.open_document)
        docs.addWidget(self.open_button)
        layout.addLayout(docs)

    # -- loading -------------------------------------------------------------------------

    def load(self) -> None:
        store, case_id, unit_id = self.store, self.case_id, self.user.unit_id

        def op() -> _Loaded:
            from sqlalchemy import select

            from app.services.workflow import case_workflow
            from app.store.models import User

            flow = case_workflow(store, case_id, _now())
            with store.session() as session:
                members = [
                    (u.id, u.display_name)
                    for u in session.scalars(
                        select(User)
                        .where(User.unit_id == unit_id, User.active.is_(True))
                        .where(User.role.in_(("inspector", "head")))
                        .order_by(User.display_name)
                    )
                ]
            return _Loaded(flow, members)

        self.runner.run(op, self._show, self._failed)

    def _show(self, loaded: _Loaded) -> None:
        flow = loaded.flow
        self.flow = flow
        self.members = loaded.members
        node = self.tr("Status: %1 · Transfer: %2 · Referral back: %3")
        self.node.setText(
            node.replace("%1", label(STATUS_LABELS, flow.status))
            .replace("%2", flow.forward_label)
            .replace("%3", flow.reverse_label)
        )
        self.owes.setText(
            "\n".join(f"{party}：{what}" for party, what in flow.owes)
            or self.tr("Nothing is owed now.")
        )
        # Steps recorded elsewhere (merged, imported) that the workflow does not accept where
        # they stand: shown, never hidden (docs/workflow.md, "State is derived").
        self.anomalies.setVisible(bool(flow.anomalies))
        self.anomalies.setText(
            self.tr("Steps on the timeline that do not fit the workflow: %1").replace(
                "%1", "；".join(reason for _, reason in flow.anomalies)
            )
        )
        _fill(
            self.deadlines,
            [[d.label, d.owed_by_label, _due(d.due_at), d.source] for d in flow.deadlines],
            highlight={n for n, d in enumerate(flow.deadlines) if d.overdue},
        )
        _fill(self.materials, [[m.label, m.status_label] for m in flow.materials])
        self._steps(flow)
        emit(self.loaded)

    def _steps(self, flow: "CaseWorkflow") -> None:
        for button in self.step_buttons.values():
            self.steps_grid.removeWidget(button)
            button.deleteLater()
        self.step_buttons = {}
        for n, step in enumerate(flow.next_steps):
            text = step.label + (self.tr(" (head)") if step.head_only else "")
            button = QPushButton(text, self.steps_box)
            button.setToolTip(step.kind)
            button.clicked.connect(lambda _=False, k=step.kind, t=step.label: self.start_step(k, t))
            self.steps_grid.addWidget(button, n // STEP_COLUMNS, n % STEP_COLUMNS)
            self.step_buttons[step.kind] = button

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.notices.show_notice(str(exc), "error")
            return
        self.runner.report_failure(exc)

    # -- recording -----------------------------------------------------------------------

    def start_step(self, kind: str, title: str) -> None:
        """Ask for the step's data in a dialog, then record it in the background."""
        self.dialog = EventDialog(kind, title, self.members, self)
        try:
            if self.dialog.exec() != QDialog.DialogCode.Accepted:
                return
            data, at = self.dialog.data(), self.dialog.when()
        finally:
            self.dialog.deleteLater()
            self.dialog = None
        self.record(kind, data, at)

    def record(self, kind: str, data: dict[str, object], at: datetime) -> None:
        store, user, case_id = self.store, self.user, self.case_id

        def op() -> "Changes":
            from app.services.workflow import record_event

            return record_event(store, user, case_id, kind, at=at, data=data)

        self.runner.run(op, self._recorded, self._failed)

    def _recorded(self, changes: "Changes") -> None:
        self.notices.show_notice(self.tr("Recorded: %1").replace("%1", changes.label), "info")
        emit(self.changed, changes.kind)  # the case view reloads itself and this panel

    # -- documents -----------------------------------------------------------------------

    def generate(self) -> None:
        store, user, case_id = self.store, self.user, self.case_id
        doc_type = str(self.doc_type.currentData())

        def op() -> Path:
            from app.services.workflow_documents import make_document

            made = make_document(store, user, case_id, doc_type, at=_now())
            return _export_copy(store, made)

        self.generate_button.setEnabled(False)
        self.runner.run(op, self._generated, self._generate_failed)

    def _generated(self, path: Path) -> None:
        self.generate_button.setEnabled(True)
        self.last_document = path
        self.open_button.setEnabled(True)
        self.notices.show_notice(
            self.tr("Document generated and stored with the case: %1").replace("%1", path.name),
            "info",
        )
        emit(self.document_ready, str(path))
        emit(self.changed, "document")

    def _generate_failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        self._failed(exc)

    def open_document(self) -> None:
        if self.last_document is not None:
            self.opener(QUrl.fromLocalFile(str(self.last_document)))
