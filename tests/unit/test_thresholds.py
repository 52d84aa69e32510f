"""Threshold rules: below, at and just above every numeric threshold; every conduct rule;
the x3 mixing rule; recidivism windows; qualitative flags; broken rule files refused."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.thresholds import (
    ThresholdRulesError,
    default_rule_book,
    evaluate,
    load_rule_book,
)

BOOK = default_rule_book()


def yuan(amount: int) -> int:
    return amount * 100


def hit_ids(
    facts: dict[str, Any], penalties: list[Any] | None = None, domain: str | None = None
) -> set[str]:
    result = evaluate(facts, penalties or [], domain=domain)
    return {h.rule.id for h in result.basic + result.aggravated}


# (rule id, fact varied, kind "money" (yuan) or a unit, threshold as in domain.md, other facts)
NUMERIC: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("env.338.hazardous_waste", "hazardous_waste", "t", "3", {}),
    *[
        (f"env.338.metal_a_{m}", f"ratio_{m}", "倍", "3", {})
        for m in ["pb", "hg", "cd", "cr", "as", "tl", "sb"]
    ],
    *[
        (f"env.338.metal_b_{m}", f"ratio_{m}", "倍", "10", {})
        for m in ["ni", "cu", "zn", "ag", "v", "mn", "co"]
    ],
    ("env.338.illegal_gains", "illegal_gains", "money", "300000", {}),
    ("env.338.property_loss", "property_loss", "money", "300000", {}),
    ("env.338.water_intake", "water_intake_cut", "h", "12", {"water_intake_level": "township"}),
    (
        "env.229.false_document_gains",
        "illegal_gains",
        "money",
        "300000",
        {"intermediary_false_document": True},
    ),
    ("env.338.agg.hazardous_waste", "hazardous_waste", "t", "100", {}),
    ("env.338.agg.illegal_gains", "illegal_gains", "money", "1000000", {}),
    ("env.338.agg.property_loss", "property_loss", "money", "1000000", {}),
    (
        "env.338.agg.water_intake",
        "water_intake_cut",
        "h",
        "12",
        {"water_intake_level": "county_town"},
    ),
    ("env.338.agg.basic_farmland", "basic_farmland_damaged", "mu", "10", {}),
    ("env.338.agg.other_farmland", "other_farmland_damaged", "mu", "20", {}),
    ("env.338.agg.other_land", "other_land_damaged", "mu", "50", {}),
    ("env.338.agg.trees", "trees_dead", "m³", "50", {}),
    ("env.338.agg.saplings", "saplings_dead", "株", "2500", {}),
    ("env.338.agg.evacuated", "people_evacuated", "人", "5000", {}),
    ("env.338.agg.poisoned", "people_poisoned", "人", "30", {}),
    ("env.338.agg.serious_injury", "people_serious_injury", "人", "1", {}),
    ("env.338.agg.minor_injury", "people_minor_injury", "人", "3", {}),
    ("env.338.agg3.basic_farmland", "basic_farmland_damaged", "mu", "50", {}),
    ("env.338.agg3.serious_injury", "people_serious_injury", "人", "3", {}),
    ("env.338.agg3.disability_death", "people_severe_disability_or_death", "人", "1", {}),
    ("food.140.fallback_sales", "sales", "money", "50000", {}),
    (
        "food.225.business_volume",
        "illegal_business_volume",
        "money",
        "100000",
        {"private_slaughterhouse": True},
    ),
    (
        "food.225.illegal_gains",
        "illegal_gains",
        "money",
        "50000",
        {"banned_nonfood_raw_material_business": True},
    ),
    ("food.143.agg.sales", "sales", "money", "200000", {}),
    (
        "food.143.agg.sales_with_factor",
        "sales",
        "money",
        "100000",
        {"large_quantity_or_6_months": True},
    ),
    ("food.144.agg.sales", "sales", "money", "200000", {"toxic_nonfood_added": True}),
    (
        "food.144.agg.sales_with_factor",
        "sales",
        "money",
        "100000",
        {"toxic_nonfood_added": True, "sold_to_minors_or_elderly": True},
    ),
    ("food.144.agg3.sales", "sales", "money", "500000", {"toxic_nonfood_added": True}),
    (
        "food.225.agg3.business_volume",
        "illegal_business_volume",
        "money",
        "500000",
        {"private_slaughterhouse": True},
    ),
    (
        "food.225.agg3.illegal_gains",
        "illegal_gains",
        "money",
        "250000",
        {"private_slaughterhouse": True},
    ),
    (
        "drug.225.business_volume",
        "illegal_business_volume",
        "money",
        "100000",
        {"unlicensed_drug_business": True},
    ),
    (
        "drug.225.illegal_gains",
        "illegal_gains",
        "money",
        "50000",
        {"unlicensed_drug_business": True},
    ),
    ("drug.149.fallback_sales", "sales", "money", "50000", {"substandard_drug": True}),
    ("drug.141.agg.sales", "sales", "money", "200000", {"fake_drug": True}),
    (
        "drug.141.agg.sales_with_factor",
        "sales",
        "money",
        "100000",
        {"fake_drug": True, "aggravating_factor": True},
    ),
    ("product.140.sales", "sales", "money", "50000", {}),
    ("product.140.unsold", "unsold_value", "money", "150000", {}),
    ("tobacco.225.business_volume", "illegal_business_volume", "money", "50000", {}),
    ("tobacco.225.illegal_gains", "illegal_gains", "money", "20000", {}),
    ("tobacco.225.cigarettes", "cigarettes", "支", "200000", {}),
    ("tobacco.225.agg3.business_volume", "illegal_business_volume", "money", "250000", {}),
    ("tobacco.225.agg3.illegal_gains", "illegal_gains", "money", "100000", {}),
    ("tobacco.225.agg3.cigarettes", "cigarettes", "支", "1000000", {}),
    ("tobacco.140.sales", "sales", "money", "50000", {"fake_cigarettes": True}),
    ("tobacco.140.unsold", "unsold_value", "money", "150000", {"fake_cigarettes": True}),
    ("farmland.342.basic", "basic_farmland", "mu", "5", {"destruction": True}),
    ("farmland.342.cultivated", "other_cultivated", "mu", "10", {"destruction": True}),
    ("farmland.342.shelter_forest", "shelter_special_forest", "mu", "5", {"destruction": True}),
    ("farmland.342.other_forest", "other_forest", "mu", "10", {"destruction": True}),
    (
        "farmland.342.forest2023_public_welfare",
        "public_welfare_forest",
        "mu",
        "5",
        {"destruction": True},
    ),
    ("farmland.342.forest2023_commercial", "commercial_forest", "mu", "10", {"destruction": True}),
]
MIXING = {"product.140.mixed", "tobacco.140.mixed"}


def _value(kind: str, threshold: str, step: int) -> Any:
    if kind == "money":
        return yuan(int(threshold)) + step  # one fen below / at / above
    return {"value": str(Decimal(threshold) + Decimal(step) / 1000), "unit": kind}


@pytest.mark.parametrize(
    ("rule_id", "fact", "kind", "threshold", "base"), NUMERIC, ids=[r[0] for r in NUMERIC]
)
@pytest.mark.parametrize(
    ("step", "met"), [(-1, False), (0, True), (1, True)], ids=["below", "at", "above"]
)
def test_numeric_threshold(
    rule_id: str, fact: str, kind: str, threshold: str, base: dict[str, Any], step: int, met: bool
) -> None:
    domain = rule_id.split(".")[0].replace("env", "environment")
    facts = {**base, fact: _value(kind, threshold, step)}
    result = evaluate(facts, [], domain=domain)
    assert not result.findings, result.findings
    ids = {h.rule.id for h in result.basic + result.aggravated}
    assert (rule_id in ids) is met
    if met:
        hit = next(h for h in result.basic + result.aggravated if h.rule.id == rule_id)
        assert fact in {e.fact for e in hit.evidence}
        assert hit.rule.source.tag and hit.rule.source.article


def test_numeric_table_covers_every_numeric_rule() -> None:
    numeric = {r.id for r in BOOK.rules if r.type == "numeric"}
    assert numeric == {row[0] for row in NUMERIC} | MIXING


def test_numeric_rules_need_their_companion_facts() -> None:
    assert "food.225.business_volume" not in hit_ids(
        {"illegal_business_volume": yuan(10**6)}, domain="food"
    )
    assert "farmland.342.basic" not in hit_ids({"basic_farmland": "100亩"}, domain="farmland")
    assert "env.338.water_intake" not in hit_ids(
        {"water_intake_cut": "48小时"}, domain="environment"
    )
    # the 100k–200k factor band is closed above
    assert "food.143.agg.sales_with_factor" not in hit_ids(
        {"sales": yuan(200000), "large_quantity_or_6_months": True}, domain="food"
    )


# x3 mixing rule: sales < 50,000 and sales×3 + unsold ≥ 150,000 (STD1 Art 16)
@pytest.mark.parametrize(
    ("sales", "unsold", "met"),
    [
        (yuan(40000), yuan(30000) - 1, False),  # 120,000 + 29,999.99
        (yuan(40000), yuan(30000), True),  # exactly 150,000
        (yuan(40000), yuan(30000) + 1, True),
        (yuan(49999), yuan(3), True),  # 149,997 + 3
        (yuan(49999), yuan(3) - 1, False),
        (yuan(50000), 0, False),  # from 50,000 the plain sales rule applies instead
        (0, yuan(149999), False),  # no sales: not the mixing rule
        (1, yuan(150000) - 3, True),  # 0.03 + 149,999.97
        (1, yuan(150000) - 4, False),
    ],
)
def test_product_mixing_rule(sales: int, unsold: int, met: bool) -> None:
    assert (
        "product.140.mixed" in hit_ids({"sales": sales, "unsold_value": unsold}, domain="product")
    ) is met


def test_product_mixing_rule_with_sales_only() -> None:
    ids = hit_ids({"sales": yuan(50000)}, domain="product")
    assert "product.140.sales" in ids and "product.140.mixed" not in ids


@pytest.mark.parametrize(
    ("sales", "unsold", "met"),
    [
        (yuan(40000), yuan(110000) - 1, False),
        (yuan(40000), yuan(110000), True),
        (yuan(40000), yuan(110000) + 1, True),
    ],
)
def test_tobacco_combined_rule(sales: int, unsold: int, met: bool) -> None:
    facts = {"fake_cigarettes": True, "sales": sales, "unsold_value": unsold}
    assert ("tobacco.140.mixed" in hit_ids(facts, domain="tobacco")) is met


# conduct rules: (rule id, facts that meet it, facts that fall short)
CONDUCT: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    *[
        (
            "env.338.sensitive_zone",
            {"sensitive_zone": [zone], "substance": [sub]},
            {"sensitive_zone": ["major_river_lake"], "substance": [sub]},
        )
        for zone in ("drinking_water_source", "nature_reserve_core", "other_key_protected")
        for sub in ("radioactive_waste", "pathogen_waste", "toxic")
    ],
    *[
        (
            "env.338.evasive_discharge",
            {"evasive_method": [method], "substance": ["toxic"]},
            {"evasive_method": [method]},
        )
        for method in (
            "hidden_pipe",
            "seepage_well",
            "seepage_pit",
            "fissure",
            "cave",
            "injection",
            "emergency_channel",
            "other",
        )
    ],
    (
        "env.338.monitoring_tampering",
        {"key_polluting_unit": True, "monitoring_tampering": True},
        {"key_polluting_unit": False, "monitoring_tampering": True},
    ),
    ("food.144.toxic_nonfood", {"toxic_nonfood_added": True}, {"toxic_nonfood_added": False}),
    ("drug.141.fake_drug", {"fake_drug": True}, {"substandard_drug": True}),
]


@pytest.mark.parametrize(("rule_id", "met", "short"), CONDUCT)
def test_conduct_rule(rule_id: str, met: dict[str, Any], short: dict[str, Any]) -> None:
    domain = {"env": "environment"}.get(rule_id.split(".")[0], rule_id.split(".")[0])
    assert rule_id in hit_ids(met, domain=domain)
    assert rule_id not in hit_ids(short, domain=domain)


def test_conduct_table_covers_every_conduct_rule() -> None:
    assert {r.id for r in BOOK.rules if r.type == "conduct"} == {c[0] for c in CONDUCT}


def test_conduct_rules_need_no_amount() -> None:
    result = evaluate({"fake_drug": True, "sales": 1}, [], domain="drug")
    assert result.meets_threshold


# recidivism: "within 2 years" from the effective date of the first penalty to the new act
def pen(kind: str, effective: str) -> dict[str, str]:
    return {"kind": kind, "effective_on": effective, "number": f"X罚〔{effective[:4]}〕1号"}


@pytest.mark.parametrize(
    ("first", "second", "act", "met"),
    [
        ("2022-05-01", "2023-01-01", "2024-05-01", True),  # exactly two years after the first
        ("2022-05-01", "2023-01-01", "2024-05-02", False),  # one day too late: first drops out
        ("2022-05-02", "2023-01-01", "2024-05-01", True),
        ("2022-05-01", "2024-05-01", "2024-05-01", True),  # second took effect the day of the act
        ("2022-05-01", "2024-05-02", "2024-05-01", False),  # second took effect after the act
        ("2020-02-29", "2021-01-01", "2022-02-28", True),  # 29 February + 2 years = 28 February
        ("2020-02-29", "2021-01-01", "2022-03-01", False),
    ],
)
def test_recidivism_window(first: str, second: str, act: str, met: bool) -> None:
    facts = {"substance": ["toxic"], "act_date": act}
    penalties = [pen("env_toxic_discharge", first), pen("env_toxic_discharge", second)]
    assert ("env.338.toxic_recidivism" in hit_ids(facts, penalties, "environment")) is met


def test_recidivism_needs_two_penalties_of_the_right_kind() -> None:
    facts = {"substance": ["toxic"], "act_date": "2024-05-01"}
    one = [pen("env_toxic_discharge", "2023-01-01")]
    other_kind = [*one, pen("env_heavy_pollution_overlimit", "2023-02-01")]
    assert "env.338.toxic_recidivism" not in hit_ids(facts, one, "environment")
    assert "env.338.toxic_recidivism" not in hit_ids(facts, other_kind, "environment")


def test_heavy_pollution_and_false_document_recidivism() -> None:
    two = [
        pen("env_heavy_pollution_overlimit", "2023-01-01"),
        pen("env_heavy_pollution_overlimit", "2023-06-01"),
    ]
    facts = {"heavy_pollution_overlimit": True, "act_date": "2024-01-01"}
    assert "env.338.heavy_pollution_recidivism" in hit_ids(facts, two, "environment")
    assert "env.338.heavy_pollution_recidivism" not in hit_ids(
        {**facts, "heavy_pollution_overlimit": False}, two, "environment"
    )
    docs = [pen("env_false_document", "2023-01-01"), pen("env_false_document", "2023-06-01")]
    facts = {"intermediary_false_document": True, "act_date": "2024-01-01"}
    assert "env.229.false_document_recidivism" in hit_ids(facts, docs, "environment")


@pytest.mark.parametrize(
    ("volume", "met"), [(yuan(30000) - 1, False), (yuan(30000), True), (yuan(30000) + 1, True)]
)
def test_tobacco_recidivism_three_years_and_30000(volume: int, met: bool) -> None:
    penalties = [
        pen("tobacco_illegal_business", "2021-06-01"),
        pen("tobacco_illegal_business", "2022-06-01"),
    ]
    facts = {"illegal_business_volume": volume, "act_date": "2024-06-01"}
    assert ("tobacco.225.recidivism" in hit_ids(facts, penalties, "tobacco")) is met
    late = {"illegal_business_volume": volume, "act_date": "2024-06-02"}
    assert "tobacco.225.recidivism" not in hit_ids(late, penalties, "tobacco")


def test_food_aggravated_prior_penalty_within_two_years() -> None:
    facts = {"sales": yuan(150000), "act_date": "2024-01-10"}
    assert "food.143.agg.sales_with_factor" in hit_ids(
        facts, [pen("food_safety", "2022-01-10")], "food"
    )
    assert "food.143.agg.sales_with_factor" not in hit_ids(
        facts, [pen("food_safety", "2022-01-09")], "food"
    )


def test_recidivism_without_act_date_is_a_finding() -> None:
    result = evaluate(
        {"substance": ["toxic"]},
        [pen("env_toxic_discharge", "2023-01-01")] * 2,
        domain="environment",
    )
    assert "facts.act_date_missing" in {f.code for f in result.findings}


def test_recidivism_table_covers_every_recidivism_rule() -> None:
    assert {r.id for r in BOOK.rules if r.type == "recidivism"} == {
        "env.338.heavy_pollution_recidivism",
        "env.338.toxic_recidivism",
        "env.229.false_document_recidivism",
        "tobacco.225.recidivism",
    }


# qualitative rules are flagged for judgement, never reported as met
QUALITATIVE = [
    ("food.143.serious_poisoning_risk", {"contaminant_severely_over": True}),
    ("food.143.serious_poisoning_risk", {"sick_dead_or_unquarantined_meat": True}),
    ("food.143.serious_poisoning_risk", {"additive_abuse": True}),
    (
        "env.338.unlicensed_hw_business",
        {"unlicensed_hw_business": True, "pollution_from_unlicensed": True},
    ),
    ("env.338.other", {"other_serious_pollution": True}),
    (
        "env.338.agg.sensitive_zone_damage",
        {
            "sensitive_zone": ["major_river_lake"],
            "substance": ["toxic"],
            "ecological_degradation": True,
        },
    ),
    ("drug.142.substandard_harm", {"substandard_drug": True, "serious_harm": True}),
    ("drug.142-1.obstruction", {"obstructing_drug_administration": True}),
    (
        "farmland.342.mixed_forest",
        {"destruction": True, "shelter_special_forest": 3, "other_forest": 4},
    ),
    ("farmland.342.other_farmland", {"destruction": True, "other_farmland": 1}),
]


@pytest.mark.parametrize(("rule_id", "facts"), QUALITATIVE)
def test_qualitative_rules_flag_for_judgement(rule_id: str, facts: dict[str, Any]) -> None:
    domain = {"env": "environment"}.get(rule_id.split(".")[0], rule_id.split(".")[0])
    result = evaluate(facts, [], domain=domain)
    assert rule_id in {h.rule.id for h in result.judgement}
    assert rule_id not in {h.rule.id for h in result.basic + result.aggravated}


def test_qualitative_table_covers_every_qualitative_rule() -> None:
    assert {r.id for r in BOOK.rules if r.type == "qualitative"} == {q[0] for q in QUALITATIVE}


def test_unlicensed_hw_without_pollution_is_not_flagged() -> None:
    result = evaluate(
        {"unlicensed_hw_business": True, "pollution_from_unlicensed": False},
        [],
        domain="environment",
    )
    assert not result.judgement and not result.meets_threshold


def test_aggravated_reported_apart_from_basic() -> None:
    result = evaluate({"hazardous_waste": "120吨"}, [], domain="environment")
    assert [h.rule.id for h in result.basic] == ["env.338.hazardous_waste"]
    assert [h.rule.id for h in result.aggravated] == ["env.338.agg.hazardous_waste"]
    assert all(h.rule.tier == "aggravated" for h in result.aggravated)


def test_units_convert_and_mismatches_are_findings() -> None:
    assert "env.338.hazardous_waste" in hit_ids(
        {"hazardous_waste": "3000千克"}, domain="environment"
    )
    assert "tobacco.225.cigarettes" in hit_ids({"cigarettes": "1000条"}, domain="tobacco")
    assert "farmland.342.basic" in hit_ids(
        {"destruction": True, "basic_farmland": "3334平方米"}, domain="farmland"
    )
    assert "farmland.342.basic" not in hit_ids(
        {"destruction": True, "basic_farmland": "3333平方米"}, domain="farmland"
    )
    result = evaluate({"hazardous_waste": {"value": "5", "unit": "m³"}}, [], domain="environment")
    assert not result.meets_threshold
    assert "facts.unit_mismatch" in {f.code for f in result.findings}


def test_unknown_facts_and_bad_values_are_findings() -> None:
    result = evaluate(
        {"no_such_fact": 1, "illegal_gains": 1.5, "fake_drug": "yes", "substance": ["plutonium"]},
        [
            {"kind": "nope", "effective_on": "2024-01-01"},
            {"effective_on": "2024-01-01"},
            {"kind": "x", "effective_on": "soon"},
        ],
    )
    found = {f.code for f in result.findings}
    assert {
        "facts.unknown",
        "facts.value",
        "penalties.kind",
        "penalties.incomplete",
        "penalties.date",
    } <= found


def test_money_as_yuan_text() -> None:
    assert "env.338.illegal_gains" in hit_ids({"illegal_gains": "30万元"}, domain="environment")
    assert "env.338.illegal_gains" not in hit_ids(
        {"illegal_gains": "299,999.99元"}, domain="environment"
    )


def test_every_rule_has_source_and_unverified_memory_items_are_flagged() -> None:
    for rule in BOOK.rules:
        assert rule.source.tag and rule.source.article and rule.offence and rule.article
    unverified = {r.id for r in BOOK.rules if not r.verified}
    assert {"drug.149.fallback_sales", "farmland.342.forest2023_public_welfare"} <= unverified
    assert "env.338.hazardous_waste" not in unverified


def test_result_serialises() -> None:
    result = evaluate({"hazardous_waste": "3吨"}, [], domain="environment")
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert "ENV-INT2023" in text and "第一条第（二）项" in text


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from([*sorted(BOOK.fact_defs(None)), "junk"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=12),
            st.floats(allow_nan=True),
            st.lists(st.text(max_size=5), max_size=3),
        ),
        max_size=8,
    ),
    st.lists(
        st.dictionaries(st.sampled_from(["kind", "effective_on", "number"]), st.text(max_size=12)),
        max_size=3,
    ),
)
def test_evaluate_never_raises(facts: dict[str, Any], penalties: list[dict[str, str]]) -> None:
    evaluate(facts, penalties)


# broken rule files are refused naming file and field
def _bundled(name: str) -> dict[str, Any]:
    text = (
        resources.files("app").joinpath(f"resources/thresholds/{name}").read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["rules"][1]["when"].update(op="≥"), "rules[1].when"),
        (lambda d: d["rules"][1].pop("source"), "rules[1]"),
        (lambda d: d["rules"][1]["when"].update(fact="tonnes_of_waste"), "rules[1].when.fact"),
        (lambda d: d["rules"][1]["when"].update(unit="m³"), "rules[1].when.unit"),
        (lambda d: d["rules"][1]["source"].update(tag="NOPE"), "rules[1].source.tag"),
        (lambda d: d["rules"][2].update(id=d["rules"][1]["id"]), "rules[2].id"),
        (
            lambda d: d["facts"]["hazardous_waste"].update(unit="furlong"),
            "facts.hazardous_waste.unit",
        ),
    ],
)
def test_broken_rule_file_refused_naming_file_and_field(mutate: Any, field: str) -> None:
    data = _bundled("environment.json")
    mutate(data)
    with pytest.raises(ThresholdRulesError) as info:
        load_rule_book({"environment.json": json.dumps(data, ensure_ascii=False)})
    assert "environment.json" in info.value.message
    assert field in info.value.message


def test_rule_file_that_is_not_json_is_refused() -> None:
    with pytest.raises(ThresholdRulesError, match=r"broken\.json"):
        load_rule_book({"broken.json": "{"})


def test_bundled_rule_book_loads() -> None:
    assert set(BOOK.versions) == {"environment", "food", "drug", "product", "tobacco", "farmland"}
