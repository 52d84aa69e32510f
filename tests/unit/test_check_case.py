"""check_case_json: one exported case → validation findings + threshold results."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from app.domain.identifiers import uscc_check_char
from app.errors import UserError
from app.services.check_case import check_case_json

TODAY = date(2025, 6, 1)


def env_case(**fields: Any) -> dict[str, Any]:
    uscc = "91320300MA1ABCDE1"
    base = {
        "offence_date": "2025-03-01",
        "offence_place": "徐州市铜山区",
        "discovered_by": "inspection",
        "hw_category": "HW08",
        "hw_name": "废矿物油",
        "hw_identification": "listed",
        "hw_conduct": ["dump"],
        "hazardous_waste": "3.2吨",
        "quantity_basis": "weighed",
        "hw_source": "机加工车间",
        "substance": ["toxic"],
        "metals_tested": False,
        "contact_phone": "0516-83456789",
        "inspection_record_number": "徐环勘〔2025〕3号",
        "interrogation_count": 2,
        "seized": False,
        "decided": True,
        "decision_number": "徐环罚〔2025〕15号",
        "penalty_types": ["fine"],
        "transfer_opinion": "transfer",
    }
    base.update(fields)
    return {
        "case": {
            "id": "0190c0de-0000-7000-8000-000000000001",
            "title": "某化工公司非法倾倒危险废物案",
            "domain": "environment",
            "category": "env_hazardous_waste",
            "spec_version": "1.0.0",
            "case_number": "徐环立〔2025〕15号",
            "opened_on": "2025-03-05",
            "decided_on": "2025-04-20",
            "penalty_fen": 20_000_000,
            "fields": base,
        },
        "parties": [
            {
                "kind": "organisation",
                "name": "某化工有限公司",
                "id_number": uscc + uscc_check_char(uscc),
            }
        ],
        "prior_penalties": [],
    }


def run(doc: dict[str, Any]) -> Any:
    return check_case_json(json.dumps(doc, ensure_ascii=False).encode(), today=TODAY)


def test_full_case_meets_threshold_and_validates() -> None:
    report = run(env_case())
    assert report.ok, [f.message for f in report.findings]
    assert report.meets_threshold
    assert [h.rule.id for h in report.thresholds.basic] == ["env.338.hazardous_waste"]
    assert report.validation is not None and report.validation.score == 100
    assert report.entry_due == date(2025, 4, 27)
    data = report.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["thresholds"]["basic"][0]["source"]["tag"] == "ENV-INT2023"
    text = report.to_text()
    assert "似已达到刑事立案追诉标准" in text and "第一条第（二）项" in text


def test_below_threshold() -> None:
    report = run(env_case(hazardous_waste="2.99吨"))
    assert not report.meets_threshold
    assert "未发现达到刑事立案追诉标准" in report.to_text()


def test_meeting_threshold_without_transfer_is_flagged() -> None:
    report = run(env_case(transfer_opinion="no_transfer", no_transfer_reason="已责令整改"))
    assert "threshold.no_transfer" in {f.code for f in report.findings}


def test_prior_penalties_reach_the_recidivism_rule() -> None:
    doc = env_case(hazardous_waste="1吨")
    doc["prior_penalties"] = [
        {
            "kind": "env_toxic_discharge",
            "effective_on": "2023-06-01",
            "number": "徐环罚〔2023〕9号",
        },
        {
            "kind": "env_toxic_discharge",
            "effective_on": "2024-06-01",
            "number": "徐环罚〔2024〕2号",
        },
    ]
    report = run(doc)
    assert "env.338.toxic_recidivism" in {h.rule.id for h in report.thresholds.basic}


def test_findings_from_fields_and_parties() -> None:
    doc = env_case(contact_phone="123")
    doc["parties"][0]["id_number"] = "91320300MA1ABCDE10"
    report = run(doc)
    codes = {(f.field, f.code) for f in report.findings}
    assert ("contact_phone", "phone.format") in codes
    assert ("parties[0].id_number", "uscc.checksum") in codes
    assert not report.ok


def test_unknown_spec_version_falls_back_with_a_note() -> None:
    doc = env_case()
    doc["case"]["spec_version"] = "0.9.0"
    report = run(doc)
    assert report.spec is not None and report.spec.version == "1.0.0"
    assert report.notes


def test_unknown_category_still_runs_rules() -> None:
    doc = env_case()
    doc["case"]["category"] = "mystery"
    doc["case"]["fields"] = {"hazardous_waste": "5吨"}
    report = run(doc)
    assert "spec.missing" in {f.code for f in report.findings}
    assert report.meets_threshold


def test_single_case_export_shape() -> None:
    doc = env_case()
    export = {
        "cases": [doc["case"]],
        "parties": [dict(doc["parties"][0], case_id=doc["case"]["id"])],
    }
    report = run(export)
    assert report.ok and report.meets_threshold


def test_store_export_with_one_case() -> None:
    doc = env_case()
    party = dict(doc["parties"][0], case_id=doc["case"]["id"])
    export = {
        "format": "xianjie-export",
        "format_version": 1,
        "tables": {"cases": [doc["case"]], "parties": [party]},
    }
    report = run(export)
    assert report.ok and report.meets_threshold


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b"\xff\xfe",
        b"[]",
        b'{"cases": []}',
        b'{"case": {"fields": []}}',
        b'{"case": {}, "parties": 3}',
    ],
)
def test_bad_input_is_a_user_error(data: bytes) -> None:
    with pytest.raises(UserError) as info:
        check_case_json(data)
    assert info.value.message
