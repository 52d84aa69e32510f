"""Turn one raw field value into its typed form, with findings (never raises).

Stored values are JSON: money is an integer of fen or yuan text ("1.2万元"); a quantity is
``{"value": "3.5", "unit": "t"}``, text ("3.5吨") or a number in the field's unit; dates are
ISO text; a party list is a list of objects (kind, name, id_number, phone, address, role).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from app.domain.amounts import Quantity, parse_money, parse_quantity, unit_of
from app.domain.docnumbers import parse_doc_number
from app.domain.identifiers import (
    Finding,
    Severity,
    check_phone,
    check_resident_id,
    check_uscc,
)
from app.forms.spec import FieldSpec


@dataclass(frozen=True, slots=True)
class FieldFinding:
    """A finding about one field (``key`` may be a path such as ``parties[0].id_number``)."""

    field: str
    severity: Severity
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


def is_filled(value: Any) -> bool:
    """True when a raw value counts as entered."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def _err(key: str, code: str, msg: str, sev: Severity = Severity.ERROR) -> FieldFinding:
    return FieldFinding(key, sev, code, msg)


def _lift(key: str, label: str, findings: tuple[Finding, ...]) -> list[FieldFinding]:
    return [FieldFinding(key, f.severity, f.code, f"{label}：{f.message}") for f in findings]


def coerce(f: FieldSpec, raw: Any, today: date) -> tuple[Any, list[FieldFinding]]:
    """The typed value of ``raw`` for field ``f`` (None if unusable) and the findings."""
    try:
        return _COERCE[f.type](f, raw, today)
    except Exception as exc:  # a bug in a check must not reach the person entering data
        msg = f"{f.label}：无法检查此值（{type(exc).__name__}）"
        return None, [_err(f.key, "value.internal", msg, Severity.WARNING)]


def _text(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, str):
        return None, [_err(f.key, "value.type", f"{f.label}应为文字")]
    if f.max_length and len(raw) > f.max_length:
        msg = f"{f.label}不能超过{f.max_length}个字（现为{len(raw)}个）"
        return raw, [_err(f.key, "value.too_long", msg)]
    return raw, []


def _date(f: FieldSpec, raw: Any, today: date) -> tuple[Any, list[FieldFinding]]:
    try:
        d = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        return None, [_err(f.key, "value.date", f"{f.label}不是有效日期（格式 YYYY-MM-DD）")]
    if d > today and not f.allow_future:
        return d, [_err(f.key, "value.future", f"{f.label} {d} 晚于今天，请核对")]
    return d, []


def _datetime(f: FieldSpec, raw: Any, today: date) -> tuple[Any, list[FieldFinding]]:
    try:
        dt = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    except ValueError:
        msg = f"{f.label}不是有效的日期时间（格式 YYYY-MM-DDTHH:MM）"
        return None, [_err(f.key, "value.datetime", msg)]
    if dt.date() > today and not f.allow_future:
        return dt, [_err(f.key, "value.future", f"{f.label} 晚于今天，请核对")]
    return dt, []


def _bounds(f: FieldSpec, number: Fraction, shown: str) -> list[FieldFinding]:
    if f.min is not None and number < Fraction(Decimal(str(f.min))):
        return [_err(f.key, "value.min", f"{f.label}不应小于{f.min}（现为{shown}）")]
    if f.max is not None and number > Fraction(Decimal(str(f.max))):
        msg = f"{f.label}不应大于{f.max}（现为{shown}），请核对"
        return [_err(f.key, "value.max", msg, Severity.WARNING)]
    return []


