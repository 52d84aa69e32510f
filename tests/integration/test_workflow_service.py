"""The workflow service over a real SQLite store: roles, refusals that write nothing, the
materials waiver, stored deadlines (UTC) equal to the engine's, rows kept in step."""

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain.deadlines import compute_deadlines
from app.domain.workcalendar import CST
from app.domain.workflow import WorkflowRefused
from app.errors import PermissionDenied
from app.services.accounts import SignedInUser
from app.services.workflow import (
    case_workflow,
    list_deadlines,
    load_events,
    record_event,
)
from app.store.db import Store
from tests.integration.workflow_seed import Desk, seed_desk

T0 = datetime(2025, 9, 29, 9, 0, tzinfo=CST)  # the Monday before National Day


@pytest.fixture
def desk(store: Store) -> Desk:
    return seed_desk(store)


def _rows(store: Store) -> dict[str, Any]:
    with sqlite3.connect(store.paths.database) as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("events", "deadlines", "transfers", "referrals", "cases", "audit_log")
        }


def _to_approval(store: Store, desk: Desk) -> None:
    case = desk.forward_case
    steps: list[tuple[str, SignedInUser, dict[str, Any]]] = [
        ("case_opened", desk.inspector, {"domain": "environment"}),
        ("crime_suspected", desk.inspector, {}),
        ("team_formed", desk.inspector, {"members": [desk.inspector.id, desk.inspector2.id]}),
        ("transfer_reported", desk.inspector, {"police_unit": "徐州市公安局铜山分局"}),
    ]
    for hours, (kind, who, data) in enumerate(steps):
        record_event(store, who, case, kind, at=T0 + timedelta(hours=hours), data=data)


def test_only_a_head_approves_and_a_refusal_writes_nothing(store: Store, desk: Desk) -> None:
    _to_approval(store, desk)
    before = _rows(store)
    for who in (desk.inspector, desk.clerk, desk.admin):
        with pytest.raises(WorkflowRefused, match="只能由负责人"):
            record_event(store, who, desk.forward_case, "transfer_approved", at=T0 + timedelta(1))
    with pytest.raises(WorkflowRefused, match="负责人不批准移送：须填写理由"):
        record_event(store, desk.head, desk.forward_case, "transfer_refused", at=T0 + timedelta(1))
    with pytest.raises(WorkflowRefused, match="须记录不批准的理由"):
        record_event(
            store,
            desk.head,
            desk.forward_case,
            "transfer_refused",
            at=T0 + timedelta(1),
            data={"reason": "  "},
        )
    assert _rows(store) == before
    changes = record_event(
        store, desk.head, desk.forward_case, "transfer_approved", at=T0 + timedelta(days=1)
    )
    assert changes.status == "transfer_approved" and changes.forward_node == "approved"
    assert changes.deadlines_added >= 1 and changes.deadlines_updated >= 1  # head_decision met
    with store.session() as session:
        stored = load_events(session, desk.forward_case)
    assert stored[-1].actor_role == "head" and stored[-1].data["actor_role"] == "head"


