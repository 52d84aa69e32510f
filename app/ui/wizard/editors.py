"""One editor per field type, generated from the spec.

Editors never validate or save per keystroke: a value is *committed* when the person leaves
the field (``editingFinished`` / focus out) or picks an item, and only committed text counts.
While an input method is composing, the preedit string is not part of ``QLineEdit.text()``,
so nothing half-composed is ever read, validated or saved.

Every editor has ``value()`` (the raw JSON value a draft stores, None when empty),
``set_value(raw)`` (no signal), ``peek_value()`` (the value of the text as it stands, for the
periodic autosave; never validated) and the ``committed`` signal.
"""

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain.amounts import UNITS, unit_of
from app.forms.spec import FieldSpec
from app.ui.qtcompat import emit
from app.ui.wizard import values as conv

_PLACEHOLDERS = {
    "date": "YYYY-MM-DD",
    "datetime": "YYYY-MM-DD HH:MM",
    "money": "例：1,234.56元 / 1.2万元",
    "phone": "例：13912345678 / 0516-83456789",
    "doc_number": "例：徐环罚〔2024〕15号",
}


class FieldEditor(QWidget):
    """Base class of the field editors.

    Signals:
        committed(str): the field key, after the person committed a (changed) value.
    """

    committed = Signal(str)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._value: Any = None
        self._loading = False

    def value(self) -> Any:
        return self._value

    def peek_value(self) -> Any:
        return self._value

    def set_value(self, raw: Any) -> None:
        self._loading = True
        try:
            self._value = raw
            self._show(raw)
        finally:
            self._loading = False

    def focus_widget(self) -> QWidget:
        return self

    def commit_now(self) -> None:
        """Commit what the editor holds (before a step change, finishing or closing)."""

    def _show(self, raw: Any) -> None:
        raise NotImplementedError

    def _commit(self, raw: Any) -> None:
        if self._loading:
            return
        if raw == self._value:
            return
        self._value = raw
        emit(self.committed, self.spec.key)


class LineEditor(FieldEditor):
    """Text-like fields: text, identifiers, phone, document number, date, money, numbers."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        layout = self.row = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"field_{spec.key}")
        self.edit.setPlaceholderText(_PLACEHOLDERS.get(spec.type, ""))
        if spec.max_length:
            self.edit.setMaxLength(spec.max_length + 100)  # over-long text shows an error
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self._finished)

    def focus_widget(self) -> QWidget:
        return self.edit

    def _unit(self) -> str | None:
        return self.spec.unit

    def _parse(self) -> Any:
        return conv.from_text(self.spec.type, self.edit.text(), self._unit())

    def peek_value(self) -> Any:
        return self._parse() if self.edit.hasFocus() else self._value

    def commit_now(self) -> None:
        self._finished()

    def _finished(self) -> None:
        raw = self._parse()
        self._commit(raw)
        if raw is not None and not self._loading:
            shown = conv.to_text(self.spec.type, raw)
            if shown != self.edit.text() and self.spec.type not in ("text", "multiline"):
                self.edit.setText(shown)

    def _show(self, raw: Any) -> None:
        self.edit.setText(conv.to_text(self.spec.type, raw))


class QuantityEditor(LineEditor):
    """A number and a unit of the field's dimension (t / kg, h / min, mu / m² / ha …)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit.setPlaceholderText("")
        base = unit_of(spec.unit or "")
        self.unit = QComboBox(self)
        self.unit.setObjectName(f"unit_{spec.key}")
        for u in UNITS.values():
            if base is not None and u.dimension == base.dimension:
                self.unit.addItem(u.label, u.symbol)
        self.unit.setCurrentIndex(max(0, self.unit.findData(spec.unit)))
        self.unit.currentIndexChanged.connect(lambda _n: self._finished())
        self.row.addWidget(self.unit)

    def _unit(self) -> str | None:
        return str(self.unit.currentData() or self.spec.unit)

    def _show(self, raw: Any) -> None:
        super()._show(raw)
        if isinstance(raw, dict):
            n = self.unit.findData(raw.get("unit"))
            if n >= 0:
                self.unit.setCurrentIndex(n)


