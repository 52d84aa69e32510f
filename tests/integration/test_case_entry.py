"""Finishing drafts as cases, and closing without transfer, over a real SQLite store."""

from typing import Any

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied
from app.forms import SpecRegistry
from app.services import drafts
from app.services.accounts import SignedInUser
from app.services.case_entry import ReasonRequired, close_without_transfer, finish_draft
from app.services.case_queries import CaseFilter, case_detail, fetch_rows, list_case_ids
from app.store.audit import verify_chain
from app.store.db import Store
from app.store.models import AuditEntry, Case, Event, Party
from app.store.models_drafts import DraftRecord
from app.store.search import search_case_ids
from tests.case_seed import add_home_unit, add_inspector

COMPANY = "91320312MA1W2X3Y4T"
PERSON = "320302198001011239"


def env_values(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case_number": "徐铜环立〔2024〕15号",
        "title": "某化工有限公司非法倾倒危险废物案",
        "opened_on": "2024-03-05",
        "offence_date": "2024-03-01",
        "offence_place": "铜山区某镇废弃砖窑",
        "discovered_by": "complaint",
        "parties": [
            {"kind": "organisation", "name": "徐州某化工有限公司", "id_number": COMPANY},
            {"kind": "person", "name": "王某", "id_number": PERSON, "phone": "13912345678"},
        ],
        "contact_phone": "0516-83456789",
        "hw_category": "HW34",
        "hw_name": "废酸",
        "hw_identification": "listed",
        "hw_conduct": ["dump"],
        "hazardous_waste": {"value": "3.2", "unit": "t"},
        "quantity_basis": "weighed",
        "hw_source": "酸洗工序",
        "substance": ["toxic"],
        "metals_tested": False,
        "decided_on": "2024-04-20",
        "amount_fen": "12.5万元",
        "transfer_opinion": "transfer",
    }
    values.update(over)
    return values


@pytest.fixture
def registry() -> SpecRegistry:
    return SpecRegistry.builtin()


@pytest.fixture
def users(store: Store) -> tuple[SignedInUser, SignedInUser]:
    admin = add_home_unit(store)
    inspector = add_inspector(store, admin)
    return admin, inspector


def _draft(store: Store, registry: SpecRegistry, user: SignedInUser, values: dict[str, Any]) -> str:
    with store.session() as s:
        d = drafts.start_draft(s, registry, user, "env_hazardous_waste")
        drafts.save_draft(s, d.id, values, 0)
        return d.id


def _audit(store: Store, action: str) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_finish_creates_case_parties_score_index_and_audit(
    store: Store, registry: SpecRegistry, users: tuple[SignedInUser, SignedInUser]
) -> None:
    _, inspector = users
    draft_id = _draft(store, registry, inspector, env_values())
    with store.session() as s:
        result = finish_draft(s, registry, inspector, draft_id)
    assert result.created and result.version == 1
    assert result.rules_met and "env.338.hazardous_waste" in result.rules_met
    with store.session() as s:
        case = s.get_one(Case, result.case_id)
        assert (case.domain, case.category, case.spec_version) == (
            "environment",
            "env_hazardous_waste",
            "1.0.0",
        )
        assert case.case_number == "徐铜环立〔2024〕15号"
        assert case.opened_on.isoformat() == "2024-03-05"
        assert case.decided_on is not None and case.decided_on.isoformat() == "2024-04-20"
        assert case.amount_fen == 12_500_000 and case.penalty_fen is None
        assert case.unit_id == inspector.unit_id and case.created_by == inspector.id
        assert case.sync_state == "pending"
        assert case.fields["_completeness"] == result.completeness
        assert 0 < result.completeness <= 100
        assert case.fields["hazardous_waste"] == {"value": "3.2", "unit": "t"}
        assert "parties" not in case.fields
        assert sorted(p.name for p in case.parties) == ["徐州某化工有限公司", "王某"]
        assert s.get_one(DraftRecord, draft_id).state == "finished"
        assert s.get_one(DraftRecord, draft_id).case_id == case.id
        assert search_case_ids(s, "某化工") == [case.id]
        assert search_case_ids(s, PERSON) == [case.id]
        ids = list_case_ids(s, CaseFilter())
        assert ids == [case.id]
        assert fetch_rows(s, ids)[case.id].title == "某化工有限公司非法倾倒危险废物案"
        detail = case_detail(s, case.id)
        assert detail is not None and detail.fields["_completeness"] == result.completeness
        assert verify_chain(s).intact
    (entry,) = _audit(store, "case_created")
    assert entry.entity_id == result.case_id and entry.user_id == inspector.id
    assert entry.detail["completeness"] == result.completeness
    assert "env.338.hazardous_waste" in entry.detail["rules_met"]
    with pytest.raises(drafts.DraftNotFound), store.session() as s:
        finish_draft(s, registry, inspector, draft_id)


