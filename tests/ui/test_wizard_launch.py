"""pytest-qt: New case (Ctrl+N) and Drafts from the main window, the case-view banner, spec
versions and a broken published spec as the person sees them."""

import json
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import drafts
from app.services.accounts import SignedInUser
from app.site_config import SiteConfig
from app.store.db import Store
from app.ui.main_window import MainWindow
from app.ui.tasks import TaskRunner
from app.ui.wizard.choosers import ChooserDialog
from app.ui.wizard.specs import PUBLISHED_DIR, builtin_registry
from tests.case_seed import add_inspector

from .conftest import Seeded


@pytest.fixture
def inspector(store: Store, seeded: Seeded) -> SignedInUser:
    return add_inspector(store, seeded.admin)


@pytest.fixture
def win(qtbot: QtBot, store: Store, inspector: SignedInUser, runner: TaskRunner) -> MainWindow:
    window = MainWindow(store, inspector, SiteConfig(), runner)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=5000):
        window.start()
    qtbot.waitUntil(lambda: window.is_settled, timeout=5000)  # the entry actions
    return window


def _published(store: Store, mutate: str) -> Path:
    """Write a real v2 of the tobacco spec into the data folder's published specs."""
    text = resources.files("app").joinpath("resources/standards/tobacco.json").read_text("utf-8")
    data = json.loads(text)
    data["version"] = "2.0.0"
    data["sections"][0]["fields"].append(
        {"key": "inspection_team", "label": "检查组", "type": "text", "required": True}
    )
    if mutate == "broken":
        data["sections"][0]["fields"][-1]["type"] = "colour"
    folder = store.paths.root / PUBLISHED_DIR
    folder.mkdir(exist_ok=True)
    path = folder / "tobacco-2.0.0.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_ctrl_n_chooses_a_spec_and_opens_the_wizard(qtbot: QtBot, win: MainWindow) -> None:
    assert win.entry.new_action.text() == "新建案件"
    qtbot.keyClick(win.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    chooser = win.entry.chooser
    assert isinstance(chooser, ChooserDialog) and chooser.isVisible()
    texts = [chooser.list.item(n).text() for n in range(chooser.list.count())]
    assert any("食品安全" in t and "food_safety v1.0.0" in t for t in texts)
    chooser.list.setCurrentRow(next(n for n, t in enumerate(texts) if "food_safety" in t))
    chooser.accept()
    (wizard,) = win.entry.wizards
    assert wizard.spec.id == "food_safety" and wizard.isVisible()
    wizard.close()


def test_drafts_action_resumes_the_draft(
    qtbot: QtBot, win: MainWindow, store: Store, inspector: SignedInUser
) -> None:
    win.entry.show_drafts()
    assert win.notices.text() == "没有未完成的草稿。"
    with store.session() as s:
        d = drafts.start_draft(s, builtin_registry(), inspector, "tobacco")
        drafts.save_draft(s, d.id, {"title": "无证经营卷烟案"}, 1)
    win.entry.drafts_action.trigger()
    chooser = win.entry.chooser
    assert chooser is not None
    assert chooser.list.item(0).text().startswith("无证经营卷烟案：烟草")
    chooser.accept()
    (wizard,) = win.entry.wizards
    assert wizard.draft.id == d.id and wizard.step == 1
    wizard.close()


def test_v1_draft_opens_on_v1_after_v2_is_published(
    win: MainWindow, store: Store, inspector: SignedInUser
) -> None:
    with store.session() as s:
        old = drafts.start_draft(s, builtin_registry(), inspector, "tobacco")
    _published(store, "ok")
    win.entry.new_case()
    chooser = win.entry.chooser
    assert chooser is not None
    texts = [chooser.list.item(n).text() for n in range(chooser.list.count())]
    assert any("tobacco v2.0.0" in t for t in texts)
    chooser.reject()
    win.entry.show_drafts()
    chooser = win.entry.chooser
    assert chooser is not None and chooser.chosen().id == old.id
    chooser.accept()
    (wizard,) = win.entry.wizards
    assert wizard.spec.version == "1.0.0" and "inspection_team" not in wizard.rows
    assert wizard.heading.text().endswith("v1.0.0")
    wizard.close()


def test_broken_published_spec_is_refused_naming_file_and_field(
    win: MainWindow, store: Store
) -> None:
    _published(store, "broken")
    win.entry.new_case()
    text = win.notices.text()
    assert "录入标准文件 tobacco-2.0.0.json 无效" in text
    assert "sections[0].fields[6].type" in text
    assert not win.entry.wizards


def test_case_view_shows_the_threshold_banner(
    qtbot: QtBot, win: MainWindow, store: Store, inspector: SignedInUser, seeded: Seeded
) -> None:
    from app.services.case_entry import finish_draft

    registry = builtin_registry()
    with store.session() as s:
        d = drafts.start_draft(s, registry, inspector, "tobacco")
        values = {
            "title": "无证销售卷烟案",
            "opened_on": "2024-05-01",
            "goods_type": ["cigarettes"],
            "cigarettes": "250条",
            "illegal_business_volume": "6万元",
            "licence_status": "none",
        }
        drafts.save_draft(s, d.id, values, 0)
    with store.session() as s:
        case_id = finish_draft(s, registry, inspector, d.id).case_id
    view = win.open_case(case_id)
    qtbot.waitUntil(lambda: view.detail is not None, timeout=5000)
    assert not view.banner.isHidden()
    assert "本案似已达到" in view.banner.text() and "60,000.00元" in view.banner.text()
    other = win.open_case(seeded.food)  # no entry standard, no facts: no banner
    qtbot.waitUntil(lambda: other.detail is not None, timeout=5000)
    assert other.banner.isHidden()


def _threshold_case(store: Store, inspector: SignedInUser) -> str:
    from app.services.case_entry import finish_draft

    registry = builtin_registry()
    with store.session() as s:
        d = drafts.start_draft(s, registry, inspector, "tobacco")
        values = {
            "title": "无证经营卷烟案",
            "opened_on": "2024-05-01",
            "illegal_business_volume": "6万元",
            "parties": [{"kind": "person", "name": "赵某", "id_number": "320302198001011239"}],
        }
        drafts.save_draft(s, d.id, values, 0)
    with store.session() as s:
        return finish_draft(s, registry, inspector, d.id).case_id


def test_close_without_transfer_from_the_case_view_needs_a_reason(
    qtbot: QtBot, win: MainWindow, store: Store, inspector: SignedInUser
) -> None:
    from sqlalchemy import select

    from app.store.models import AuditEntry, Case

    case_id = _threshold_case(store, inspector)
    view = win.open_case(case_id)
    qtbot.waitUntil(lambda: view.detail is not None, timeout=5000)
    assert view.banner.close_button.isVisible()
    assert view.banner.close_button.text() == "不移送，仅作行政处罚结案（须填写理由）…"
    qtbot.mouseClick(view.banner.close_button, Qt.MouseButton.LeftButton)
    dialog = win.entry.reason_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.accept()  # no reason
    assert "须填写不移送的理由" in win.notices.text()
    with store.session() as s:
        assert s.get_one(Case, case_id).status == "open"

    qtbot.mouseClick(view.banner.close_button, Qt.MouseButton.LeftButton)
    dialog = win.entry.reason_dialog
    assert dialog is not None
    dialog.reason.setPlainText("涉案卷烟系代他人保管，经会商不构成犯罪")
    dialog.accept()
    assert win.notices.text() == "案件已结案，理由已记入审计日志。"
    with store.session() as s:
        assert s.get_one(Case, case_id).status == "closed"
        (entry,) = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "close_without_transfer")
        ).all()
        assert entry.detail["reason"] == "涉案卷烟系代他人保管，经会商不构成犯罪"
        assert [r["id"] for r in entry.detail["rules_met"]] == ["tobacco.225.business_volume"]