class _PlainText(QPlainTextEdit):
    def __init__(self, owner: "MultilineEditor") -> None:
        super().__init__(owner)
        self._owner = owner
        self.setTabChangesFocus(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._owner._left()


class MultilineEditor(FieldEditor):
    """Several lines of text, committed when the person leaves the box."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = _PlainText(self)
        self.edit.setObjectName(f"field_{spec.key}")
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 12)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def focus_widget(self) -> QWidget:
        return self.edit

    def peek_value(self) -> Any:
        if self.edit.hasFocus():
            return conv.from_text("multiline", self.edit.toPlainText())
        return self._value

    def commit_now(self) -> None:
        self._left()

    def _left(self) -> None:
        self._commit(conv.from_text("multiline", self.edit.toPlainText()))

    def _show(self, raw: Any) -> None:
        self.edit.setPlainText("" if raw is None else str(raw))


class ChoiceEditor(FieldEditor):
    """One of the allowed values (a combo box: type the first letters, arrows to move)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.combo.setObjectName(f"field_{spec.key}")
        self.combo.addItem("—", None)
        for value, label in self._items():
            self.combo.addItem(label, value)
        layout.addWidget(self.combo, 1)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(self._changed)

    def _items(self) -> list[tuple[Any, str]]:
        return [(c.value, c.label) for c in self.spec.choices]

    def focus_widget(self) -> QWidget:
        return self.combo

    def _changed(self, _n: int) -> None:
        self._commit(self.combo.currentData())

    def _show(self, raw: Any) -> None:
        n = self.combo.findData(raw) if raw is not None else 0
        self.combo.setCurrentIndex(max(0, n))


class BooleanEditor(ChoiceEditor):
    """Yes / no / not answered (unanswered differs from "no")."""

    def _items(self) -> list[tuple[Any, str]]:
        return [(True, self.tr("Yes")), (False, self.tr("No"))]


class MultiChoiceEditor(FieldEditor):
    """Any of the allowed values: one check box each (Space toggles)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QCheckBox] = []
        for n, choice in enumerate(spec.choices):
            box = QCheckBox(choice.label, self)
            box.setObjectName(f"field_{spec.key}_{choice.value}")
            box.setProperty("choice", choice.value)
            box.toggled.connect(self._toggled)
            grid.addWidget(box, n // 3, n % 3)
            self.boxes.append(box)
        if self.boxes:
            self.setFocusProxy(self.boxes[0])

    def focus_widget(self) -> QWidget:
        return self.boxes[0] if self.boxes else self

    def _toggled(self, _on: bool) -> None:
        picked = [b.property("choice") for b in self.boxes if b.isChecked()]
        self._commit(picked or None)

    def _show(self, raw: Any) -> None:
        chosen = set(raw) if isinstance(raw, list) else set()
        for box in self.boxes:
            box.setChecked(box.property("choice") in chosen)


class ComputedEditor(FieldEditor):
    """A computed field: shown read-only, never entered."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("—", self)
        self.label.setObjectName(f"field_{spec.key}")
        layout.addWidget(self.label, 1)

    def show_computed(self, text: str) -> None:
        self.label.setText(text or "—")

    def _show(self, raw: Any) -> None:
        pass


def make_editor(spec: FieldSpec, parent: QWidget | None = None) -> FieldEditor:
    """The editor for a field of the spec."""
    if spec.computed:
        return ComputedEditor(spec, parent)
    if spec.type == "party_list":
        from app.ui.wizard.parties import PartyListEditor

        return PartyListEditor(spec, parent)
    kinds: dict[str, type[FieldEditor]] = {
        "multiline": MultilineEditor,
        "choice": ChoiceEditor,
        "boolean": BooleanEditor,
        "multi_choice": MultiChoiceEditor,
        "quantity": QuantityEditor,
    }
    return kinds.get(spec.type, LineEditor)(spec, parent)
