"""pytest-qt: the case-entry wizard filled end to end, with Chinese committed by an input method."""

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.forms import SpecRegistry
from app.services import drafts
from app.services.accounts import SignedInUser
from app.services.case_queries import CaseFilter, case_detail, list_case_ids
from app.store.db import Store
from app.store.models import AuditEntry
from app.ui.tasks import TaskRunner
from app.ui.wizard.dialog import WizardDialog
from app.ui.wizard.editors import FieldEditor
from app.ui.wizard.specs import builtin_registry

COMPANY = "91320312MA1W2X3Y4T"
TODAY = date(2024, 6, 1)


def ime_preedit(widget: QWidget, text: str) -> None:
    """What a pinyin input method sends while the person is still composing."""
    QApplication.sendEvent(widget, QInputMethodEvent(text, []))


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method sends when the person picks the characters."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def registry() -> SpecRegistry:
    return builtin_registry()


OpenWizard = Callable[[str], WizardDialog]


@pytest.fixture
def open_wizard(
    qtbot: QtBot, store: Store, runner: TaskRunner, inspector: SignedInUser, registry: SpecRegistry
) -> OpenWizard:
    def make(spec_id: str) -> WizardDialog:
        with store.session() as s:
            draft = drafts.start_draft(s, registry, inspector, spec_id)
        dialog = WizardDialog(
            store, runner, inspector, registry, draft, autosave_ms=600_000, today=TODAY
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        return dialog

    return make


class Typist:
    """Fills fields the way a person does: focus, type or commit Chinese, Tab away."""

    def __init__(self, qtbot: QtBot, dialog: WizardDialog) -> None:
        self.qtbot = qtbot
        self.dialog = dialog

    def line(self, key: str) -> QLineEdit:
        editor = self.dialog.editor(key)
        widget = editor.focus_widget()
        assert isinstance(widget, QLineEdit)
        return widget

    def focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        self.qtbot.waitUntil(widget.hasFocus, timeout=2000)

    def type(self, key: str, text: str) -> None:
        edit = self.line(key)
        self.focus(edit)
        self.qtbot.keyClicks(edit, text)
        self.qtbot.keyClick(edit, Qt.Key.Key_Tab)

    def chinese(self, key: str, text: str, edit: QLineEdit | None = None) -> None:
        edit = edit or self.line(key)
        self.focus(edit)
        ime_preedit(edit, "pinyin")
        ime_commit(edit, text)
        self.qtbot.keyClick(edit, Qt.Key.Key_Tab)

    def pick(self, key: str, value: object) -> None:
        combo = self.dialog.editor(key).focus_widget()
        assert isinstance(combo, QComboBox)
        n = combo.findData(value)
        assert n > 0, (key, value)
        combo.setCurrentIndex(n)

    def tick(self, key: str, value: str) -> None:
        box = self.dialog.findChild(QCheckBox, f"field_{key}_{value}")
        assert box is not None
        box.click()

    def step(self, n: int) -> None:
        self.qtbot.keyClick(self.dialog, Qt.Key(Qt.Key.Key_0 + n), Qt.KeyboardModifier.AltModifier)
        assert self.dialog.step == n - 1


def test_ime_preedit_neither_validates_nor_saves(open_wizard: OpenWizard, qtbot: QtBot) -> None:
    dialog = open_wizard("env_hazardous_waste")
    typist = Typist(qtbot, dialog)
    calls: list[int] = []
    original = dialog.refresh
    dialog.refresh = lambda: (calls.append(1), original())[-1]  # type: ignore[method-assign]
    writes = dialog.autosaver.writes
    edit = typist.line("title")
    typist.focus(edit)
    for preedit in ("mou", "mouhua", "某化"):
        ime_preedit(edit, preedit)
        dialog.autosaver.request()  # an autosave tick while composing
    assert edit.text() == ""
    assert calls == [] and dialog.autosaver.writes == writes
    assert "title" not in dialog.values
    ime_commit(edit, "某化工厂非法倾倒危险废物案")
    assert edit.text() == "某化工厂非法倾倒危险废物案"
    assert calls == [] and "title" not in dialog.values
    dialog.autosaver.request()  # a tick now stores the committed text, without validating
    assert calls == [] and dialog.autosaver.writes == writes + 1
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert calls == [1]
    assert dialog.values["title"] == "某化工厂非法倾倒危险废物案"
    with dialog.store.session() as s:
        assert drafts.get_draft(s, dialog.draft.id).values["title"] == "某化工厂非法倾倒危险废物案"


def test_errors_show_on_leaving_a_field_not_while_typing(
    open_wizard: OpenWizard, qtbot: QtBot
) -> None:
    dialog = open_wizard("env_hazardous_waste")
    typist = Typist(qtbot, dialog)
    error = dialog.rows["opened_on"].error
    edit = typist.line("opened_on")
    typist.focus(edit)
    qtbot.keyClicks(edit, "2024-02-3")
    assert error.isHidden()
    qtbot.keyClicks(edit, "0")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert not error.isHidden() and "不是有效日期" in error.text()
    typist.type("opened_on", "")  # unchanged text: nothing new
    edit.clear()
    typist.type("opened_on", "2024/3/5")
    assert edit.text() == "2024-03-05" and dialog.values["opened_on"] == "2024-03-05"
    assert error.isHidden()


def test_fill_environmental_case_end_to_end(
    open_wizard: OpenWizard, qtbot: QtBot, store: Store
) -> None:
    dialog = open_wizard("env_hazardous_waste")
    t = Typist(qtbot, dialog)
    assert dialog.windowTitle() == "新建案件：环境违法案件录入标准（危险废物）"
    assert dialog.score.text() == "完整度 0/100"

    t.chinese("case_number", "徐铜环立〔2024〕15号")
    t.chinese("title", "某化工有限公司非法倾倒危险废物案")
    t.type("opened_on", "2024-03-05")
    t.type("offence_date", "20240301")
    t.chinese("offence_place", "铜山区某镇废弃砖窑")
    t.pick("discovered_by", "complaint")
    assert dialog.steps.item(0).text().endswith("100%")

    t.step(2)
    assert dialog.rows["legal_representative"].visible is False
    parties = dialog.editor("parties")
    name = dialog.findChild(QLineEdit, "party0_name")
    number = dialog.findChild(QLineEdit, "party0_id_number")
    assert name is not None and number is not None
    t.chinese("parties", "徐州某化工有限公司", edit=name)
    t.focus(number)
    qtbot.keyClicks(number, COMPANY.lower())
    qtbot.keyClick(number, Qt.Key.Key_Tab)
    assert parties.value() == [
        {
            "kind": "organisation",
            "name": "徐州某化工有限公司",
            "id_number": COMPANY,
            "phone": "",
            "address": "",
        }
    ]
    assert dialog.rows["legal_representative"].visible is True  # shown once parties are filled
    t.type("contact_phone", "0516-83456789")

    t.step(3)
    assert not dialog.rows["hw_category_other"].visible
    t.pick("hw_category", "other")
    assert dialog.rows["hw_category_other"].visible
    assert dialog.rows["hw_category_other"].label.text() == "其他类别说明 *"
    t.pick("hw_category", "HW34")
    assert not dialog.rows["hw_category_other"].visible
    t.chinese("hw_name", "废酸")
    t.pick("hw_identification", "listed")
    t.tick("hw_conduct", "dump")
    assert dialog.banner.isHidden()
    assert not dialog.rows["quantity_basis"].visible
    t.type("hazardous_waste", "3.2")
    assert dialog.values["hazardous_waste"] == {"value": "3.2", "unit": "t"}
    assert not dialog.banner.isHidden()
    banner = dialog.banner.text()
    assert "本案似已达到污染环境罪的刑事立案追诉标准，请考虑移送公安机关" in banner
    assert "3.2" in banner and "依据：" in banner and "ENV-INT2023" in banner
    assert "env.338.hazardous_waste" in dialog.banner.rule_ids
    assert dialog.rows["quantity_basis"].visible
    t.pick("quantity_basis", "weighed")
    t.chinese("hw_source", "酸洗工序")

    t.step(4)
    t.tick("substance", "toxic")
    t.step(5)
    t.pick("metals_tested", True)
    t.step(6)
    assert dialog.rows["metals_report_number"].visible
    t.type("pb_measured", "3.5")
    t.type("pb_limit", "1")
    assert dialog.rows["ratio_pb"].editor.label.text() == "3.5"  # type: ignore[attr-defined]
    t.step(5)
    t.pick("metals_tested", False)
    t.step(8)
    t.type("interrogation_count", "2")
    t.pick("seized", False)
    t.chinese("inspection_record_number", "徐铜环勘〔2024〕7号")
    t.step(9)
    t.pick("decided", True)
    assert dialog.entry_due.text() == ""
    t.type("decided_on", "2024-04-20")
    assert dialog.entry_due.text() == "平台录入期限：2024-04-27 前（期限未核实）"
    t.chinese("amount_fen", "12.5万元")
    assert t.line("amount_fen").text() == "125,000.00元"
    t.pick("transfer_opinion", "no_transfer")
    assert dialog.rows["no_transfer_reason"].label.text() == "不移送的理由 *"

    dialog.finish()  # no reason: refused, and the reason field gets the focus
    assert dialog.isVisible()
    assert "须填写不移送的理由" in dialog.notices.text()
    assert dialog.focused_editor() is dialog.editor("no_transfer_reason")
    with store.session() as s:
        assert list_case_ids(s, CaseFilter()) == []
    reason = dialog.editor("no_transfer_reason").focus_widget()
    ime_commit(reason, "经会商，数量以鉴定为准，暂不移送")
    qtbot.keyClick(reason, Qt.Key.Key_Tab)
    with qtbot.waitSignal(dialog.case_saved, timeout=5000) as saved:
        qtbot.mouseClick(dialog.finish_button, Qt.MouseButton.LeftButton)
    case_id = saved.args[0]
    assert not dialog.isVisible()
    with store.session() as s:
        assert list_case_ids(s, CaseFilter(text="某化工")) == [case_id]
        detail = case_detail(s, case_id)
        assert detail is not None
        assert detail.case_number == "徐铜环立〔2024〕15号"
        assert detail.amount_fen == 12_500_000
        assert [p.name for p in detail.parties] == ["徐州某化工有限公司"]
        assert detail.fields["_completeness"] == dialog.validation.score  # type: ignore[union-attr]
        assert detail.fields["hazardous_waste"] == {"value": "3.2", "unit": "t"}
        (entry,) = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "close_without_transfer")
        ).all()
        assert entry.detail["reason"] == "经会商，数量以鉴定为准，暂不移送"
        assert entry.entity_id == case_id


