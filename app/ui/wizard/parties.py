"""The party-list editor: one row per party (kind, name, ID number, phone, address).

Like every editor it commits only when a row's field is left or its kind is picked; a row
with neither name nor ID number is not stored.
"""

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.identifiers import normalise_text
from app.forms.spec import FieldSpec
from app.ui.wizard.editors import FieldEditor

_TEXT_KEYS = ("name", "id_number", "phone", "address")


class _PartyRow:
    def __init__(self, owner: "PartyListEditor", grid: QGridLayout, n: int, at: int) -> None:
        parent = owner
        self.kind = QComboBox(parent)
        self.kind.addItem(
            QCoreApplication.translate("PartyListEditor", "Organisation"), "organisation"
        )
        self.kind.addItem(QCoreApplication.translate("PartyListEditor", "Person"), "person")
        self.kind.setObjectName(f"party{n}_kind")
        self.edits: dict[str, QLineEdit] = {}
        placeholders = {
            "name": QCoreApplication.translate("PartyListEditor", "Name"),
            "id_number": QCoreApplication.translate("PartyListEditor", "ID number / USCC"),
            "phone": QCoreApplication.translate("PartyListEditor", "Phone"),
            "address": QCoreApplication.translate("PartyListEditor", "Address"),
        }
        grid.addWidget(self.kind, at, 0)
        for c, key in enumerate(_TEXT_KEYS, start=1):
            edit = QLineEdit(parent)
            edit.setObjectName(f"party{n}_{key}")
            edit.setPlaceholderText(placeholders[key])
            edit.editingFinished.connect(owner._row_committed)
            grid.addWidget(edit, at, c)
            self.edits[key] = edit
        self.remove = QPushButton("✕", parent)
        self.remove.setToolTip(QCoreApplication.translate("PartyListEditor", "Remove this party"))
        self.remove.setFixedWidth(28)
        self.remove.clicked.connect(lambda: owner.remove_row(self))
        grid.addWidget(self.remove, at, len(_TEXT_KEYS) + 1)
        self.kind.currentIndexChanged.connect(owner._row_committed)

    def widgets(self) -> list[QWidget]:
        return [self.kind, *self.edits.values(), self.remove]

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.currentData()}
        for key, edit in self.edits.items():
            text = edit.text().strip()
            out[key] = normalise_text(text).strip().upper() if key == "id_number" else text
        return out

    def load(self, party: dict[str, Any]) -> None:
        n = self.kind.findData(party.get("kind"))
        self.kind.setCurrentIndex(max(0, n))
        for key, edit in self.edits.items():
            edit.setText(str(party.get(key) or ""))

    def filled(self) -> bool:
        return any(self.edits[k].text().strip() for k in ("name", "id_number"))


class PartyListEditor(FieldEditor):
    """Parties of the case; "Add party" appends a row."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._grid_host = QWidget(self)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._grid_host)
        self.add_button = QPushButton(self.tr("Add party"), self)
        self.add_button.setObjectName("party_add")
        self.add_button.clicked.connect(self._add_clicked)
        outer.addWidget(self.add_button)
        self.rows: list[_PartyRow] = []
        self._grid_rows = 0
        self.add_row()
        self.setFocusProxy(self.rows[0].kind)

    def focus_widget(self) -> QWidget:
        return self.rows[0].kind if self.rows else self.add_button

    def add_row(self) -> _PartyRow:
        row = _PartyRow(self, self._grid, len(self.rows), self._grid_rows)
        self._grid_rows += 1
        self.rows.append(row)
        return row

    def _add_clicked(self) -> None:
        row = self.add_row()
        row.edits["name"].setFocus()

    def remove_row(self, row: _PartyRow) -> None:
        if row not in self.rows:
            return
        self.rows.remove(row)
        for w in row.widgets():
            self._grid.removeWidget(w)
            w.deleteLater()
        if not self.rows:
            self.add_row()
        self._row_committed()

    def _collect(self) -> list[dict[str, Any]] | None:
        parties = [r.data() for r in self.rows if r.filled()]
        return parties or None

    def peek_value(self) -> Any:
        return self._collect()

    def commit_now(self) -> None:
        self._row_committed()

    def _row_committed(self, *_args: Any) -> None:
        self._commit(self._collect())

    def _show(self, raw: Any) -> None:
        parties = [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []
        while len(self.rows) < max(1, len(parties)):
            self.add_row()
        while len(self.rows) > max(1, len(parties)):
            extra = self.rows.pop()
            for w in extra.widgets():
                self._grid.removeWidget(w)
                w.deleteLater()
        for row, party in zip(self.rows, parties, strict=False):
            row.load(party)
        if not parties:
            self.rows[0].load({})
