"""A non-modal notice bar for expected problems (full disk, locked database, bad input).

The text is the plain Chinese message of a :class:`~app.errors.UserError`; the bar never
blocks the window and is dismissed with its close button or Esc. Bugs do not come here: they
go to the crash dialog (:mod:`app.ui.crash`).
"""

from PySide6 import QtCore
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from app.ui.qtcompat import emit

_STYLES = {
    "info": "background:#e8f1fb; border:1px solid #9cc1e8; color:#1d3d5c;",
    "warning": "background:#fff6dc; border:1px solid #e6c872; color:#5c4500;",
    "error": "background:#fdecea; border:1px solid #e8a29b; color:#6b1b13;",
}


class NoticeBar(QFrame):
    """A one-line banner at the top of a window.

    Signals:
        shown(str): the text of a notice that was just shown (for tests and logs).
    """

    shown = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        layout.addWidget(self._label, 1)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.hide()

    def text(self) -> str:
        return self._label.text()

    def show_notice(self, text: str, level: str = "warning") -> None:
        """Show ``text`` (replacing any earlier notice); ``level`` is info, warning or error."""
        self.setStyleSheet("#noticeBar {" + _STYLES.get(level, _STYLES["warning"]) + "}")
        # set here, not in __init__: the first use of ``Qt`` costs start-up ~30 ms
        self._label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setText(text)
        self.show()
        emit(self.shown, text)