def test_editing_a_case_bumps_version_and_matches_parties(
    store: Store, registry: SpecRegistry, users: tuple[SignedInUser, SignedInUser]
) -> None:
    _, inspector = users
    with store.session() as s:
        case_id = finish_draft(
            s, registry, inspector, _draft(store, registry, inspector, env_values())
        ).case_id
    with store.session() as s:
        edit = drafts.start_edit_draft(s, registry, inspector, case_id)
        values = dict(edit.values)
        values["title"] = "某化工有限公司非法倾倒废酸案"
        values["parties"] = [values["parties"][0]]
        drafts.save_draft(s, edit.id, values, 5)
    with store.session() as s:
        result = finish_draft(s, registry, inspector, edit.id)
    assert not result.created and result.case_id == case_id and result.version == 2
    with store.session() as s:
        case = s.get_one(Case, case_id)
        assert case.title == "某化工有限公司非法倾倒废酸案"
        assert [p.name for p in case.parties if not p.deleted] == ["徐州某化工有限公司"]
        gone = s.scalars(select(Party).where(Party.name == "王某")).one()
        assert gone.deleted and gone.version == 2 and gone.sync_state == "pending"
        assert search_case_ids(s, "废酸案") == [case_id]
        assert search_case_ids(s, "王某") == []
    assert len(_audit(store, "case_updated")) == 1


def test_finish_without_title_or_date_is_refused_and_draft_kept(
    store: Store, registry: SpecRegistry, users: tuple[SignedInUser, SignedInUser]
) -> None:
    _, inspector = users
    draft_id = _draft(store, registry, inspector, env_values(opened_on="2024-02-30"))
    with pytest.raises(Exception, match="请填写案件名称和有效的立案日期"), store.session() as s:
        finish_draft(s, registry, inspector, draft_id)
    with store.session() as s:
        assert s.get_one(DraftRecord, draft_id).state == "open"
        assert s.scalars(select(Case)).all() == []


def test_no_transfer_of_a_threshold_case_needs_a_reason_then_is_audited(
    store: Store, registry: SpecRegistry, users: tuple[SignedInUser, SignedInUser]
) -> None:
    _, inspector = users
    draft_id = _draft(store, registry, inspector, env_values(transfer_opinion="no_transfer"))
    with pytest.raises(ReasonRequired) as refused, store.session() as s:
        finish_draft(s, registry, inspector, draft_id)
    assert "污染环境罪" in str(refused.value) and "不移送的理由" in str(refused.value)
    with store.session() as s:
        assert s.scalars(select(Case)).all() == []
    assert _audit(store, "close_without_transfer") == []

    reason = "经鉴定实际数量不足三吨，已与公安机关会商"
    with store.session() as s:
        drafts.save_draft(
            s,
            draft_id,
            env_values(transfer_opinion="no_transfer", no_transfer_reason=reason),
            7,
        )
    with store.session() as s:
        result = finish_draft(s, registry, inspector, draft_id)
    assert result.closed_without_transfer
    (entry,) = _audit(store, "close_without_transfer")
    assert entry.entity_id == result.case_id and entry.user_id == inspector.id
    assert entry.detail["reason"] == reason
    rules = {r["id"]: r for r in entry.detail["rules_met"]}
    hit = rules["env.338.hazardous_waste"]
    assert any("3.2" in v for v in hit["facts"].values())
    assert hit["source"]


def test_close_existing_case_without_transfer(
    store: Store, registry: SpecRegistry, users: tuple[SignedInUser, SignedInUser]
) -> None:
    admin, inspector = users
    with store.session() as s:
        case_id = finish_draft(
            s, registry, inspector, _draft(store, registry, inspector, env_values())
        ).case_id
    for blank in (None, "", "   "):
        with pytest.raises(ReasonRequired, match="须填写不移送的理由"), store.session() as s:
            close_without_transfer(s, registry, inspector, case_id, blank)
    with pytest.raises(PermissionDenied), store.session() as s:
        close_without_transfer(s, registry, admin, case_id, "理由")
    with store.session() as s:
        assert s.get_one(Case, case_id).status == "open"
    with store.session() as s:
        result = close_without_transfer(s, registry, inspector, case_id, "当事人已死亡")
    assert result.closed_without_transfer and result.version == 2
    with store.session() as s:
        case = s.get_one(Case, case_id)
        assert case.status == "closed"
        assert case.fields["no_transfer_reason"] == "当事人已死亡"
        (event,) = s.scalars(select(Event).where(Event.case_id == case_id)).all()
        assert event.kind == "closed" and event.data["reason"] == "当事人已死亡"
        assert verify_chain(s).intact
    (entry,) = _audit(store, "close_without_transfer")
    assert entry.detail["reason"] == "当事人已死亡" and entry.detail["via"] == "case"


def test_below_threshold_closes_without_reason(
    store: Store, registry: SpecRegistry, users: tuple[SignedInUser, SignedInUser]
) -> None:
    _, inspector = users
    small = env_values(hazardous_waste={"value": "2.99", "unit": "t"})
    with store.session() as s:
        result = finish_draft(s, registry, inspector, _draft(store, registry, inspector, small))
    assert "env.338.hazardous_waste" not in result.rules_met
    with store.session() as s:
        closed = close_without_transfer(s, registry, inspector, result.case_id, None)
    assert not closed.closed_without_transfer
    assert _audit(store, "close_without_transfer") == []
    assert len(_audit(store, "case_closed")) == 1
