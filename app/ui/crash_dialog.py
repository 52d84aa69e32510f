"""The crash dialog (:mod:`app.ui.crash`): where the report went, and a button to copy it.
Loaded when a crash happens, not at start-up (its widget types cost start-up time)."""

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class CrashDialog(QDialog):
    """Says that something went wrong, where the log is, and lets the user copy the report."""

    def __init__(self, report: str, log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Xianjie: unexpected error"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        intro = self.tr(
            "Xianjie ran into an unexpected error. Work saved before this point is kept. "
            "Please send the report below to your IT staff."
        )
        if log_file is not None:
            intro += "\n" + self.tr("The report was saved to: %1").replace("%1", str(log_file))
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.details = QPlainTextEdit(report, self)
        self.details.setReadOnly(True)
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton(self.tr("Copy report"), self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._report = report

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self._report)
