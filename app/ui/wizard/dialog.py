"""The case-entry wizard, generated from an entry standard (one step per section).

Keyboard-first: Tab / Shift+Tab move between fields, Ctrl+Enter goes to the next step,
Alt+1 … Alt+9 jump to a step, Ctrl+S saves now, Esc saves and closes. A field's findings
appear when the person leaves it (or leaves its step), never per keystroke; conditions
(fields that show or become required) and computed fields update on each commit. The step
list shows each step's completeness, the header the overall score, and the threshold banner
appears as soon as the entered facts meet a prosecution threshold.

The draft is saved on every commit and every few seconds (:mod:`app.ui.wizard.autosave`);
finishing runs :func:`app.services.case_entry.finish_draft` through the task helper.
"""

import copy
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.amounts import Quantity, format_number
from app.domain.identity import SignedInUser
from app.domain.thresholds import ThresholdResult, evaluate
from app.errors import UserError
from app.forms import FieldFinding, FormModel, SpecRegistry, threshold_facts, validate_model
from app.forms.validate import ValidationResult
from app.services.drafts import DraftView, draft_spec
from app.store.db import Store
from app.ui.notices import NoticeBar
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner
from app.ui.threshold_banner import ThresholdBanner
from app.ui.wizard.autosave import AUTOSAVE_MS, AutoSaver, Snapshot
from app.ui.wizard.editors import ComputedEditor, FieldEditor
from app.ui.wizard.page import FieldRow, StepPage


def _top_key(path: str) -> str:
    return path.split("[", 1)[0].split(".", 1)[0]


def computed_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Quantity):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    try:
        return format_number(value)
    except (AttributeError, TypeError):
        return str(value)


