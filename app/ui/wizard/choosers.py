"""The small dialogs of the entry actions: pick one item from a list, and the reason for
closing a case without transfer. Loaded on first use, not with the main window (their widget
types cost start-up time)."""

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ChooserDialog(QDialog):
    """Pick one item from a list (Enter or a double-click)."""

    def __init__(
        self, title: str, prompt: str, items: list[tuple[str, Any]], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(520, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt, self))
        self.list = QListWidget(self)
        for text, data in items:
            item = QListWidgetItem(text, self.list)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, data)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons

    def chosen(self) -> Any:
        item = self.list.currentItem()
        return None if item is None else item.data(QtCore.Qt.ItemDataRole.UserRole)

    def add_remove_button(self, text: str, remove: Callable[[Any], None]) -> QPushButton:
        """A button that hands the chosen item to ``remove`` and drops it from the list."""
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)

        def clicked() -> None:
            row = self.list.currentRow()
            if row >= 0:
                remove(self.chosen())
                self.list.takeItem(row)
            if self.list.count() == 0:
                self.reject()

        button.clicked.connect(clicked)
        return button


class ReasonDialog(QDialog):
    """Ask why a case that appears to meet a threshold is closed without transfer."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("EntryLauncher", "Close without transfer"))
        self.resize(520, 300)
        layout = QVBoxLayout(self)
        prompt = QLabel(
            QCoreApplication.translate(
                "EntryLauncher",
                "This case appears to meet a criminal prosecution threshold. Why is it closed "
                "with an administrative penalty only? The reason goes to the audit log.",
            ),
            self,
        )
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        layout.addWidget(self.reason, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.reason.toPlainText()
