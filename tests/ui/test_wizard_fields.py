"""pytest-qt: field editors' stored values, periodic autosave, and findings on leaving a step."""

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.forms.spec import Choice, FieldSpec
from app.services import drafts
from app.services.accounts import SignedInUser
from app.store.db import Store
from app.ui.tasks import TaskRunner
from app.ui.wizard.dialog import WizardDialog
from app.ui.wizard.editors import FieldEditor, make_editor
from app.ui.wizard.specs import builtin_registry


def _commit_text(qtbot: QtBot, editor: FieldEditor, text: str) -> Any:
    line = editor.focus_widget()
    assert isinstance(line, QLineEdit)
    line.setText(text)
    editor.commit_now()
    return editor.value()


@pytest.mark.parametrize(
    ("kind", "unit", "text", "stored", "shown"),
    [
        ("date", None, "2024年3月5日", "2024-03-05", "2024-03-05"),
        ("date", None, "2024-02-30", "2024-02-30", "2024-02-30"),
        ("datetime", None, "2024/3/5 9:30", "2024-03-05T09:30", "2024-03-05 09:30"),
        ("money", None, "1,234.56元", 123456, "1,234.56元"),
        ("money", None, "12.345元", "12.345元", "12.345元"),
        ("integer", None, "12", 12, "12"),
        ("integer", None, "1.5", "1.5", "1.5"),
        ("decimal", None, "1,200.50", "1200.50", "1200.50"),
        ("quantity", "t", "3.2", {"value": "3.2", "unit": "t"}, "3.2"),
        ("quantity", "t", "3200千克", "3200千克", "3200千克"),
        ("resident_id", None, "32030219800101123x", "32030219800101123X", "32030219800101123X"),
        ("uscc", None, "91320312ma1w2x3y4t", "91320312MA1W2X3Y4T", "91320312MA1W2X3Y4T"),
        ("phone", None, " 0516-83456789 ", "0516-83456789", "0516-83456789"),
        ("text", None, "   ", None, "   "),
    ],
)
def test_line_editors_store_what_the_forms_engine_reads(
    qtbot: QtBot, kind: str, unit: str | None, text: str, stored: Any, shown: str
) -> None:
    editor = make_editor(FieldSpec("f", "字段", kind, "s", unit=unit))
    qtbot.addWidget(editor)
    committed: list[str] = []
    editor.committed.connect(committed.append)
    assert _commit_text(qtbot, editor, text) == stored
    assert committed == ([] if stored is None else ["f"])
    line = editor.focus_widget()
    assert isinstance(line, QLineEdit) and line.text() == shown
    editor.set_value(stored)  # loading a stored value emits nothing
    assert committed == ([] if stored is None else ["f"])


def test_quantity_unit_choice_and_choice_editors(qtbot: QtBot) -> None:
    quantity = make_editor(FieldSpec("q", "数量", "quantity", "s", unit="t"))
    qtbot.addWidget(quantity)
    unit = quantity.findChild(QComboBox, "unit_q")
    assert unit is not None
    assert [unit.itemData(n) for n in range(unit.count())] == ["t", "kg"]
    _commit_text(qtbot, quantity, "3500")
    unit.setCurrentIndex(unit.findData("kg"))
    assert quantity.value() == {"value": "3500", "unit": "kg"}

    choice = make_editor(
        FieldSpec("c", "类别", "choice", "s", choices=(Choice("a", "甲"), Choice("b", "乙")))
    )
    qtbot.addWidget(choice)
    combo = choice.focus_widget()
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(n) for n in range(combo.count())] == ["—", "甲", "乙"]
    combo.setCurrentIndex(2)
    assert choice.value() == "b"
    combo.setCurrentIndex(0)
    assert choice.value() is None

    yes_no = make_editor(FieldSpec("b", "是否", "boolean", "s"))
    qtbot.addWidget(yes_no)
    box = yes_no.focus_widget()
    assert isinstance(box, QComboBox)
    assert [box.itemText(n) for n in range(box.count())] == ["—", "是", "否"]
    box.setCurrentIndex(2)
    assert yes_no.value() is False


def _wizard(
    qtbot: QtBot, store: Store, runner: TaskRunner, user: SignedInUser, autosave_ms: int
) -> WizardDialog:
    registry = builtin_registry()
    with store.session() as s:
        draft = drafts.start_draft(s, registry, user, "env_hazardous_waste")
    dialog = WizardDialog(
        store, runner, user, registry, draft, autosave_ms=autosave_ms, today=date(2024, 6, 1)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def test_periodic_autosave_keeps_the_field_being_typed(
    qtbot: QtBot, store: Store, runner: TaskRunner, inspector: SignedInUser
) -> None:
    dialog = _wizard(qtbot, store, runner, inspector, autosave_ms=50)
    edit = dialog.editor("offence_place").focus_widget()
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    qtbot.keyClicks(edit, "Tongshan")
    with qtbot.waitSignal(dialog.autosaver.saved, timeout=3000):
        pass
    with store.session() as s:
        assert drafts.get_draft(s, dialog.draft.id).values == {"offence_place": "Tongshan"}
    assert "offence_place" not in dialog.values  # not committed: no findings, no conditions
    assert dialog.rows["offence_place"].error.isHidden()
    writes = dialog.autosaver.writes
    qtbot.wait(200)  # nothing changed: no further writes
    assert dialog.autosaver.writes == writes


def test_leaving_a_step_shows_what_is_missing_there(
    qtbot: QtBot, store: Store, runner: TaskRunner, inspector: SignedInUser
) -> None:
    dialog = _wizard(qtbot, store, runner, inspector, autosave_ms=600_000)
    title = dialog.rows["title"]
    assert title.error.isHidden()
    assert dialog.steps.item(0).text() == "  Alt+1  案件基本信息  0%"
    assert dialog.steps.item(5).text() == "  Alt+6  重金属监测数据  （不适用）"
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.step == 1
    assert not title.error.isHidden() and "必填项未填写：案件名称" in title.error.text()
    assert dialog.rows["contact_phone"].error.isHidden()  # the new step: not yet
    qtbot.keyClick(dialog, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert dialog.step == 0
    with store.session() as s:
        assert drafts.get_draft(s, dialog.draft.id).current_step == 0


def test_tab_and_shift_tab_follow_the_spec_order(
    qtbot: QtBot, store: Store, runner: TaskRunner, inspector: SignedInUser
) -> None:
    dialog = _wizard(qtbot, store, runner, inspector, autosave_ms=600_000)
    order = ["case_number", "title", "opened_on", "offence_date", "offence_place", "discovered_by"]
    first = dialog.editor(order[0]).focus_widget()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus, timeout=2000)
    for key in order[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dialog.editor(key).focus_widget(), key
    for key in reversed(order[:-1]):
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier
        )
        assert QApplication.focusWidget() is dialog.editor(key).focus_widget(), key


def test_a_failed_autosave_is_shown_in_the_wizard_and_nothing_on_screen_is_lost(
    qtbot: QtBot, store: Store, runner: TaskRunner, inspector: SignedInUser
) -> None:
    dialog = _wizard(qtbot, store, runner, inspector, autosave_ms=600_000)
    with store.session() as s:
        drafts.discard_draft(s, dialog.draft.id)  # e.g. discarded from another window
    edit = dialog.editor("offence_place").focus_widget()
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    qtbot.keyClicks(edit, "Tongshan")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert dialog.notices.text() == "草稿已不存在或已提交，未能保存"
    assert dialog.values["offence_place"] == "Tongshan" and edit.text() == "Tongshan"
