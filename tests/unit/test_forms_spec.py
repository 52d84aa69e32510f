"""Entry-standard loading: every bundled spec loads and is consistent; broken specs are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.domain.thresholds import default_rule_book
from app.forms import SpecError, SpecRegistry, parse_spec
from app.forms.loader import builtin_spec_texts

REGISTRY = SpecRegistry.builtin()
EXPECTED = {
    "env_hazardous_waste",
    "env_overstandard_discharge",
    "env_monitoring_falsification",
    "env_unlicensed_hw_business",
    "food_safety",
    "drug",
    "product_fake_shoddy",
    "tobacco",
    "farmland",
}


def test_every_category_has_a_spec() -> None:
    assert set(REGISTRY.ids()) == EXPECTED


@pytest.mark.parametrize("spec_id", sorted(EXPECTED))
def test_spec_facts_exist_in_the_rule_book(spec_id: str) -> None:
    spec = REGISTRY.latest(spec_id)
    defs = default_rule_book().fact_defs(spec.domain)
    mapped = {f.fact for f in spec.ordered_fields if f.fact}
    assert mapped, "a spec should feed the threshold rules"
    assert mapped <= set(defs)


@pytest.mark.parametrize("spec_id", sorted(EXPECTED))
def test_spec_has_deadline_parties_and_decision(spec_id: str) -> None:
    spec = REGISTRY.latest(spec_id)
    assert spec.entry_deadline.days == 7 and not spec.entry_deadline.verified
    assert spec.fields["parties"].type == "party_list"
    assert spec.fields["decided_on"].type == "date"
    assert spec.sources


def test_hazardous_waste_spec_is_rich() -> None:
    spec = REGISTRY.latest("env_hazardous_waste")
    assert len(spec.fields) >= 100
    assert spec.fields["hazardous_waste"].unit == "t"
    assert "ENV-INT2023" in spec.fields["hazardous_waste"].rule


def _hw() -> dict[str, Any]:
    text = dict(builtin_spec_texts())["env_hazardous_waste.json"]
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (
            lambda d: d["sections"][2]["fields"][0].update(type="colour"),
            "sections[2].fields[0].type",
        ),
        (lambda d: d["sections"][2]["fields"][0].pop("label"), "sections[2].fields[0]"),
        (lambda d: d["sections"][2]["fields"][0].pop("choices"), "sections[2].fields[0]"),
        (
            lambda d: d["sections"][2]["fields"][1].update(
                show_if={"field": "nope", "op": "eq", "value": 1}
            ),
            "sections[2].fields[1].show_if",
        ),
        (
            lambda d: d["sections"][2]["fields"][1].update(show_if={"field": "x", "op": "like"}),
            "sections[2].fields[1].show_if",
        ),
        (
            lambda d: d["sections"][2]["fields"][2].update(
                key=d["sections"][2]["fields"][1]["key"]
            ),
            "sections[2].fields[2].key",
        ),
        (
            lambda d: d["sections"][2]["fields"][6].update(unit="furlong"),
            "sections[2].fields[6].unit",
        ),
        (
            lambda d: d["sections"][2]["fields"][6].update(compute="__import__('os')"),
            "sections[2].fields[6].compute",
        ),
        (lambda d: d["sections"][2]["fields"][2].update(fact="hazardous_waste"), ".fact"),
        (lambda d: d["entry_deadline"].update(days=0), "entry_deadline.days"),
        (lambda d: d["entry_deadline"].update(after="title"), "entry_deadline.after"),
        (lambda d: d["checks"][0].update(left="nope"), "checks[0].left"),
        (lambda d: d.update(version="v2"), "version"),
    ],
)
def test_broken_spec_refused_naming_file_and_field(mutate: Any, field: str) -> None:
    data = _hw()
    mutate(data)
    with pytest.raises(SpecError) as info:
        parse_spec("env_hazardous_waste.json", json.dumps(data, ensure_ascii=False))
    assert "env_hazardous_waste.json" in info.value.message
    assert field in info.value.message


def test_spec_that_is_not_json_is_refused() -> None:
    with pytest.raises(SpecError, match=r"bad\.json"):
        parse_spec("bad.json", "{ not json")
