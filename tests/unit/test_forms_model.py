"""Form model and validation: visibility, required-ness, computed fields, findings, scores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.amounts import Quantity
from app.domain.identifiers import Severity, ric_check_char, uscc_check_char
from app.forms import FormModel, SpecRegistry, threshold_facts, validate

REGISTRY = SpecRegistry.builtin()
TODAY = date(2025, 6, 1)


def _ric(first17: str) -> str:
    return first17 + ric_check_char(first17)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def complete_product_case() -> dict[str, Any]:
    return {
        "case_number": "徐市监立〔2025〕8号",
        "title": "某商行销售伪劣电线案",
        "opened_on": "2025-03-02",
        "offence_date": "2025-03-01",
        "offence_place": "徐州市鼓楼区",
        "discovered_by": "complaint",
        "parties": [
            {"kind": "person", "name": "张三", "id_number": _ric("32030319600101123")},
            {"kind": "organisation", "name": "某商行", "id_number": _uscc("92320300MA1ABCDE1")},
        ],
        "contact_phone": "13912345678",
        "product_name": "BV2.5电线",
        "fake_types": ["substandard"],
        "sales": "4万元",
        "unsold_value": "30,000元",
        "value_basis": "marked",
        "decided": True,
        "decided_on": "2025-04-01",
        "decision_number": "徐市监罚〔2025〕8号",
        "penalty_types": ["fine", "confiscate_gains"],
        "penalty_fen": 5_000_000,
        "transfer_opinion": "transfer",
    }


def spec(spec_id: str) -> Any:
    return REGISTRY.latest(spec_id)


def test_complete_case_scores_100_without_errors() -> None:
    result = validate(spec("product_fake_shoddy"), complete_product_case(), today=TODAY)
    assert result.ok, result.errors
    assert result.score == 100
    assert all(s.percent == 100 for s in result.sections)


def test_computed_mixing_total_and_facts() -> None:
    model = FormModel(spec("product_fake_shoddy"), complete_product_case(), TODAY)
    assert model.value("mixed_total") == 15_000_000  # 40,000 × 3 + 30,000 yuan, in fen
    facts = threshold_facts(model)
    assert facts["sales"] == 4_000_000 and facts["unsold_value"] == 3_000_000
    assert facts["act_date"] == date(2025, 3, 1)
    assert "mixed_total" not in facts


def test_missing_as_zero() -> None:
    values = complete_product_case()
    del values["unsold_value"]
    assert FormModel(spec("product_fake_shoddy"), values, TODAY).value("mixed_total") == 12_000_000


def test_computed_ratio_feeds_threshold_fact() -> None:
    values = {
        "metals_tested": True,
        "pb_measured": "3.0",
        "pb_limit": "1",
        "ni_measured": "9",
        "ni_limit": "1",
    }
    model = FormModel(spec("env_hazardous_waste"), values, TODAY)
    assert model.value("ratio_pb") == 3
    facts = threshold_facts(model)
    assert facts["ratio_pb"] == 3 and facts["ratio_ni"] == 9
    assert "ratio_cd" not in facts  # not measured, so not computed


def test_division_by_zero_gives_no_value() -> None:
    values = {"metals_tested": True, "pb_measured": "3.0", "pb_limit": "0"}
    assert FormModel(spec("env_hazardous_waste"), values, TODAY).value("ratio_pb") is None


def test_show_if_and_required_if() -> None:
    s = spec("product_fake_shoddy")
    values = complete_product_case()
    values["decided"] = False
    model = FormModel(s, values, TODAY)
    assert not model.visible("decided_on") and not model.required("decided_on")
    values["decided"] = True
    del values["decided_on"]
    model = FormModel(s, values, TODAY)
    assert model.visible("decided_on") and model.required("decided_on")
    result = validate(s, values, today=TODAY)
    assert ("decided_on", "required") in {(f.field, f.code) for f in result.findings}
    assert result.score < 100


def test_no_transfer_needs_a_reason() -> None:
    values = complete_product_case() | {"transfer_opinion": "no_transfer"}
    result = validate(spec("product_fake_shoddy"), values, today=TODAY)
    assert ("no_transfer_reason", "required") in {(f.field, f.code) for f in result.findings}


def test_hidden_fields_are_not_validated_nor_facts() -> None:
    values = {"metals_tested": False, "pb_measured": "abc", "pb_limit": "1"}
    model = FormModel(spec("env_hazardous_waste"), values, TODAY)
    result = validate(spec("env_hazardous_waste"), values, today=TODAY)
    assert not [f for f in result.findings if f.field.startswith("pb_")]
    assert "ratio_pb" not in threshold_facts(model)


def test_date_logic_decision_not_before_offence() -> None:
    values = complete_product_case() | {"decided_on": "2025-02-01"}
    result = validate(spec("product_fake_shoddy"), values, today=TODAY)
    codes = {f.code for f in result.findings if f.severity is Severity.ERROR}
    assert {"check.decision_after_offence", "check.decision_after_opening"} <= codes


def test_future_dates_and_bad_values() -> None:
    values = complete_product_case() | {
        "opened_on": "2030-01-01",
        "sales": "1.234元",
        "penalty_fen": 12.5,
        "contact_phone": "12345678901",
        "fake_types": ["adulterated", "magic"],
        "case_number": "X市监立[2025]第008号",
    }
    result = validate(spec("product_fake_shoddy"), values, today=TODAY)
    by_field = {(f.field, f.code) for f in result.findings}
    assert ("opened_on", "value.future") in by_field
    assert ("sales", "money.precision") in by_field
    assert ("penalty_fen", "money.type") in by_field
    assert ("contact_phone", "phone.format") in by_field
    assert ("fake_types", "value.choice") in by_field
    info = [f for f in result.findings if f.field == "case_number"]
    assert info and all(f.severity is Severity.INFO for f in info)


def test_party_checks() -> None:
    values = complete_product_case()
    values["parties"] = [
        {"kind": "person", "name": "李四", "id_number": "320303900101123"},  # legacy: warning
        {"kind": "organisation", "name": "", "id_number": "91320300MA1XXXXXX1"},
        {"kind": "alien", "name": "X"},
        "not a party",
    ]
    result = validate(spec("product_fake_shoddy"), values, today=TODAY)
    found = {(f.field, f.code, f.severity) for f in result.findings}
    assert ("parties[0].id_number", "ric.legacy15", Severity.WARNING) in found
    assert ("parties[1].name", "party.name", Severity.ERROR) in found
    assert ("parties[1].id_number", "uscc.checksum", Severity.ERROR) in found
    assert ("parties[2].kind", "party.kind", Severity.ERROR) in found
    assert ("parties[3]", "party.type", Severity.ERROR) in found


def test_quantity_fields_accept_units_and_refuse_mismatches() -> None:
    s = spec("env_hazardous_waste")
    model = FormModel(s, {"hazardous_waste": "3500千克"}, TODAY)
    q = model.value("hazardous_waste")
    assert isinstance(q, Quantity) and q.value == 3.5 and q.unit.symbol == "t"
    assert (
        FormModel(s, {"hazardous_waste": {"value": "3", "unit": "t"}}, TODAY).value(
            "hazardous_waste"
        )
        is not None
    )
    result = validate(s, {"hazardous_waste": "5立方米"}, today=TODAY)
    assert ("hazardous_waste", "quantity.unit_mismatch") in {
        (f.field, f.code) for f in result.findings
    }


def test_unknown_fields_are_reported_not_fatal() -> None:
    result = validate(spec("tobacco"), {"mystery": 1}, today=TODAY)
    assert ("mystery", "unknown_field") in {(f.field, f.code) for f in result.findings}


def test_section_completeness() -> None:
    values = complete_product_case()
    del values["product_name"]
    result = validate(spec("product_fake_shoddy"), values, today=TODAY)
    product = next(s for s in result.sections if s.key == "product")
    assert product.required == 2 and product.done == 1 and product.percent == 50
    assert 0 < result.score < 100


@pytest.mark.parametrize("spec_id", REGISTRY.ids())
def test_empty_form_scores_zero_and_never_raises(spec_id: str) -> None:
    result = validate(spec(spec_id), {}, today=TODAY)
    assert result.score == 0
    assert all(f.code == "required" for f in result.findings)


@pytest.mark.parametrize("spec_id", REGISTRY.ids())
def test_garbage_values_never_raise(spec_id: str) -> None:
    s = spec(spec_id)
    garbage: list[Any] = [None, "", "x", 1.5, -1, True, [], {}, ["x"], {"value": "q", "unit": "?"}]
    for i, value in enumerate(garbage):
        values = {f.key: value for f in s.ordered_fields}
        validate(s, values, today=TODAY)
        assert i >= 0
