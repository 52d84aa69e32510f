"""The forward transfer and the reverse referral driven through the case view's workflow tab
(pytest-qt): step buttons, their dialogs, refusals as notices, generated PDFs."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, QTime, QTimer, QUrl
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.domain.identity import SignedInUser
from app.services.workflow_files import attach_file
from app.store.db import Store
from app.ui.case_view import CaseView
from app.ui.event_dialog import EventDialog
from app.ui.main_window import MainWindow
from app.ui.tasks import TaskRunner
from app.ui.workflow_panel import WorkflowPanel
from tests.integration.pdf_checks import check_pdf
from tests.integration.workflow_seed import Desk, assert_deadlines_match_engine, seed_desk


@pytest.fixture
def desk(store: Store) -> Desk:
    return seed_desk(store)


def _view(qtbot: QtBot, store: Store, runner: TaskRunner, user: SignedInUser, case: str):
    view = CaseView(store, runner, case, user=user)
    qtbot.addWidget(view)
    view.show()
    view.load()
    panel = view.workflow
    assert isinstance(panel, WorkflowPanel) and panel.flow is not None
    view.tabs.setCurrentWidget(panel)
    return view, panel


def _choose(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def step(
    qtbot: QtBot, panel: WorkflowPanel, kind: str, fill: Callable[[EventDialog], None] = print
) -> None:
    """Click the step's button, fill its dialog and press OK."""
    seen: list[str] = []

    def answer() -> None:
        dialog = panel.dialog
        assert dialog is not None and dialog.isVisible()
        seen.append(dialog.windowTitle())
        if fill is not print:
            fill(dialog)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    assert kind in panel.step_buttons, (kind, sorted(panel.step_buttons))
    QTimer.singleShot(0, answer)
    panel.step_buttons[kind].click()
    assert seen, "the dialog did not open"


def _events(store: Store) -> int:
    with sqlite3.connect(store.paths.database) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def _generate(qtbot: QtBot, panel: WorkflowPanel, doc_type: str) -> Path:
    _choose(panel.doc_type, doc_type)
    with qtbot.waitSignal(panel.document_ready, timeout=20000) as ready:
        panel.generate_button.click()
    return Path(ready.args[0])


def test_forward_transfer_through_the_workflow_tab(
    qtbot: QtBot, store: Store, desk: Desk, runner: TaskRunner, tmp_path: Path
) -> None:
    case = desk.forward_case
    view, panel = _view(qtbot, store, runner, desk.inspector, case)
    assert view.tabs.tabText(view.tabs.indexOf(panel)) == "移送流程"
    step(qtbot, panel, "case_opened")
    step(qtbot, panel, "crime_suspected")

    def team(d: EventDialog) -> None:
        _choose(d.fields["member1"], desk.inspector.id)
        _choose(d.fields["member2"], desk.inspector2.id)

    step(qtbot, panel, "team_formed", team)

    def report(d: EventDialog) -> None:
        d.fields["offence"].setText("污染环境罪")
        d.fields["police_unit"].setText("徐州市公安局铜山分局")
        d.fields["procuratorate_unit"].setText("徐州市铜山区人民检察院")

    step(qtbot, panel, "transfer_reported", report)
    assert "移送审批中" in panel.node.text()

    # The inspector may not approve: a plain Chinese notice, nothing written.
    before = _events(store)
    step(qtbot, panel, "transfer_approved")
    assert "只能由负责人" in panel.notices.text() and panel.notices.isVisible()
    assert _events(store) == before

    _, head_panel = _view(qtbot, store, runner, desk.head, case)
    step(qtbot, head_panel, "transfer_approved")
    panel.load()
    assert "已批准移送" in panel.node.text()

    # The checklist shows what is missing; the scanner attaches the report and the test report.
    missing = [
        panel.materials.item(r, 0).text()
        for r in range(panel.materials.rowCount())
        if panel.materials.item(r, 1).text() == "缺少"
    ]
    assert "涉嫌犯罪案件移送书" in missing
    stand_in = tmp_path / "scan.pdf"
    stand_in.write_bytes(b"%PDF-1.4\n% scanned stand-in\n")
    with store.session() as session:
        for doc_type in ("investigation_report", "test_report"):
            attach_file(session, store.paths.attachments, case, stand_in, doc_type)
    opened: list[QUrl] = []
    panel.opener = opened.append
    pdfs = {
        d: _generate(qtbot, panel, d)
        for d in ("seized_items_list", "transfer_letter", "materials_list")
    }
    panel.open_button.click()
    assert opened and opened[0].toLocalFile() == str(pdfs["materials_list"])

    step(qtbot, panel, "transferred")
    assert "已移送公安" in panel.node.text()
    step(qtbot, panel, "copied_to_procuratorate")
    step(qtbot, panel, "receipt_signed")
    step(qtbot, panel, "police_filed")
    step(qtbot, panel, "items_handed_over")
    assert "涉案物品及材料已移交" in panel.node.text()
    assert "transferred" not in panel.step_buttons
    assert_deadlines_match_engine(store, case)

    check_pdf(
        pdfs["transfer_letter"],
        ["涉嫌犯罪案件移送书", "徐州市公安局铜山分局", "污染环境罪", "涉嫌犯罪案件移送书回执"],
        tmp_path,
    )
    check_pdf(
        pdfs["materials_list"], ["徐州市铜山区人民检察院：", "涉嫌犯罪案件调查报告"], tmp_path
    )
    check_pdf(pdfs["seized_items_list"], ["涉案物品清单", "徐州恒达化工有限公司"], tmp_path)
    view.load()
    titles = {view.documents.item(r, 1).text() for r in range(view.documents.rowCount())}
    assert "涉嫌犯罪案件移送书" in titles