def test_ctrl_e_edits_the_open_case_in_the_wizard(
    qtbot: QtBot, win: MainWindow, store: Store, inspector: SignedInUser
) -> None:
    from app.store.models import Case

    win.entry.edit_current_case()
    assert win.notices.text() == "请先打开一个案件。"
    case_id = _threshold_case(store, inspector)
    view = win.open_case(case_id)
    qtbot.waitUntil(lambda: view.detail is not None, timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    (wizard,) = win.entry.wizards
    assert wizard.windowTitle() == "修改案件：烟草专卖违法案件录入标准"
    assert wizard.draft.case_id == case_id
    title = wizard.editor("title").focus_widget()
    assert title.text() == "无证经营卷烟案"  # type: ignore[attr-defined]
    wizard.values["title"] = "无证经营卷烟案（更正）"
    with qtbot.waitSignal(wizard.case_saved, timeout=5000):
        wizard.finish()
    with store.session() as s:
        case = s.get_one(Case, case_id)
        assert case.title == "无证经营卷烟案（更正）" and case.version == 2
        assert [p.name for p in case.parties if not p.deleted] == ["赵某"]


def test_discard_a_draft_from_the_drafts_list(
    win: MainWindow, store: Store, inspector: SignedInUser
) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    with store.session() as s:
        keep = drafts.start_draft(s, builtin_registry(), inspector, "tobacco")
        drop = drafts.start_draft(s, builtin_registry(), inspector, "farmland")
        drafts.save_draft(s, drop.id, {"title": "非法占用农用地案"}, 0)
    win.entry.show_drafts()
    chooser = win.entry.chooser
    assert chooser is not None and chooser.chosen().id == drop.id
    (discard,) = [
        b
        for b in chooser.buttons.buttons()
        if chooser.buttons.buttonRole(b) == QDialogButtonBox.ButtonRole.ActionRole
    ]
    assert discard.text() == "删除草稿"
    discard.click()
    assert chooser.list.count() == 1 and chooser.chosen().id == keep.id
    with store.session() as s:
        assert [d.id for d in drafts.list_drafts(s, inspector.id)] == [keep.id]
        assert drafts.get_draft(s, drop.id).state == "discarded"


def test_closing_the_wizard_saves_the_field_being_typed(
    qtbot: QtBot, win: MainWindow, store: Store, inspector: SignedInUser
) -> None:
    with store.session() as s:
        d = drafts.start_draft(s, builtin_registry(), inspector, "tobacco")
    wizard = win.entry.open_wizard(builtin_registry(), d)
    assert wizard is not None
    wizard.activateWindow()
    edit = wizard.editor("title").focus_widget()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    qtbot.keyClicks(edit, "Case 7")
    qtbot.keyClick(edit, Qt.Key.Key_Escape)  # Esc: save and close
    assert not wizard.isVisible()
    with store.session() as s:
        assert drafts.get_draft(s, d.id).values == {"title": "Case 7"}
    assert win.entry.wizards == []