def test_fill_food_case_end_to_end(open_wizard: OpenWizard, qtbot: QtBot, store: Store) -> None:
    dialog = open_wizard("food_safety")
    t = Typist(qtbot, dialog)
    t.chinese("case_number", "徐市监罚〔2024〕3号")
    t.chinese("title", "某超市销售添加有毒有害非食品原料食品案")
    t.type("opened_on", "2024-05-02")
    t.type("offence_date", "2024-04-28")
    t.chinese("offence_place", "鼓楼区某超市")
    t.pick("discovered_by", "inspection")
    t.step(2)
    kind = dialog.findChild(QComboBox, "party0_kind")
    assert kind is not None
    kind.setCurrentIndex(kind.findData("person"))
    name = dialog.findChild(QLineEdit, "party0_name")
    assert name is not None
    t.chinese("parties", "王某", edit=name)
    number = dialog.findChild(QLineEdit, "party0_id_number")
    assert number is not None
    t.focus(number)
    qtbot.keyClicks(number, "320302198001011239")
    qtbot.keyClick(number, Qt.Key.Key_Tab)
    t.type("contact_phone", "13912345678")
    t.step(3)
    t.chinese("food_name", "卤猪蹄")
    t.pick("food_category", dialog.editor("food_category").spec.choices[0].value)
    t.step(4)
    assert dialog.banner.isHidden()
    t.pick("toxic_nonfood_added", True)
    assert not dialog.banner.isHidden()
    assert "生产、销售有毒、有害食品罪" in dialog.banner.text()
    t.chinese("toxic_substance_name", "工业松香")
    t.step(5)
    t.chinese("sales", "6万元")
    t.step(6)
    t.pick("decided", False)
    t.pick("transfer_opinion", "transfer")
    score = dialog.validation.score  # type: ignore[union-attr]
    assert dialog.score.text() == f"完整度 {score}/100"
    with qtbot.waitSignal(dialog.case_saved, timeout=5000) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        dialog.finish()
    with store.session() as s:
        detail = case_detail(s, saved.args[0])
        assert detail is not None and detail.title == "某超市销售添加有毒有害非食品原料食品案"
        assert detail.fields["_completeness"] == score
        assert detail.fields["sales"] == 6_000_000
        assert detail.parties[0].id_number == "320302198001011239"
        assert list_case_ids(s, CaseFilter(domain="food")) == [saved.args[0]]


