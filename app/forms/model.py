"""The form model: a spec plus current values → typed values, visibility, required-ness,
computed values. Pure and cheap; rebuild it whenever the values change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from app.domain.amounts import Quantity, unit_of
from app.forms.spec import FieldSpec, Section, Spec
from app.forms.values import FieldFinding, coerce, is_filled


def _as_number(value: Any) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Quantity):
        return value.value
    return None


class FormModel:
    """Visible fields, required-ness and computed values for one set of values.

    Conditions are evaluated on the typed values of all entered fields (money in fen,
    quantities in the field's unit). Hidden fields are neither required nor validated,
    and their values are not passed on as threshold facts.
    """

    def __init__(self, spec: Spec, values: Mapping[str, Any], today: date | None = None) -> None:
        self.spec = spec
        self.raw = dict(values)
        self.today = today or date.today()
        self.typed: dict[str, Any] = {}
        self.value_findings: dict[str, list[FieldFinding]] = {}
        for f in spec.ordered_fields:
            if f.computed:
                continue
            raw = values.get(f.key)
            if not is_filled(raw):
                continue
            typed, findings = coerce(f, raw, self.today)
            if findings:
                self.value_findings[f.key] = findings
            if typed is not None:
                self.typed[f.key] = typed
        self._compute()
        self._visible = {
            f.key: f.show_if is None or f.show_if.test(self.typed) for f in spec.ordered_fields
        }

    def _compute(self) -> None:
        """Evaluate computed fields; repeated passes settle chains of computed fields."""
        computed = [f for f in self.spec.ordered_fields if f.computed]
        for _ in range(len(computed)):
            changed = False
            for f in computed:
                assert f.compute is not None
                env: dict[str, Fraction] = {}
                for n in f.compute.names():
                    num = _as_number(self.typed.get(n))
                    if num is None and f.missing_as_zero:
                        num = Fraction(0)
                    if num is not None:
                        env[n] = num
                result = f.compute.evaluate(env)
                new = None if result is None else _typed_result(f, result)
                if new != self.typed.get(f.key):
                    changed = True
                    if new is None:
                        self.typed.pop(f.key, None)
                    else:
                        self.typed[f.key] = new
            if not changed:
                break

    def visible(self, key: str) -> bool:
        return self._visible.get(key, False)

    def required(self, key: str) -> bool:
        f = self.spec.fields[key]
        if f.computed or not self.visible(key):
            return False
        return f.required or (f.required_if is not None and f.required_if.test(self.typed))

    def visible_fields(self, section: Section) -> list[FieldSpec]:
        return [f for f in section.fields if self._visible[f.key]]

    def value(self, key: str) -> Any:
        """The typed value (fen for money, Quantity, date …) or None."""
        return self.typed.get(key)

    def filled(self, key: str) -> bool:
        f = self.spec.fields[key]
        if f.computed:
            return key in self.typed
        return is_filled(self.raw.get(key))


def _typed_result(f: FieldSpec, result: Fraction) -> Any:
    if f.type == "money":
        exact = Decimal(result.numerator) / Decimal(result.denominator)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if f.type == "integer":
        return round(result)
    if f.type == "quantity":
        assert f.unit is not None
        unit = unit_of(f.unit)
        assert unit is not None
        return Quantity(result, unit)
    return result
