"""One case, read-only: header fields, parties, timeline, documents and deadlines.

The view loads :func:`~app.services.case_queries.case_detail` through the task helper and
renders the plain dataclasses it returns; it never holds ORM objects.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.identity import SignedInUser
from app.store.db import Store
from app.ui.case_table import sync_state_text
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.domain.thresholds import ThresholdResult
    from app.services.case_queries import CaseDetail
    from app.ui.workflow_panel import WorkflowPanel

_OVERDUE = QColor("#fde2df")


def money(fen: int | None) -> str:
    if fen is None:
        return "—"
    return QCoreApplication.translate("CaseView", "¥%1").replace("%1", f"{fen / 100:,.2f}")


def when(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def party_kind_text(kind: str) -> str:
    return {
        "person": QCoreApplication.translate("CaseView", "Person"),
        "organisation": QCoreApplication.translate("CaseView", "Organisation"),
    }.get(kind, kind)


def owed_by_text(owed_by: str) -> str:
    return {
        "self": QCoreApplication.translate("CaseView", "This unit"),
        "police": QCoreApplication.translate("CaseView", "Police"),
        "procuratorate": QCoreApplication.translate("CaseView", "Procuratorate"),
        "court": QCoreApplication.translate("CaseView", "Court"),
    }.get(owed_by, owed_by)


def signed_in_user(widget: QWidget | None) -> SignedInUser | None:
    """The user of the window ``widget`` belongs to (a parent with a ``user`` attribute)."""
    while widget is not None:
        user = getattr(widget, "user", None)
        if isinstance(user, SignedInUser):
            return user
        widget = widget.parentWidget()
    return None


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], highlight: set[int] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            if highlight and r in highlight:
                item.setBackground(QBrush(_OVERDUE))
            table.setItem(r, c, item)


class CaseView(QWidget):
    """A case's record, loaded in the background.

    Signals:
        loaded(str): the case id, once its detail is shown.
        title_changed(str): a short title for the tab (case number or name).
    """

    loaded = Signal(str)
    title_changed = Signal(str)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        case_id: str,
        parent: QWidget | None = None,
        user: SignedInUser | None = None,
    ):
        super().__init__(parent)
        self.case_id = case_id
        self._store = store
        self._runner = runner
        self.detail: CaseDetail | None = None

        layout = QVBoxLayout(self)
        self.heading = QLabel(self.tr("Loading…"), self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        from app.ui.threshold_banner import ThresholdBanner

        self.banner = ThresholdBanner(self)  # filled by _assess() once the case has loaded
        layout.addWidget(self.banner)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, title in self._field_titles():
            value = QLabel("—", self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            self.form.addRow(title, value)
        layout.addLayout(self.form)

        self.tabs = QTabWidget(self)
        self.facts = QPlainTextEdit(self)
        self.facts.setReadOnly(True)
        self.parties = _table(
            self,
            [
                self.tr("Role"),
                self.tr("Kind"),
                self.tr("Name"),
                self.tr("ID number"),
                self.tr("Phone"),
                self.tr("Address"),
            ],
        )
        self.timeline = _table(
            self, [self.tr("Time"), self.tr("Step"), self.tr("By"), self.tr("Note")]
        )
        self.documents = _table(
            self,
            [
                self.tr("Type"),
                self.tr("Title"),
                self.tr("Number"),
                self.tr("Issued on"),
                self.tr("Pages"),
                self.tr("Files"),
            ],
        )
        self.deadlines = _table(
            self,
            [
                self.tr("Step"),
                self.tr("Owed by"),
                self.tr("Due"),
                self.tr("Met"),
                self.tr("Source"),
            ],
        )
        self.tabs.addTab(self.parties, self.tr("Parties"))
        self.tabs.addTab(self.timeline, self.tr("Timeline"))
        self.tabs.addTab(self.documents, self.tr("Documents"))
        self.tabs.addTab(self.deadlines, self.tr("Deadlines"))
        self.tabs.addTab(self.facts, self.tr("Facts"))
        self.workflow: WorkflowPanel | None = None
        user = user or signed_in_user(parent)
        if user is not None:  # the workflow tab (app/ui/workflow_panel.py)
            from app.ui.workflow_panel import WorkflowPanel as Panel

            self.workflow = Panel(store, runner, user, case_id, self)
            self.workflow.changed.connect(lambda _kind: self.load())
            self.tabs.addTab(self.workflow, self.tr("Workflow"))
        layout.addWidget(self.tabs, 1)
        from app.ui.scan.launcher import scan_button  # scanning and import (docs/scanning.md)

        layout.addWidget(scan_button(self, store, runner, case_id, self.load))

    def _field_titles(self) -> list[tuple[str, str]]:
        return [
            ("case_number", self.tr("Case no.")),
            ("domain", self.tr("Domain / category")),
            ("status", self.tr("Status")),
            ("unit_name", self.tr("Handling unit")),
            ("dates", self.tr("Opened / decided")),
            ("money", self.tr("Amount involved / fine")),
            ("sync_state", self.tr("Sync")),
        ]

    def load(self) -> None:
        store, case_id = self._store, self.case_id

        def op() -> "CaseDetail | None":
            from app.services.case_queries import case_detail  # the ORM loads off the GUI thread

            with store.session() as session:
                return case_detail(session, case_id)

        self._runner.run(op, self._show)
        if self.workflow is not None:
            self.workflow.load()

    def _show(self, detail: "CaseDetail | None") -> None:
        if detail is None:
            self.heading.setText(self.tr("This case no longer exists."))
            return
        self.detail = detail
        self.heading.setText(detail.title)
        values = {
            "case_number": detail.case_number or "—",
            "domain": f"{detail.domain} / {detail.category}",
            "status": detail.status,
            "unit_name": detail.unit_name,
            "dates": f"{when(detail.opened_on)} / {when(detail.decided_on)}",
            "money": f"{money(detail.amount_fen)} / {money(detail.penalty_fen)}",
            "sync_state": sync_state_text(detail.sync_state),
        }
        for key, value in values.items():
            self.fields[key].setText(value)
        self.facts.setPlainText(detail.facts)
        _fill(
            self.parties,
            [
                [p.role, party_kind_text(p.kind), p.name, p.id_number, p.phone, p.address]
                for p in detail.parties
            ],
        )
        _fill(
            self.timeline, [[when(e.occurred_at), e.label, e.actor, e.note] for e in detail.events]
        )
        _fill(
            self.documents,
            [
                [
                    d.type_label,
                    d.title,
                    d.number,
                    when(d.issued_on),
                    str(d.page_count),
                    str(d.attachments),
                ]
                for d in detail.documents
            ],
        )
        _fill(
            self.deadlines,
            [
                [d.node, owed_by_text(d.owed_by), when(d.due_at), when(d.met_at), d.source]
                for d in detail.deadlines
            ],
            highlight={n for n, d in enumerate(detail.deadlines) if d.overdue},
        )
        self._assess()
        emit(self.title_changed, detail.case_number or detail.title)
        emit(self.loaded, detail.id)

    def _assess(self) -> None:
        """Run the threshold rules on the case's entered facts (off the GUI thread)."""
        store, case_id = self._store, self.case_id

        def op() -> "ThresholdResult | None":
            from app.services.case_entry import case_assessment
            from app.ui.wizard.specs import builtin_registry

            with store.session() as session:
                return case_assessment(session, builtin_registry(), case_id)

        self._runner.run(op, self.banner.show_result)
