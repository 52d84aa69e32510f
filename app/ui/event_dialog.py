"""A small dialog asking for what one workflow step needs (reason, police unit, 检察意见 …).

The fields depend on the step's kind; :meth:`EventDialog.data` returns the event data in the
shape docs/workflow.md describes, :meth:`EventDialog.when` the aware time of the step.
"""

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.workcalendar import CST
from app.domain.workflow.events import (
    FOLLOW_UP_LETTERS,
    JUDGMENT_OUTCOMES,
    RECONSIDERATION_OUTCOMES,
    REVERSE_SOURCES,
)

REASON_KINDS = {
    "transfer_refused",
    "materials_waived",
    "police_not_filed",
    "no_penalty_decided",
    "closed",
}
REASON_REQUIRED = REASON_KINDS - {"closed"}
DECIDED_AT_KINDS = {"police_filed", "police_not_filed", "police_withdrew", "referral_received"}
"""Steps another agency decided: the notice may state when (data ``decided_at``)."""


class EventDialog(QDialog):
    """Collects the data of one step; ``members`` are (user id, name) pairs for a case team."""

    def __init__(
        self,
        kind: str,
        label: str,
        members: list[tuple[str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(label)
        self.setModal(True)
        layout = QVBoxLayout(self)
        heading = QLabel(label, self)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color:#b3261e")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)

        self.at = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.form.addRow(self.tr("Time"), self.at)
        self.fields: dict[str, QWidget] = {}
        self._build(kind, members or [])

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # -- fields --------------------------------------------------------------------------

    def _line(self, key: str, title: str) -> QLineEdit:
        edit = QLineEdit(self)
        self.fields[key] = edit
        self.form.addRow(title, edit)
        return edit

    def _combo(self, key: str, title: str, choices: dict[str, str]) -> QComboBox:
        combo = QComboBox(self)
        for code, text in choices.items():
            combo.addItem(text, code)
        self.fields[key] = combo
        self.form.addRow(title, combo)
        return combo

    def _check(self, key: str, title: str, checked: bool = False) -> QCheckBox:
        box = QCheckBox(title, self)
        box.setChecked(checked)
        self.fields[key] = box
        self.form.addRow("", box)
        return box

    def _build(self, kind: str, members: list[tuple[str, str]]) -> None:
        if kind in REASON_KINDS:
            reason = QPlainTextEdit(self)
            reason.setTabChangesFocus(True)
            reason.setFixedHeight(80)
            self.fields["reason"] = reason
            title = self.tr("Reason") if kind in REASON_REQUIRED else self.tr("Reason (if any)")
            self.form.addRow(title, reason)
        if kind == "team_formed":
            for n in (1, 2):
                combo = QComboBox(self)
                for user_id, name in members:
                    combo.addItem(name, user_id)
                combo.setCurrentIndex(min(n - 1, combo.count() - 1))
                self.fields[f"member{n}"] = combo
                self.form.addRow(self.tr("Team member %1").replace("%1", str(n)), combo)
        if kind == "transfer_reported":
            self._line("offence", self.tr("Suspected offence"))
            self._line("police_unit", self.tr("Police unit"))
            self._line("procuratorate_unit", self.tr("Procuratorate"))
        if kind == "transferred":
            self._line("police_unit", self.tr("Police unit (if changed)"))
            self._check("items_seized", self.tr("Items were seized"), True)
            self._check("testing_needed", self.tr("Testing or appraisal was needed"), True)
        if kind == "copied_to_procuratorate":
            self._line("procuratorate_unit", self.tr("Procuratorate"))
        if kind == "crime_suspected":
            self._check("obvious", self.tr("Obviously over the threshold (transfer at once)"))
        if kind == "reconsideration_decided":
            self._combo("outcome", self.tr("Outcome"), RECONSIDERATION_OUTCOMES)
        if kind == "judgment":
            self._combo("outcome", self.tr("Outcome"), JUDGMENT_OUTCOMES)
        if kind == "follow_up_received":
            self._combo("letter", self.tr("Letter"), FOLLOW_UP_LETTERS)
        if kind in DECIDED_AT_KINDS:
            stated = self._check("decided_stated", self.tr("The notice states when it was decided"))
            decided = QDateTimeEdit(QDateTime.currentDateTime(), self)
            decided.setCalendarPopup(True)
            decided.setDisplayFormat("yyyy-MM-dd HH:mm")
            decided.setEnabled(False)
            stated.toggled.connect(decided.setEnabled)
            self.fields["decided_at"] = decided
            self.form.addRow(self.tr("Decided at"), decided)
        if kind == "referral_received":
            self._build_referral()
        if kind == "penalty_decided":
            self._build_penalty()
        if kind == "reply_sent":
            self._check("interim", self.tr("Progress reply before a decision"))

    def _build_referral(self) -> None:
        source = self._combo("source", self.tr("Source"), REVERSE_SOURCES)
        self._line("source_unit", self.tr("Sending unit"))
        self._line("opinion_number", self.tr("Procuratorial opinion no."))
        mode = self._combo(
            "reply_mode",
            self.tr("Reply period"),
            {
                "period": self.tr("A period stated in the opinion"),
                "date": self.tr("A date stated in the opinion"),
                "none": self.tr("Not stated (default period)"),
            },
        )
        amount = QSpinBox(self)
        amount.setRange(1, 365)
        amount.setValue(30)
        self.fields["reply_amount"] = amount
        self.form.addRow(self.tr("Period"), amount)
        self._combo(
            "reply_unit",
            self.tr("Counted in"),
            {
                "days": self.tr("days"),
                "working_days": self.tr("working days"),
                "months": self.tr("months"),
            },
        )
        due = QDateEdit(self)
        due.setCalendarPopup(True)
        due.setDate(QDateTime.currentDateTime().date().addMonths(1))
        self.fields["reply_due_on"] = due
        self.form.addRow(self.tr("Reply due on"), due)

        def sync() -> None:
            nonprosecution = source.currentData() == "non_prosecution"
            for key in ("opinion_number", "reply_mode", "reply_amount", "reply_unit"):
                self.fields[key].setEnabled(nonprosecution)
            self.fields["reply_amount"].setEnabled(
                nonprosecution and mode.currentData() == "period"
            )
            self.fields["reply_unit"].setEnabled(nonprosecution and mode.currentData() == "period")
            self.fields["reply_due_on"].setEnabled(nonprosecution and mode.currentData() == "date")

        source.currentIndexChanged.connect(sync)
        mode.currentIndexChanged.connect(sync)
        sync()

    def _build_penalty(self) -> None:
        self._line("decision", self.tr("Decision"))
        fine = QDoubleSpinBox(self)
        fine.setRange(0, 1e10)
        fine.setDecimals(2)
        self.fields["fine_paid_yuan"] = fine
        self.form.addRow(self.tr("Criminal fine already paid (yuan, offset)"), fine)
        days = QSpinBox(self)
        days.setRange(0, 10000)
        self.fields["detention_days"] = days
        self.form.addRow(self.tr("Detention already served (days, offset)"), days)
        self._line("offset_note", self.tr("Offset note"))

    # -- result --------------------------------------------------------------------------

    def when(self) -> datetime:
        """The step's time, as China time."""
        moment = self.at.dateTime().toPython()
        assert isinstance(moment, datetime)
        return moment.replace(tzinfo=CST, second=0, microsecond=0)

    def _text(self, key: str) -> str:
        widget = self.fields[key]
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip()
        assert isinstance(widget, QLineEdit)
        return widget.text().strip()

    def data(self) -> dict[str, Any]:
        """The event data for this kind (empty optional fields left out)."""
        out: dict[str, Any] = {}
        for key in ("reason", "offence", "police_unit", "procuratorate_unit", "source_unit"):
            if key in self.fields and self._text(key):
                out[key] = self._text(key)
        for key in ("items_seized", "testing_needed", "obvious"):
            widget = self.fields.get(key)
            if isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
        for key in ("outcome", "letter", "source"):
            widget = self.fields.get(key)
            if isinstance(widget, QComboBox):
                out[key] = widget.currentData()
        stated = self.fields.get("decided_stated")
        if isinstance(stated, QCheckBox) and stated.isChecked():
            decided = self.fields["decided_at"]
            assert isinstance(decided, QDateTimeEdit)
            moment = decided.dateTime().toPython()
            assert isinstance(moment, datetime)
            out["decided_at"] = moment.replace(tzinfo=CST, second=0, microsecond=0).isoformat()
        if self.kind == "team_formed":
            combos = [self.fields[f"member{n}"] for n in (1, 2)]
            out["members"] = [c.currentData() for c in combos if isinstance(c, QComboBox)]
        if self.kind == "reply_sent":
            interim = self.fields["interim"]
            assert isinstance(interim, QCheckBox)
            if interim.isChecked():
                out["final"] = False
        if self.kind == "referral_received" and out.get("source") == "non_prosecution":
            out["opinion"] = self._opinion()
        if self.kind == "penalty_decided":
            out.update(self._penalty())
        return out

    def _opinion(self) -> dict[str, Any]:
        opinion: dict[str, Any] = {"number": self._text("opinion_number")}
        mode = self.fields["reply_mode"]
        assert isinstance(mode, QComboBox)
        if mode.currentData() == "period":
            amount, unit = self.fields["reply_amount"], self.fields["reply_unit"]
            assert isinstance(amount, QSpinBox) and isinstance(unit, QComboBox)
            opinion["reply_period"] = {"amount": amount.value(), "unit": unit.currentData()}
        elif mode.currentData() == "date":
            due = self.fields["reply_due_on"]
            assert isinstance(due, QDateEdit)
            opinion["reply_due_on"] = due.date().toString("yyyy-MM-dd")
        return opinion

    def _penalty(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self._text("decision"):
            out["decision"] = self._text("decision")
        fine, days = self.fields["fine_paid_yuan"], self.fields["detention_days"]
        assert isinstance(fine, QDoubleSpinBox) and isinstance(days, QSpinBox)
        offset: dict[str, Any] = {}
        if fine.value() > 0:
            value = fine.value()
            offset["fine_paid_yuan"] = int(value) if value.is_integer() else value
        if days.value() > 0:
            offset["detention_days"] = days.value()
        if self._text("offset_note"):
            offset["note"] = self._text("offset_note")
        if offset:
            out["offset"] = offset
        return out

    def _accept(self) -> None:
        if self.kind in REASON_REQUIRED and not self._text("reason"):
            self.problem.setText(self.tr("Please state the reason."))
            return
        if self.kind == "referral_received":
            data = self.data()
            if data.get("source") == "non_prosecution" and not data["opinion"]["number"]:
                self.problem.setText(self.tr("Please enter the procuratorial opinion's number."))
                return
        self.accept()
