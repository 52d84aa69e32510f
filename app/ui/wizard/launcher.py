"""Starting the wizard from the main window: "New case" (Ctrl+N) and "Drafts" (resume).

``install_entry_actions(window)`` adds both actions to a small tool bar. Specs load once,
through the task helper (:mod:`app.ui.wizard.specs`); a broken spec published into the data
folder is refused with its file and field named, in the window's notice bar.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

from app.errors import UserError
from app.ui.wizard.specs import PUBLISHED_DIR, load_registry

if TYPE_CHECKING:  # the wizard, the forms engine and the ORM load on first use
    from app.forms import SpecRegistry
    from app.services.case_entry import EntryResult
    from app.services.drafts import DraftView
    from app.ui.case_view import CaseView
    from app.ui.main_window import MainWindow
    from app.ui.wizard.choosers import ChooserDialog, ReasonDialog
    from app.ui.wizard.dialog import WizardDialog


class EntryLauncher:
    """The main window's entry actions and the wizards they opened."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        self.wizards: list[WizardDialog] = []
        self.chooser: ChooserDialog | None = None
        self.new_action = QAction(QCoreApplication.translate("EntryLauncher", "New case"), window)
        # setShortcuts: resolving setShortcut's overloads costs start-up ~30 ms (PySide6
        # builds its whole ``Qt`` namespace), see app/ui/dashboard/launcher.py
        self.new_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.New)])
        self.new_action.setToolTip(
            QCoreApplication.translate(
                "EntryLauncher", "Enter a new case to its entry standard (Ctrl+N)"
            )
        )
        self.new_action.triggered.connect(self.new_case)
        self.drafts_action = QAction(QCoreApplication.translate("EntryLauncher", "Drafts"), window)
        self.drafts_action.setShortcuts([QKeySequence("Ctrl+Shift+D")])
        self.drafts_action.setToolTip(
            QCoreApplication.translate(
                "EntryLauncher", "Resume a case you have not finished (Ctrl+Shift+D)"
            )
        )
        self.drafts_action.triggered.connect(self.show_drafts)
        self.edit_action = QAction(QCoreApplication.translate("EntryLauncher", "Edit case"), window)
        self.edit_action.setShortcuts([QKeySequence("Ctrl+E")])
        self.edit_action.setToolTip(
            QCoreApplication.translate(
                "EntryLauncher", "Edit the open case in the entry wizard (Ctrl+E)"
            )
        )
        self.edit_action.triggered.connect(self.edit_current_case)
        self.reason_dialog: ReasonDialog | None = None
        bar = window.take_toolbar(
            "entryToolBar", QCoreApplication.translate("EntryLauncher", "Case entry")
        )
        bar.setMovable(False)
        bar.addAction(self.new_action)
        bar.addAction(self.drafts_action)
        bar.addAction(self.edit_action)
        window.case_opened.connect(self._case_opened)

    def _with_registry(self, then: Callable[["SpecRegistry"], None]) -> None:
        folder = self.window.store.paths.root / PUBLISHED_DIR
        self.window.runner.run(lambda: load_registry(folder), then)

    def new_case(self) -> None:
        self._with_registry(self._choose_spec)

    def _choose_spec(self, registry: "SpecRegistry") -> None:
        specs = [registry.latest(i) for i in registry.ids()]
        items = [(f"{s.title}（{s.id} v{s.version}）", s.id) for s in specs]
        from app.ui.wizard.choosers import ChooserDialog

        self.chooser = ChooserDialog(
            QCoreApplication.translate("EntryLauncher", "New case"),
            QCoreApplication.translate("EntryLauncher", "Which kind of case? (entry standard)"),
            items,
            self.window,
        )
        self.chooser.accepted.connect(lambda: self._start(registry, self.chooser))
        self.chooser.open()

    def _start(self, registry: "SpecRegistry", chooser: "ChooserDialog | None") -> None:
        spec_id = chooser.chosen() if chooser is not None else None
        if spec_id is None:
            return
        store, user = self.window.store, self.window.user

        def op() -> "DraftView":
            from app.services.drafts import start_draft

            with store.session() as session:
                return start_draft(session, registry, user, spec_id)

        self.window.runner.run(op, lambda draft: self._resume(registry, draft))

    def show_drafts(self) -> None:
        self._with_registry(self._list_drafts)

    def _list_drafts(self, registry: "SpecRegistry") -> None:
        store, user = self.window.store, self.window.user

        def op() -> "list[DraftView]":
            from app.services.drafts import list_drafts

            with store.session() as session:
                return list_drafts(session, user.id)

        self.window.runner.run(op, lambda found: self._pick_draft(registry, found))

    def _pick_draft(self, registry: "SpecRegistry", found: "list[DraftView]") -> None:
        if not found:
            self.window.notices.show_notice(
                QCoreApplication.translate("EntryLauncher", "You have no unfinished drafts."),
                "info",
            )
            return
        items = []
        for d in found:
            spec = registry.find(d.spec_id, d.spec_version)
            kind = spec.title if spec is not None else d.spec_id
            title = d.title or QCoreApplication.translate("EntryLauncher", "(no case name yet)")
            when = d.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            items.append((f"{title}：{kind} v{d.spec_version}，{when}", d))
        from app.ui.wizard.choosers import ChooserDialog

        self.chooser = ChooserDialog(
            QCoreApplication.translate("EntryLauncher", "Drafts"),
            QCoreApplication.translate("EntryLauncher", "Resume which draft?"),
            items,
            self.window,
        )
        self.chooser.accepted.connect(
            lambda: self._resume(registry, self.chooser.chosen() if self.chooser else None)
        )
        self.chooser.add_remove_button(
            QCoreApplication.translate("EntryLauncher", "Discard draft"), self._discard
        )
        self.chooser.open()

    def _discard(self, draft: "DraftView") -> None:
        store, draft_id = self.window.store, draft.id

        def op() -> None:
            from app.services.drafts import discard_draft

            with store.session() as session:
                discard_draft(session, draft_id)

        self.window.runner.run(op)

    def _resume(self, registry: "SpecRegistry", draft: "DraftView | None") -> None:
        if draft is not None:
            self.open_wizard(registry, draft)

    def open_wizard(self, registry: "SpecRegistry", draft: "DraftView") -> "WizardDialog | None":
        from app.ui.wizard.dialog import WizardDialog

        window = self.window
        try:
            wizard = WizardDialog(window.store, window.runner, window.user, registry, draft)
        except UserError as exc:  # e.g. the draft's spec version is no longer installed
            window.notices.show_notice(str(exc), "error")
            return None
        wizard.setParent(window, wizard.windowFlags())
        wizard.case_saved.connect(self._case_saved)
        wizard.finished.connect(lambda _code, w=wizard: self._forget(w))
        self.wizards.append(wizard)
        wizard.show()
        return wizard

    def _forget(self, wizard: "WizardDialog") -> None:
        if wizard in self.wizards:
            self.wizards.remove(wizard)

    def current_case_view(self) -> "CaseView | None":
        from app.ui.case_view import CaseView

        view = self.window.tabs.currentWidget()
        return view if isinstance(view, CaseView) else None

    def _case_opened(self, case_id: str) -> None:
        view = self.current_case_view()
        if view is not None and view.case_id == case_id:
            target = view
            view.banner.set_close_action(lambda: self.ask_close_without_transfer(target))

    def edit_current_case(self) -> None:
        view = self.current_case_view()
        if view is None:
            self.window.notices.show_notice(
                QCoreApplication.translate("EntryLauncher", "Open a case first."), "info"
            )
            return
        self._with_registry(lambda registry: self._start_edit(registry, view.case_id))

    def _start_edit(self, registry: "SpecRegistry", case_id: str) -> None:
        store, user = self.window.store, self.window.user

        def op() -> "DraftView":
            from app.services.drafts import start_edit_draft

            with store.session() as session:
                return start_edit_draft(session, registry, user, case_id)

        self.window.runner.run(op, lambda draft: self._resume(registry, draft))

    def ask_close_without_transfer(self, view: "CaseView") -> None:
        from app.ui.wizard.choosers import ReasonDialog

        self.reason_dialog = ReasonDialog(self.window)
        dialog = self.reason_dialog
        dialog.accepted.connect(lambda: self._close_case(view, dialog.text()))
        dialog.open()

    def _close_case(self, view: "CaseView", reason: str) -> None:
        store, user, case_id = self.window.store, self.window.user, view.case_id

        def op() -> "EntryResult":
            from app.services.case_entry import close_without_transfer
            from app.ui.wizard.specs import builtin_registry

            with store.session() as session:
                return close_without_transfer(session, builtin_registry(), user, case_id, reason)

        def done(_result: "EntryResult") -> None:
            self.window.notices.show_notice(
                QCoreApplication.translate(
                    "EntryLauncher", "The case was closed; the reason is in the audit log."
                ),
                "info",
            )
            view.load()
            self.window.model.reload()

        self.window.runner.run(op, done)

    def _case_saved(self, case_id: str) -> None:
        self.window.model.reload()
        self.window.open_case(case_id)


def install_entry_actions(window: "MainWindow") -> EntryLauncher:
    """Add "New case" (Ctrl+N) and "Drafts" to ``window``."""
    return EntryLauncher(window)
