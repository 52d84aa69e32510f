"""Required transfer materials as data, the checklist, and the head's override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tests.unit.test_workflow_forward as fwd
from app.domain.datafiles import RuleFileError
from app.domain.labels import DOC_TYPE_LABELS
from app.domain.materials import ItemStatus, check_materials, load_spec, transfer_spec
from app.domain.workflow import derive

SPEC_FILE = Path(__file__).parents[2] / "app/resources/materials/transfer.json"
CORE = ["transfer_letter", "investigation_report", "materials_list"]


def test_spec_lists_r2020_art6_plus_penalty_decision_and_materials_list() -> None:
    spec = transfer_spec()
    ids = [i.id for i in spec.items]
    assert ids[:5] == [
        "transfer_letter",
        "investigation_report",
        "seized_items_list",
        "test_report",
        "other_materials",
    ]
    assert {"penalty_decision", "materials_list"} <= set(ids)
    for item in spec.items:
        assert item.source
        for doc_type in item.doc_types:
            if item.required != "advisory":
                assert doc_type in DOC_TYPE_LABELS, doc_type


def test_complete_when_facts_rule_items_out() -> None:
    facts = {"penalty_decided": False, "items_seized": False, "testing_needed": False}
    result = check_materials(CORE, facts)
    assert result.complete
    statuses = {i.item.id: i.status for i in result.items}
    assert statuses["seized_items_list"] is ItemStatus.NOT_REQUIRED
    assert statuses["other_materials"] is ItemStatus.ADVISORY


def test_unknown_facts_keep_items_required() -> None:
    result = check_materials(CORE, {})
    assert not result.complete
    assert {i.item.id for i in result.missing} == {
        "seized_items_list",
        "test_report",
        "penalty_decision",
    }
    assert "涉案物品清单" in result.missing_labels()


def test_each_fact_requires_its_document() -> None:
    facts = {"penalty_decided": True, "items_seized": True, "testing_needed": True}
    missing = {i.item.id for i in check_materials(CORE, facts).missing}
    assert missing == {"seized_items_list", "test_report", "penalty_decision"}
    docs = [*CORE, "seized_items_list", "test_report", "penalty_decision"]
    assert check_materials(docs, facts).complete


def test_transfer_blocked_until_complete_or_head_records_reason() -> None:
    t = fwd.Timeline()
    t.add("crime_suspected")
    t.add("team_formed", members=["a", "b"])
    t.add("transfer_reported")
    t.add("transfer_approved", role="head")
    reason = t.refused("transferred", doc_types=["transfer_letter"], items_seized=False)
    assert "材料不全" in reason and "调查报告" in reason
    assert "负责人" in t.refused("materials_waived", role="inspector", reason="急需移送")
    assert "理由" in t.refused("materials_waived", role="head", reason="")
    t.add("materials_waived", role="head", reason="证据易灭失，先行移送，检验报告随后补送")
    t.add("transferred", doc_types=["transfer_letter"], items_seized=False)
    assert derive(t.events).forward == "transferred"


def test_penalty_on_the_timeline_requires_the_decision_document() -> None:
    t = fwd.Timeline()
    t.add("penalty_decided")
    t.add("crime_suspected")
    t.add("team_formed", members=["a", "b"])
    t.add("transfer_reported")
    t.add("transfer_approved", role="head")
    docs = [*CORE, "seized_items_list", "test_report"]
    assert "行政处罚决定书" in t.refused("transferred", doc_types=docs)
    t.add("transferred", doc_types=[*docs, "penalty_decision"])


def test_waiver_is_recorded_in_state() -> None:
    t = fwd.Timeline()
    t.add("crime_suspected")
    t.add("team_formed", members=["a", "b"])
    t.add("transfer_reported")
    t.add("transfer_approved", role="head")
    t.add("materials_waived", role="head", reason="r")
    assert derive(t.events).materials_waived


def test_broken_materials_file_refused(tmp_path: Path) -> None:
    doc = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    doc["items"][2].pop("fact")
    path = tmp_path / "transfer.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_spec(path)
    assert info.value.file == "transfer.json" and info.value.field == "items[2]"