class WizardDialog(QDialog):
    """Enter (or edit) one case to its entry standard.

    Signals:
        case_saved(str): the case id, after finishing created or updated it.
    """

    case_saved = Signal(str)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        user: SignedInUser,
        registry: SpecRegistry,
        draft: DraftView,
        *,
        autosave_ms: int = AUTOSAVE_MS,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.user = user
        self.registry = registry
        self.draft = draft
        self.spec = draft_spec(registry, draft)
        self.today = today
        self.values: dict[str, Any] = copy.deepcopy(draft.values)
        self.touched: set[str] = set()
        self.step = 0
        self.model: FormModel | None = None
        self.validation: ValidationResult | None = None
        self.thresholds: ThresholdResult | None = None
        self._finishing = False
        title = self.tr("Edit case: %1") if draft.case_id else self.tr("New case: %1")
        self.setWindowTitle(title.replace("%1", self.spec.title))
        self.resize(1100, 760)

        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.heading = QLabel(f"{self.spec.title}  v{self.spec.version}", self)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.score = QLabel(self)
        self.score.setObjectName("wizardScore")
        self.entry_due = QLabel(self)
        self.entry_due.setObjectName("wizardEntryDue")
        head.addWidget(self.heading, 1)
        head.addWidget(self.entry_due)
        head.addWidget(self.score)
        layout.addLayout(head)
        self.notices = NoticeBar(self)
        layout.addWidget(self.notices)
        self.banner = ThresholdBanner(self)
        layout.addWidget(self.banner)

        body = QHBoxLayout()
        self.steps = QListWidget(self)
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setFixedWidth(230)
        self.pages = QStackedWidget(self)
        self.rows: dict[str, FieldRow] = {}
        self.page_of: dict[str, int] = {}
        for n, section in enumerate(self.spec.sections):
            page = StepPage(section, self.pages)
            self.pages.addWidget(page)
            for key, row in page.rows.items():
                self.rows[key] = row
                self.page_of[key] = n
                row.editor.committed.connect(self._committed)
            QListWidgetItem(section.title, self.steps)
        self.steps.currentRowChanged.connect(self._step_clicked)
        body.addWidget(self.steps)
        body.addWidget(self.pages, 1)
        layout.addLayout(body, 1)

        buttons = QHBoxLayout()
        self.back_button = QPushButton(self.tr("Back"), self)
        self.next_button = QPushButton(self.tr("Next (Ctrl+Enter)"), self)
        self.close_button = QPushButton(self.tr("Save draft and close"), self)
        self.finish_button = QPushButton(self.tr("Finish and save case"), self)
        self.back_button.clicked.connect(lambda: self.go_to(self.step - 1))
        self.next_button.clicked.connect(self.next_step)
        self.close_button.clicked.connect(self.close)
        self.finish_button.clicked.connect(self.finish)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.finish_button)
        layout.addLayout(buttons)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self._shortcuts()

        for key, row in self.rows.items():
            if key in self.values:
                row.editor.set_value(self.values[key])
        self.touched = {k for k in self.values if k in self.rows}
        self.autosaver = AutoSaver(
            store, runner, draft.id, self.snapshot, autosave_ms, self, self._save_failed
        )
        self.autosaver.saved.connect(self._saved)
        self.refresh()
        self.go_to(min(max(draft.current_step, 0), len(self.spec.sections) - 1), touch=False)
        self.autosaver.start(self.snapshot())

    # -- construction helpers ------------------------------------------------------------

    def _shortcuts(self) -> None:
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self).activated.connect(self.next_step)
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save_now)
        for n in range(min(9, len(self.spec.sections))):
            QShortcut(QKeySequence(f"Alt+{n + 1}"), self).activated.connect(
                lambda n=n: self.go_to(n)
            )

    # -- state ---------------------------------------------------------------------------

    def editor(self, key: str) -> FieldEditor:
        return self.rows[key].editor

    def focused_editor(self) -> FieldEditor | None:
        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, FieldEditor):
            widget = widget.parentWidget()
        return widget if isinstance(widget, FieldEditor) and widget.window() is self else None

    def snapshot(self) -> Snapshot:
        """The values to store now: committed values plus the focused field's committed text."""
        values = dict(self.values)
        editor = self.focused_editor()
        if editor is not None:
            peek = editor.peek_value()
            if peek is None:
                values.pop(editor.spec.key, None)
            else:
                values[editor.spec.key] = peek
        return values, self.step

    def _committed(self, key: str) -> None:
        raw = self.rows[key].editor.value()
        if raw is None:
            self.values.pop(key, None)
        else:
            self.values[key] = raw
        self.touched.add(key)
        self.refresh()
        self.autosaver.request()

    def refresh(self) -> None:
        """Re-evaluate visibility, required-ness, computed values, findings, scores, banner."""
        model = FormModel(self.spec, self.values, self.today)
        validation = validate_model(model)
        self.model, self.validation = model, validation
        findings: dict[str, list[FieldFinding]] = {}
        for f in validation.findings:
            findings.setdefault(_top_key(f.field), []).append(f)
        for key, row in self.rows.items():
            row.set_visible(model.visible(key))
            row.set_required(model.required(key))
            if isinstance(row.editor, ComputedEditor):
                row.editor.show_computed(computed_text(model.value(key)))
            if key in self.touched:
                row.show_findings(findings.get(key, []))
        not_applicable = self.tr("(not applicable)")
        for n, progress in enumerate(validation.sections):
            item = self.steps.item(n)
            section = self.spec.sections[n]
            applies = any(model.visible(f.key) for f in section.fields)
            if not applies:  # every field hidden by its conditions
                item.setText(f"  Alt+{n + 1}  {progress.title}  {not_applicable}")
                item.setForeground(self.palette().placeholderText())
                continue
            item.setForeground(self.palette().text())
            mark = "✔" if progress.required and progress.done == progress.required else " "
            item.setText(f"{mark} Alt+{n + 1}  {progress.title}  {progress.percent}%")
        self.score.setText(self.tr("Completeness %1/100").replace("%1", str(validation.score)))
        self._show_entry_due(model)
        self.thresholds = evaluate(threshold_facts(model), domain=self.spec.domain)
        self.banner.show_result(self.thresholds)

    def _show_entry_due(self, model: FormModel) -> None:
        """The platform entry deadline (N days after the decision, per the spec), if known."""
        rule = self.spec.entry_deadline
        after = model.value(rule.after)
        if not isinstance(after, date) or rule.counting != "calendar_days":
            self.entry_due.clear()
            return
        due = (after + timedelta(days=rule.days)).isoformat()
        text = self.tr("Enter on the platform by %1").replace("%1", due)
        if not rule.verified:
            text += self.tr(" (deadline not verified)")
        self.entry_due.setText(text)
        self.entry_due.setToolTip(str(rule.source) + (f"\n{rule.note}" if rule.note else ""))

    # -- steps ---------------------------------------------------------------------------

    def go_to(self, n: int, *, touch: bool = True) -> None:
        if not 0 <= n < self.pages.count():
            return
        if touch:
            page = self.pages.widget(self.step)
            assert isinstance(page, StepPage)
            self.touched.update(k for k, r in page.rows.items() if r.visible)
            self.refresh()
        self.step = n
        self.pages.setCurrentIndex(n)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(n)
        self.steps.blockSignals(False)
        self.back_button.setEnabled(n > 0)
        self.next_button.setEnabled(n < self.pages.count() - 1)
        page = self.pages.widget(n)
        assert isinstance(page, StepPage)
        first = page.first_visible()
        if first is not None:
            first.editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)
        if touch:
            self.autosaver.request()

    def _step_clicked(self, n: int) -> None:
        self.go_to(n)

    def next_step(self) -> None:
        self._commit_focused()
        self.go_to(self.step + 1)

    def focus_field(self, key: str) -> None:
        self.go_to(self.page_of[key])
        row = self.rows[key]
        row.editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)
        page = self.pages.currentWidget()
        if isinstance(page, StepPage):
            page.ensureWidgetVisible(row.box)

    def _commit_focused(self) -> None:
        editor = self.focused_editor()
        if editor is not None:
            editor.commit_now()

    # -- saving and finishing --------------------------------------------------------------

    def save_now(self) -> None:
        self._commit_focused()
        self.autosaver.request()

    def _save_failed(self, exc: BaseException) -> None:
        """An expected problem (full disk, draft gone) shows here; the values stay on screen."""
        if isinstance(exc, UserError):
            self.notices.show_notice(str(exc), "error")
        else:
            self.runner.report_failure(exc)

    def _saved(self, _writes: int) -> None:
        if self._finishing and not self.autosaver.busy:
            self._finishing = False
            self._run_finish()

    def finish(self) -> None:
        """Save the draft and create (or update) the case."""
        self._commit_focused()
        self.touched.update(self.rows)
        self.refresh()
        self.autosaver.stop()
        self.finish_button.setEnabled(False)
        if self.autosaver.busy:
            self._finishing = True  # finish once the save in flight has returned
            return
        self._run_finish()

    def _run_finish(self) -> None:
        store, registry, user, today = self.store, self.registry, self.user, self.today
        draft_id, values, step = self.draft.id, copy.deepcopy(self.values), self.step

        def op() -> str:
            from app.services.case_entry import finish_draft
            from app.services.drafts import save_draft

            with store.session() as session:
                save_draft(session, draft_id, values, step)
            with store.session() as session:
                return finish_draft(session, registry, user, draft_id, today=today).case_id

        self.runner.run(op, self._finished_ok, self._finish_failed)

    def _finished_ok(self, case_id: str) -> None:
        self.finished_case_id = case_id
        emit(self.case_saved, case_id)
        self.accept()

    def _finish_failed(self, exc: BaseException) -> None:
        self.finish_button.setEnabled(True)
        self.autosaver.timer.start()
        if not isinstance(exc, UserError):
            self.runner.report_failure(exc)
            return
        self.notices.show_notice(str(exc), "error")
        from app.services.case_entry import ReasonRequired

        if isinstance(exc, ReasonRequired) and "no_transfer_reason" in self.rows:
            self.focus_field("no_transfer_reason")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_before_leaving()
        super().closeEvent(event)

    def reject(self) -> None:
        self._save_before_leaving()
        super().reject()

    def _save_before_leaving(self) -> None:
        if self.result() == QDialog.DialogCode.Accepted or not self.autosaver.timer.isActive():
            return
        self._commit_focused()
        self.autosaver.stop()
        self.autosaver.request()
