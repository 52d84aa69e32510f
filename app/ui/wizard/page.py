"""One wizard step: the section's fields in a form, each with its inline error line."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.domain.identifiers import Severity
from app.forms import FieldFinding
from app.forms.spec import FieldSpec, Section
from app.ui.wizard.editors import FieldEditor, make_editor

_MARKS = {Severity.ERROR: "✖ ", Severity.WARNING: "⚠ ", Severity.INFO: "ⓘ "}
_COLOURS = {Severity.ERROR: "#b3261e", Severity.WARNING: "#8a5a00", Severity.INFO: "#555555"}


class FieldRow:
    """A field's label, editor and error line, and what is shown of them."""

    def __init__(self, spec: FieldSpec, page: "StepPage", form: QFormLayout) -> None:
        self.spec = spec
        host = page.inner
        self.label = QLabel(spec.label, host)
        self.editor: FieldEditor = make_editor(spec, host)
        self.error = QLabel(host)
        self.error.setObjectName(f"error_{spec.key}")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        tip = "\n".join(t for t in (spec.help, spec.rule and f"依据：{spec.rule}") if t)
        if tip:
            self.label.setToolTip(tip)
            self.editor.setToolTip(tip)
        self.label.setBuddy(self.editor.focus_widget())
        box = QWidget(host)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.editor)
        lay.addWidget(self.error)
        form.addRow(self.label, box)
        self.box = box
        self.form = form
        self.visible = True
        self.required = False
        self.messages: tuple[str, ...] = ()

    def set_visible(self, visible: bool) -> None:
        if visible != self.visible:
            self.visible = visible
            self.form.setRowVisible(self.box, visible)

    def set_required(self, required: bool) -> None:
        if required != self.required:
            self.required = required
            self.label.setText(f"{self.spec.label} *" if required else self.spec.label)

    def show_findings(self, findings: list[FieldFinding]) -> None:
        messages = tuple(_MARKS[f.severity] + f.message for f in findings)
        if messages == self.messages:
            return
        self.messages = messages
        if not findings:
            self.error.hide()
            return
        worst = min(findings, key=lambda f: list(Severity).index(f.severity)).severity
        self.error.setStyleSheet(f"color:{_COLOURS[worst]};")
        self.error.setText("\n".join(messages))
        self.error.show()


class StepPage(QScrollArea):
    """The fields of one section, in spec order (the Tab order follows it)."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.inner = QWidget(self)
        form = QFormLayout(self.inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if section.help:
            note = QLabel(section.help, self.inner)
            note.setWordWrap(True)
            form.addRow(note)
        self.rows = {f.key: FieldRow(f, self, form) for f in section.fields}
        self.setWidget(self.inner)

    def first_visible(self) -> FieldRow | None:
        return next((r for r in self.rows.values() if r.visible and not r.spec.computed), None)
