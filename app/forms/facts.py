"""From a form's values to the facts the threshold rules read (the spec's field → fact map)."""

from __future__ import annotations

from typing import Any

from app.forms.model import FormModel


def threshold_facts(model: FormModel) -> dict[str, Any]:
    """Fact key → typed value for every visible, entered field that maps to a fact."""
    facts: dict[str, Any] = {}
    for f in model.spec.ordered_fields:
        if f.fact is None or not model.visible(f.key):
            continue
        value = model.value(f.key)
        if value is not None:
            facts[f.fact] = value
    return facts