def test_clerk_records_other_agencies_steps_but_not_the_units_own(store: Store, desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        record_event(store, desk.clerk, desk.forward_case, "case_opened", at=T0)
    with pytest.raises(PermissionDenied):
        record_event(store, desk.admin, desk.forward_case, "case_opened", at=T0)
    record_event(store, desk.inspector, desk.forward_case, "case_opened", at=T0)
    # a 检察意见 demanding transfer comes from the procuratorate: a clerk may record it
    record_event(store, desk.clerk, desk.forward_case, "transfer_demanded", at=T0 + timedelta(1))


def test_transfer_blocked_until_materials_or_a_heads_reasoned_waiver(
    store: Store, desk: Desk
) -> None:
    _to_approval(store, desk)
    case = desk.forward_case
    record_event(store, desk.head, case, "transfer_approved", at=T0 + timedelta(hours=5))
    before = _rows(store)
    with pytest.raises(WorkflowRefused, match="移送材料不全"):
        record_event(store, desk.inspector, case, "transferred", at=T0 + timedelta(hours=6))
    with pytest.raises(WorkflowRefused, match="只能由负责人"):
        record_event(
            store,
            desk.inspector,
            case,
            "materials_waived",
            at=T0 + timedelta(hours=6),
            data={"reason": "情况紧急"},
        )
    with pytest.raises(WorkflowRefused, match="须填写理由"):
        record_event(store, desk.head, case, "materials_waived", at=T0 + timedelta(hours=6))
    assert _rows(store) == before
    flow = case_workflow(store, case, T0 + timedelta(hours=6))
    assert not flow.materials_complete
    assert {m.label for m in flow.materials if m.status == "missing"} >= {"涉嫌犯罪案件移送书"}
    record_event(
        store,
        desk.head,
        case,
        "materials_waived",
        at=T0 + timedelta(hours=6),
        data={"reason": "当事人可能转移证据，先行移送，材料三日内补齐"},
    )
    sent = record_event(store, desk.inspector, case, "transferred", at=T0 + timedelta(hours=7))
    assert sent.status == "transferred"
    flow = case_workflow(store, case, T0 + timedelta(hours=8))
    assert flow.materials_waived and "receipt_signed" in {s.kind for s in flow.next_steps}
    assert ("人民检察院" not in dict(flow.owes)) and any("抄送" in w for _, w in flow.owes)


def test_stored_deadlines_are_the_engines_in_utc_and_listed_overdue_first(
    store: Store, desk: Desk
) -> None:
    _to_approval(store, desk)
    with store.session() as session:
        events = load_events(session, desk.forward_case)
    computed = compute_deadlines(events)
    with sqlite3.connect(store.paths.database) as conn:
        stored = dict(
            ((r[0], r[1]), r[2])
            for r in conn.execute(
                "SELECT trigger_event_id, rule_id, due_at FROM deadlines WHERE NOT deleted"
            )
        )
    assert stored == {
        (d.trigger_event_id, d.rule_id): d.due_at.astimezone(CST)
        .astimezone(__import__("datetime").UTC)
        .strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for d in computed
    }
    # reported 2025-09-29 12:00 (Mon): the head has 3 calendar days, to 10-02 23:59:59 +08:00
    head = next(d for d in computed if d.rule_id == "head_decision")
    assert head.due_at == datetime(2025, 10, 2, 23, 59, 59, tzinfo=CST)
    at = datetime(2025, 10, 3, 9, 0, tzinfo=CST)
    listed = list_deadlines(store, at)
    assert listed and listed[0].overdue
    flags = [d.overdue for d in listed]
    assert flags == sorted(flags, reverse=True)
    assert all(d.source and d.owed_by_label for d in listed)


def test_an_earlier_event_or_an_unknown_case_is_refused(store: Store, desk: Desk) -> None:
    record_event(store, desk.inspector, desk.forward_case, "case_opened", at=T0)
    with pytest.raises(WorkflowRefused, match="时间线只能追加"):
        record_event(
            store, desk.inspector, desk.forward_case, "crime_suspected", at=T0 - timedelta(1)
        )
    with pytest.raises(Exception, match="找不到案件"):
        record_event(store, desk.inspector, "missing", "case_opened", at=T0)
    with pytest.raises(Exception, match="时区"):
        record_event(
            store, desk.inspector, desk.forward_case, "evidence_collected", at=datetime(2025, 10, 1)
        )


def test_workflow_rows_round_trip_through_export_and_import(
    store: Store, desk: Desk, tmp_path: Path
) -> None:
    from app.paths import DataPaths
    from app.store.db import open_store
    from app.store.exchange import export_json, import_json

    _to_approval(store, desk)
    case = desk.reverse_case
    record_event(store, desk.inspector, case, "case_opened", at=T0)
    record_event(store, desk.inspector, case, "crime_suspected", at=T0, data={"obvious": True})
    record_event(
        store,
        desk.head,
        case,
        "closed",
        at=T0 + timedelta(hours=2),
        data={"reason": "经复核未达追诉标准，依法作行政处罚"},
    )
    with sqlite3.connect(store.paths.database) as conn:
        rows = conn.execute(
            "SELECT rule_id, met_at, cancelled_at, nature, verified, period_source FROM deadlines"
        ).fetchall()
    assert any(r[2] for r in rows), rows  # closing cancelled what was still open
    assert {r[3] for r in rows} <= {"duty", "window", "chase"} and {r[5] for r in rows} == {"rule"}
    first = export_json(store)
    assert b'"period_source":"rule"' in first and b'"cancelled_at":"2025-' in first
    other = open_store(DataPaths(tmp_path / "other"))
    try:
        import_json(other, first)
        assert export_json(other) == first
    finally:
        other.close()


def test_reply_after_no_penalty_is_stored_as_the_cases_document(
    store: Store, desk: Desk, tmp_path: Path
) -> None:
    from app.services.workflow_documents import make_document
    from app.store.attachments import AttachmentStore
    from tests.integration.pdf_checks import check_pdf

    case = desk.reverse_case
    record_event(
        store,
        desk.inspector,
        case,
        "referral_received",
        at=T0,
        data={
            "source": "non_prosecution",
            "source_unit": "徐州市铜山区人民检察院",
            "opinion": {"number": "铜检行意〔2025〕7号", "reply_due_on": "2025-10-31"},
        },
    )
    record_event(store, desk.inspector, case, "handling_started", at=T0 + timedelta(hours=1))
    record_event(
        store,
        desk.inspector,
        case,
        "no_penalty_decided",
        at=T0 + timedelta(days=3),
        data={"reason": "违法行为轻微并及时改正，没有造成危害后果"},
    )
    made = make_document(store, desk.clerk, case, "opinion_reply", at=T0 + timedelta(days=4))
    assert made.number == "徐铜环复〔2025〕1号"
    with sqlite3.connect(store.paths.database) as conn:
        doc_type, title, text, pages = conn.execute(
            "SELECT doc_type, title, text, page_count FROM documents WHERE id = ?",
            (made.document_id,),
        ).fetchone()
        sha, size = conn.execute(
            "SELECT sha256, size FROM attachments WHERE document_id = ?", (made.document_id,)
        ).fetchone()
    assert (
        doc_type == "opinion_reply" and title == "关于铜检行意〔2025〕7号检察意见书办理情况的回复"
    )
    assert "决定不予行政处罚，理由：违法行为轻微并及时改正" in text and pages == 1
    assert AttachmentStore(store.paths.attachments).verify(sha) and size == made.size
    check_pdf(made.path, ["决定不予行政处罚", "2025年10月3日"], tmp_path)
    # the reply deadline is the date the opinion states
    listed = [d for d in list_deadlines(store, T0, case) if d.rule_id == "reply_to_opinion"]
    assert listed[0].due_at == datetime(2025, 10, 31, 23, 59, 59, tzinfo=CST)
    assert listed[0].period_source == "document" and listed[0].counting == "stated_date"