def test_draft_resumes_on_its_step_with_its_values(
    qtbot: QtBot,
    store: Store,
    runner: TaskRunner,
    inspector: SignedInUser,
    registry: SpecRegistry,
) -> None:
    with store.session() as s:
        draft = drafts.start_draft(s, registry, inspector, "env_hazardous_waste")
        drafts.save_draft(
            s,
            draft.id,
            {"title": "续录案件", "hw_conduct": ["dump", "store"], "metals_tested": False},
            2,
        )
        draft = drafts.get_draft(s, draft.id)
    dialog = WizardDialog(store, runner, inspector, registry, draft, autosave_ms=600_000)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.step == 2 and dialog.pages.currentIndex() == 2
    title = dialog.editor("title").focus_widget()
    assert isinstance(title, QLineEdit) and title.text() == "续录案件"
    assert dialog.rows["storage_days"].visible  # shown because "store" is ticked
    box = dialog.findChild(QCheckBox, "field_hw_conduct_store")
    assert box is not None and box.isChecked()
    metals = dialog.editor("metals_tested").focus_widget()
    assert isinstance(metals, QComboBox) and metals.currentData() is False


def test_every_field_type_has_an_editor(registry: SpecRegistry, qtbot: QtBot) -> None:
    from app.ui.wizard.editors import make_editor

    kinds: dict[str, FieldEditor] = {}
    for spec_id in registry.ids():
        for f in registry.latest(spec_id).ordered_fields:
            if f.type not in kinds:
                editor = make_editor(f)
                qtbot.addWidget(editor)
                kinds[f.type] = editor
    assert {
        "text",
        "multiline",
        "date",
        "money",
        "quantity",
        "integer",
        "decimal",
        "choice",
        "multi_choice",
        "boolean",
        "uscc",
        "phone",
        "doc_number",
        "party_list",
    } <= set(kinds)
