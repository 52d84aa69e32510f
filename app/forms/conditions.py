"""Structured conditions for showing a field or making it required — no ``eval``.

``{"field": "unit_type", "op": "eq", "value": "key"}``, combined with ``all``, ``any`` and
``not``. Conditions compare typed values: money in fen, quantities in the field's unit,
dates as ISO text compared as dates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from app.domain.amounts import Quantity


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition: a leaf (field, op, value) or a combination."""

    op: str
    field: str = ""
    value: Any = None
    parts: tuple[Condition, ...] = ()

    def fields(self) -> set[str]:
        if self.field:
            return {self.field}
        return set().union(*(p.fields() for p in self.parts)) if self.parts else set()

    def test(self, values: Mapping[str, Any]) -> bool:
        if self.op == "all":
            return all(p.test(values) for p in self.parts)
        if self.op == "any":
            return any(p.test(values) for p in self.parts)
        if self.op == "not":
            return not self.parts[0].test(values)
        return compare(self.op, values.get(self.field), self.value)


def parse_condition(raw: Mapping[str, Any]) -> Condition:
    """Build a condition from its (schema-checked) JSON form."""
    for op in ("all", "any"):
        if op in raw:
            return Condition(op, parts=tuple(parse_condition(c) for c in raw[op]))
    if "not" in raw:
        return Condition("not", parts=(parse_condition(raw["not"]),))
    return Condition(raw["op"], raw["field"], raw.get("value"))


def _plain(v: Any) -> Any:
    if isinstance(v, Quantity):
        return v.value
    return v


def _num(v: Any) -> Fraction | date | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float | Fraction):
        return Fraction(v)
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def _cmp(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(a: Any, b: Any) -> bool:
        x, y = _num(a), _num(b)
        if x is None or y is None or type(x) is not type(y):
            return False
        return fn(x, y)

    return test


def _filled(v: Any) -> bool:
    return v is not None and v != "" and v != [] and v != {}


_LEAF: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in (b or []),
    "not_in": lambda a, b: a not in (b or []),
    "gt": _cmp(lambda a, b: a > b),
    "ge": _cmp(lambda a, b: a >= b),
    "lt": _cmp(lambda a, b: a < b),
    "le": _cmp(lambda a, b: a <= b),
    "filled": lambda a, _: _filled(a),
    "empty": lambda a, _: not _filled(a),
    "true": lambda a, _: a is True,
    "false": lambda a, _: a is False,
    "contains": lambda a, b: isinstance(a, list | tuple | set | frozenset) and b in a,
}


def compare(op: str, left: Any, right: Any) -> bool:
    """Apply a leaf operator (eq, ge, contains …) to two typed values."""
    return _LEAF[op](_plain(left), _plain(right))
