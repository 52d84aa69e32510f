"""The login dialog: a local password check (scrypt) run in the background."""

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.services.accounts import SignedInUser, login
from app.store.case_list import CaseFilter
from app.store.db import Store
from app.ui.case_table import FirstPage, read_ahead
from app.ui.tasks import TaskRunner

ERROR_STYLE = "color:#b42318;"


def _sign_in(store: Store, username: str, password: str) -> tuple[SignedInUser, FirstPage | None]:
    """The password check, then (signed in) the case list's first page for the window."""
    user = login(store, username, password)
    return user, read_ahead(store, CaseFilter())


class LoginDialog(QDialog):
    """Asks for a username and password; ``user`` is set when the dialog is accepted, with
    ``first_page``, the case list's first page read in the same background step."""

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        *,
        username: str = "",
        unit_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self.user: SignedInUser | None = None
        self.first_page: FirstPage | None = None
        self.setWindowTitle(self.tr("Sign in to Xianjie"))
        self.setMinimumWidth(380)

        layout = QVBoxLayout(self)
        self.unit_label = QLabel(unit_name, self)
        self.unit_label.setVisible(bool(unit_name))
        layout.addWidget(self.unit_label)
        form = QFormLayout()
        self.username = QLineEdit(username, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("&Username"), self.username)
        form.addRow(self.tr("&Password"), self.password)
        layout.addLayout(form)
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        if not self.buttons.isEnabled():
            return  # a sign-in is already running
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.show_error(self.tr("Enter your username and password."))
            return
        self.buttons.setEnabled(False)  # the dialog keeps focus and key events while waiting
        store = self._store
        self._runner.run(lambda: _sign_in(store, username, password), self._signed_in, self._failed)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _signed_in(self, result: tuple[SignedInUser, FirstPage | None]) -> None:
        self.user, self.first_page = result
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(exc, UserError):
            self._runner.report_failure(exc)
            return
        self.show_error(str(exc))
        self.password.selectAll()
        self.password.setFocus()