def test_reverse_referral_through_the_workflow_tab(
    qtbot: QtBot, store: Store, desk: Desk, runner: TaskRunner, tmp_path: Path
) -> None:
    view, panel = _view(qtbot, store, runner, desk.inspector, desk.reverse_case)

    def referral(d: EventDialog) -> None:
        _choose(d.fields["source"], "non_prosecution")
        d.fields["source_unit"].setText("徐州市铜山区人民检察院")
        d.fields["opinion_number"].setText("铜检行意〔2025〕3号")
        _choose(d.fields["reply_mode"], "period")
        amount = d.fields["reply_amount"]
        assert isinstance(amount, QSpinBox) and amount.isEnabled()
        amount.setValue(20)
        _choose(d.fields["reply_unit"], "working_days")

    step(qtbot, panel, "referral_received", referral)
    rows = [panel.deadlines.item(r, 0).text() for r in range(panel.deadlines.rowCount())]
    assert any("检察意见" in r for r in rows)
    step(qtbot, panel, "handling_started")

    def penalty(d: EventDialog) -> None:
        d.fields["decision"].setText("罚款人民币5万元")
        d.fields["fine_paid_yuan"].setValue(20000)
        d.fields["detention_days"].setValue(5)

    step(qtbot, panel, "penalty_decided", penalty)
    reply = _generate(qtbot, panel, "opinion_reply")
    check_pdf(reply, ["铜检行意〔2025〕3号", "罚款人民币5万元", "20,000元已依法折抵罚款"], tmp_path)
    step(qtbot, panel, "reply_sent")
    assert "已回复检察院" in panel.node.text()

    def close_without_reason(d: EventDialog) -> None:
        reason = d.fields["reason"]
        assert isinstance(reason, QPlainTextEdit)

    step(qtbot, panel, "closed", close_without_reason)
    assert "已结案" in panel.node.text()
    assert view.fields["status"].text() == "已结案"
    assert_deadlines_match_engine(store, desk.reverse_case)


def test_a_reason_is_asked_for_before_the_dialog_closes(qtbot: QtBot) -> None:
    dialog = EventDialog("transfer_refused", "负责人不批准移送")
    qtbot.addWidget(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.problem.text() == "请填写理由。" and dialog.result() == 0
    dialog.fields["reason"].setPlainText("证据不足，需补充调查")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == 1 and dialog.data()["reason"] == "证据不足，需补充调查"


def test_referral_dialog_reads_a_stated_reply_date_and_the_decision_time(qtbot: QtBot) -> None:
    dialog = EventDialog("referral_received", "收到反向移送")
    qtbot.addWidget(dialog)
    _choose(dialog.fields["source"], "non_prosecution")
    dialog.fields["opinion_number"].setText("铜检行意〔2025〕9号")
    _choose(dialog.fields["reply_mode"], "date")
    assert dialog.fields["reply_due_on"].isEnabled()
    assert not dialog.fields["reply_amount"].isEnabled()
    dialog.fields["reply_due_on"].setDate(QDate(2025, 6, 30))
    dialog.fields["decided_stated"].setChecked(True)
    dialog.fields["decided_at"].setDateTime(QDateTime(QDate(2025, 5, 28), QTime(15, 30)))
    data = dialog.data()
    assert data["opinion"] == {"number": "铜检行意〔2025〕9号", "reply_due_on": "2025-06-30"}
    assert data["decided_at"] == "2025-05-28T15:30:00+08:00"
    _choose(dialog.fields["source"], "police_non_filing")
    assert not dialog.fields["opinion_number"].isEnabled() and "opinion" not in dialog.data()


def test_steps_that_do_not_fit_the_workflow_are_shown(
    qtbot: QtBot, store: Store, desk: Desk, runner: TaskRunner
) -> None:
    from datetime import datetime, timedelta

    from app.domain.workcalendar import CST
    from app.store.models import Event

    start = datetime(2025, 3, 3, 9, 0, tzinfo=CST)
    with store.session() as session:  # as merged from elsewhere: a team of one, no approval
        for n, (kind, data) in enumerate(
            [("case_opened", {}), ("crime_suspected", {}), ("team_formed", {"members": ["x"]})]
        ):
            session.add(
                Event(
                    case_id=desk.forward_case,
                    kind=kind,
                    occurred_at=start + timedelta(n),
                    data=data,
                )
            )
    _, panel = _view(qtbot, store, runner, desk.inspector, desk.forward_case)
    assert panel.anomalies.isVisible()
    assert "至少2名执法人员" in panel.anomalies.text()
    assert "team_formed" in panel.step_buttons  # the team may still be formed properly


def test_a_case_opened_from_the_main_window_has_the_workflow_tab(
    window: MainWindow, qtbot: QtBot
) -> None:
    case_id = window.model.case_id(0)
    assert case_id is not None
    view = window.open_case(case_id)
    assert isinstance(view.workflow, WorkflowPanel)
    assert view.workflow.user == window.user  # the signed-in user, found through the window
    assert view.tabs.tabText(view.tabs.indexOf(view.workflow)) == "移送流程"
    assert view.workflow.flow is not None and view.workflow.flow.case_id == case_id