def _money(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if isinstance(raw, bool | float):
        msg = f"{f.label}请以“元”文字（如 1,234.56元）或以分为单位的整数填写"
        return None, [_err(f.key, "money.type", msg)]
    if isinstance(raw, int):
        if raw < 0:
            return None, [_err(f.key, "money.negative", f"{f.label}不能为负数")]
        return raw, _bounds(f, Fraction(raw, 100), f"{raw / 100:.2f}元")
    if not isinstance(raw, str):
        return None, [_err(f.key, "money.type", f"{f.label}格式无法识别")]
    parsed = parse_money(raw)
    if parsed.fen is None:
        return None, _lift(f.key, f.label, parsed.findings)
    return parsed.fen, _bounds(f, Fraction(parsed.fen, 100), raw)


def _quantity(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    assert f.unit is not None
    unit = unit_of(f.unit)
    assert unit is not None
    q: Quantity | None
    if isinstance(raw, dict):
        u = unit_of(str(raw.get("unit", f.unit)))
        try:
            num = Fraction(Decimal(str(raw.get("value"))))
        except (InvalidOperation, ValueError, OverflowError):
            return None, [_err(f.key, "quantity.format", f"{f.label}的数值无法识别")]
        if u is None:
            return None, [_err(f.key, "quantity.unit", f"{f.label}的单位无法识别")]
        q = Quantity(num, u)
    elif isinstance(raw, str):
        parsed = parse_quantity(raw, default_unit=f.unit)
        if parsed.quantity is None:
            return None, _lift(f.key, f.label, parsed.findings)
        q = parsed.quantity
    elif isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        q = Quantity(Fraction(raw), unit)
    else:
        return None, [_err(f.key, "quantity.type", f"{f.label}格式无法识别")]
    converted = q.to(unit.symbol)
    if converted is None:
        msg = f"{f.label}的单位应为{unit.label}一类，收到的是{q.unit.label}"
        return None, [_err(f.key, "quantity.unit_mismatch", msg)]
    if converted.value < 0:
        return None, [_err(f.key, "quantity.negative", f"{f.label}不能为负数")]
    return converted, _bounds(f, converted.value, str(q))


def _integer(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if isinstance(raw, bool):
        return None, [_err(f.key, "value.integer", f"{f.label}应为整数")]
    try:
        n = raw if isinstance(raw, int) else int(str(raw).strip())
    except ValueError:
        return None, [_err(f.key, "value.integer", f"{f.label}应为整数")]
    return n, _bounds(f, Fraction(n), str(n))


def _decimal(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if isinstance(raw, bool):
        return None, [_err(f.key, "value.decimal", f"{f.label}应为数字")]
    try:
        n = Fraction(Decimal(str(raw).replace(",", "").strip()))
    except (InvalidOperation, ValueError, OverflowError):
        return None, [_err(f.key, "value.decimal", f"{f.label}应为数字")]
    return n, _bounds(f, n, str(raw))


def _choice(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    allowed = {c.value for c in f.choices}
    if raw not in allowed:
        return None, [_err(f.key, "value.choice", f"{f.label}的值“{raw}”不在可选范围内")]
    return raw, []


def _multi(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, list):
        return None, [_err(f.key, "value.multi", f"{f.label}应为多选列表")]
    allowed = {c.value for c in f.choices}
    bad = [str(v) for v in raw if v not in allowed]
    if bad:
        msg = f"{f.label}含有不在可选范围内的值：{'、'.join(bad)}"
        return [v for v in raw if v in allowed], [_err(f.key, "value.choice", msg)]
    return list(raw), []


def _boolean(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, bool):
        return None, [_err(f.key, "value.boolean", f"{f.label}应为“是”或“否”")]
    return raw, []


def _resident_id(f: FieldSpec, raw: Any, today: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, str):
        return None, [_err(f.key, "value.type", f"{f.label}应为文字")]
    result = check_resident_id(raw, today=today)
    return raw, _lift(f.key, f.label, result.findings)


def _uscc(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, str):
        return None, [_err(f.key, "value.type", f"{f.label}应为文字")]
    return raw, _lift(f.key, f.label, check_uscc(raw))


def _phone(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, str):
        return None, [_err(f.key, "value.type", f"{f.label}应为文字")]
    return raw, _lift(f.key, f.label, check_phone(raw))


def _doc_number(f: FieldSpec, raw: Any, _: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, str):
        return None, [_err(f.key, "value.type", f"{f.label}应为文字")]
    return raw, _lift(f.key, f.label, parse_doc_number(raw).findings)  # stored as printed


def _parties(f: FieldSpec, raw: Any, today: date) -> tuple[Any, list[FieldFinding]]:
    if not isinstance(raw, list):
        return None, [_err(f.key, "party.type", f"{f.label}应为当事人列表")]
    findings: list[FieldFinding] = []
    for i, p in enumerate(raw):
        at = f"{f.key}[{i}]"
        if not isinstance(p, dict):
            findings.append(_err(at, "party.type", f"第{i + 1}个当事人格式无法识别"))
            continue
        findings.extend(check_party(at, i, p, today))
    return raw, findings


def check_party(at: str, i: int, p: dict[str, Any], today: date) -> list[FieldFinding]:
    """Checks of one party: kind, name, ID number by kind, phone."""
    who = f"第{i + 1}个当事人"
    out: list[FieldFinding] = []
    kind = p.get("kind")
    if kind not in ("person", "organisation"):
        out.append(_err(f"{at}.kind", "party.kind", f"{who}的类别应为自然人或单位"))
    if not is_filled(p.get("name")):
        out.append(_err(f"{at}.name", "party.name", f"{who}缺少姓名或名称"))
    number = p.get("id_number")
    label = "公民身份号码" if kind == "person" else "统一社会信用代码"
    if not is_filled(number):
        out.append(_err(f"{at}.id_number", "party.id_missing", f"{who}缺少{label}"))
    elif not isinstance(number, str):
        out.append(_err(f"{at}.id_number", "party.id_type", f"{who}的{label}应为文字"))
    elif kind == "person":
        ric = check_resident_id(number, today=today)
        out.extend(_lift(f"{at}.id_number", f"{who}的{label}", ric.findings))
    elif kind == "organisation":
        out.extend(_lift(f"{at}.id_number", f"{who}的{label}", check_uscc(number)))
    phone = p.get("phone")
    if is_filled(phone) and isinstance(phone, str):
        out.extend(_lift(f"{at}.phone", f"{who}的电话", check_phone(phone)))
    return out


_COERCE = {
    "text": _text,
    "multiline": _text,
    "date": _date,
    "datetime": _datetime,
    "money": _money,
    "quantity": _quantity,
    "integer": _integer,
    "decimal": _decimal,
    "choice": _choice,
    "multi_choice": _multi,
    "boolean": _boolean,
    "resident_id": _resident_id,
    "uscc": _uscc,
    "phone": _phone,
    "doc_number": _doc_number,
    "party_list": _parties,
}
