"""First start: create this desk's unit and its administrator, or open demo data.

Pages: choose -> (setup form) or (demo progress -> demo credentials). The dialog is accepted
with either ``user`` set (the new administrator, already signed in) or ``demo_username`` set
(the login dialog follows, pre-filled).
"""

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.services.accounts import SignedInUser, create_unit_and_admin
from app.store.db import Store
from app.ui.login import ERROR_STYLE
from app.ui.tasks import TaskRunner

DEMO_CASES = 2000
DEMO_SEED = 1


class FirstRunDialog(QDialog):
    """The first-start choice and the two ways through it."""

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        *,
        demo_cases: int = DEMO_CASES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._demo_cases = demo_cases
        self.user: SignedInUser | None = None
        self.demo_username: str | None = None
        self.demo_password = ""
        self.setWindowTitle(self.tr("Welcome to Xianjie"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        layout.addWidget(self.pages)
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._setup_page())
        self.pages.addWidget(self._demo_page())

    # -- pages -------------------------------------------------------------------------

    def _choice_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel(
            self.tr(
                "This computer has no Xianjie account yet. Set up your unit, "
                "or look around with demo data first."
            ),
            page,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.setup_button = QCommandLinkButton(
            self.tr("Create the unit and its administrator"),
            self.tr("For real work: enter your unit's name and code and an admin account."),
            page,
        )
        self.demo_button = QCommandLinkButton(
            self.tr("Open demo data"),
            self.tr("Fills this profile with sample cases and demo accounts (not for real work)."),
            page,
        )
        self.setup_button.clicked.connect(self.show_setup)
        self.demo_button.clicked.connect(self.start_demo)
        layout.addWidget(self.setup_button)
        layout.addWidget(self.demo_button)
        layout.addStretch(1)
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, page)
        cancel.rejected.connect(self.reject)
        layout.addWidget(cancel)
        return page

    def _setup_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.unit_name = QLineEdit(page)
        self.unit_name.setPlaceholderText(self.tr("e.g. Xuzhou Ecology and Environment Bureau"))
        self.unit_code = QLineEdit(page)
        self.region = QLineEdit(page)
        self.region.setPlaceholderText(self.tr("District or county"))
        self.username = QLineEdit(page)
        self.display_name = QLineEdit(page)
        self.password = QLineEdit(page)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit(page)
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Unit name"), self.unit_name)
        form.addRow(self.tr("Unit code"), self.unit_code)
        form.addRow(self.tr("Region / county"), self.region)
        form.addRow(self.tr("Admin username"), self.username)
        form.addRow(self.tr("Display name"), self.display_name)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Password again"), self.password_again)
        layout.addLayout(form)
        self.setup_error = QLabel(page)
        self.setup_error.setStyleSheet(ERROR_STYLE)
        self.setup_error.setWordWrap(True)
        self.setup_error.hide()
        layout.addWidget(self.setup_error)
        buttons = QDialogButtonBox(page)
        self.create_button = buttons.addButton(
            self.tr("Create"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        back = buttons.addButton(self.tr("Back"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit_setup)
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        layout.addWidget(buttons)
        return page

    def _demo_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.demo_label = QLabel(self.tr("Creating demo data…"), page)
        self.demo_label.setWordWrap(True)
        self.demo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.demo_label)
        self.demo_progress = QProgressBar(page)
        layout.addWidget(self.demo_progress)
        layout.addStretch(1)
        buttons = QDialogButtonBox(page)
        self.demo_back = buttons.addButton(self.tr("Back"), QDialogButtonBox.ButtonRole.RejectRole)
        self.demo_back.hide()
        self.demo_back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.demo_continue = QPushButton(self.tr("Continue to sign in"), page)
        self.demo_continue.setEnabled(False)
        self.demo_continue.clicked.connect(self.accept)
        buttons.addButton(self.demo_continue, QDialogButtonBox.ButtonRole.AcceptRole)
        layout.addWidget(buttons)
        return page

    # -- behaviour ---------------------------------------------------------------------

    def show_setup(self) -> None:
        self.pages.setCurrentIndex(1)
        self.unit_name.setFocus()

    def submit_setup(self) -> None:
        if self.password.text() != self.password_again.text():
            self._setup_failed(UserError(self.tr("The two passwords do not match.")))
            return
        values = {
            "unit_name": self.unit_name.text(),
            "unit_code": self.unit_code.text(),
            "region": self.region.text(),
            "username": self.username.text(),
            "display_name": self.display_name.text(),
            "password": self.password.text(),
        }
        store = self._store
        self.pages.setEnabled(False)
        self._runner.run(
            lambda: create_unit_and_admin(store, **values), self._created, self._setup_failed
        )

    def _created(self, user: SignedInUser) -> None:
        self.pages.setEnabled(True)
        self.user = user
        self.accept()

    def _setup_failed(self, exc: BaseException) -> None:
        self.pages.setEnabled(True)
        if not isinstance(exc, UserError):
            self._runner.report_failure(exc)
            return
        self.setup_error.setText(str(exc))
        self.setup_error.show()

    def start_demo(self) -> None:
        self.pages.setCurrentIndex(2)
        self.demo_back.hide()
        self.demo_label.setText(self.tr("Creating demo data…"))
        store, cases = self._store, self._demo_cases
        report = self._runner.progress_reporter(self._demo_progressed)

        def op() -> Any:
            from app.services.demo_data import generate

            return generate(store, cases=cases, seed=DEMO_SEED, progress=report)

        self._runner.run(op, self._demo_done, self._demo_failed)

    def _demo_progressed(self, done: int, total: int) -> None:
        self.demo_progress.setMaximum(max(total, 1))
        self.demo_progress.setValue(done)

    def _demo_done(self, summary: Any) -> None:
        users = list(getattr(summary, "users_created", []) or [])
        password = str(getattr(summary, "password", ""))
        self.demo_username = "admin" if "admin" in users or not users else users[0]
        self.demo_progress.setMaximum(1)
        self.demo_progress.setValue(1)
        self.demo_label.setText(
            self.tr("Demo data is ready: %1 cases.").replace("%1", str(summary.cases))
            + "\n\n"
            + self.tr("Demo accounts: %1\nPassword for all of them: %2")
            .replace("%1", ", ".join(users) or "admin")
            .replace("%2", password)
        )
        self.demo_password = password
        self.demo_continue.setEnabled(True)
        self.demo_continue.setFocus()

    def _demo_failed(self, exc: BaseException) -> None:
        self.demo_back.show()
        if not isinstance(exc, UserError):
            self.demo_label.setText(self.tr("Demo data could not be created."))
            self._runner.report_failure(exc)
            return
        self.demo_label.setText(str(exc))
