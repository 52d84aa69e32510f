"""The conflict dialog: for each record edited here and on the platform in the same fields,
the user picks, field by field, which value to keep; the record then goes out again."""

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.store.db import Store
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner


def _shown(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


class ConflictDialog(QDialog):
    """Signals:
    resolved(int): how many conflicts were settled when the user pressed OK.
    """

    resolved = Signal(int)

    def __init__(
        self, store: Store, runner: TaskRunner, found: list[dict[str, Any]], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.setWindowTitle(QCoreApplication.translate("ConflictDialog", "Resolve sync conflicts"))
        self.choices: dict[str, dict[str, QButtonGroup]] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "ConflictDialog",
                    "These records were changed here and on the platform in the same fields. "
                    "Choose which value to keep for each field.",
                ),
                self,
            )
        )
        body = QWidget(self)
        rows = QVBoxLayout(body)
        for conflict in found:
            box = QGroupBox(f"{conflict['table']} {conflict['id']}", body)
            grid = QGridLayout(box)
            groups: dict[str, QButtonGroup] = {}
            for row, (name, values) in enumerate(conflict["fields"].items()):
                grid.addWidget(QLabel(name, box), row, 0)
                local = QRadioButton(
                    QCoreApplication.translate("ConflictDialog", "Here: %1").replace(
                        "%1", _shown(values["local"])
                    ),
                    box,
                )
                server = QRadioButton(
                    QCoreApplication.translate("ConflictDialog", "Platform: %1").replace(
                        "%1", _shown(values["server"])
                    ),
                    box,
                )
                server.setChecked(True)
                group = QButtonGroup(box)
                group.addButton(local, 0)
                group.addButton(server, 1)
                grid.addWidget(local, row, 1)
                grid.addWidget(server, row, 2)
                groups[name] = group
            self.choices[conflict["id"]] = groups
            rows.addWidget(box)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def keep_local(self, record_id: str, field: str) -> None:
        """Choose this desk's value for one field (also what a click on it does)."""
        button = self.choices[record_id][field].button(0)
        button.setChecked(True)

    def decisions(self) -> dict[str, dict[str, str]]:
        return {
            record_id: {
                name: "local" if group.checkedId() == 0 else "server"
                for name, group in groups.items()
            }
            for record_id, groups in self.choices.items()
        }

    def apply(self) -> None:
        """Settle every conflict in the background, then close."""
        from app.sync.engine import resolve_conflict

        store, decisions = self.store, self.decisions()

        def op() -> int:
            for record_id, keep in decisions.items():
                resolve_conflict(store, record_id, keep)
            return len(decisions)

        self.runner.run(op, self._done)

    def _done(self, count: int) -> None:
        emit(self.resolved, count)
        self.accept()
