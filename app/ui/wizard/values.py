"""Committed text → the raw JSON value a draft stores, and back (no Qt).

The forms engine reads these values (app/forms/values.py): money as an integer of fen (or
the text when it does not parse, so the error shows and nothing typed is lost), quantities as
``{"value": "3.2", "unit": "t"}``, dates as ISO text.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.amounts import format_fen, parse_money
from app.domain.identifiers import normalise_text

_DATE = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(\d{1,2})[:：时](\d{2})分?")


def normalise_date(text: str) -> str:
    """ "2024/3/5", "2024.03.05", "20240305", "2024年3月5日" → "2024-03-05" (else unchanged)."""
    s = normalise_text(text).strip()
    m = _COMPACT.fullmatch(s) or _DATE.fullmatch(s)
    if m is None:
        return text.strip()
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return text.strip()


def normalise_datetime(text: str) -> str:
    """ "2024-03-05 14:30" → "2024-03-05T14:30" (else unchanged)."""
    parts = text.strip().replace("T", " ").split()
    if len(parts) == 2:
        day, clock = normalise_date(parts[0]), _TIME.fullmatch(parts[1])
        if clock is not None:
            try:
                return datetime.fromisoformat(f"{day}T{int(clock[1]):02d}:{clock[2]}").strftime(
                    "%Y-%m-%dT%H:%M"
                )
            except ValueError:
                pass
    return text.strip()


def _decimal_text(text: str) -> str | None:
    try:
        value = Decimal(normalise_text(text).replace(",", "").strip())
    except InvalidOperation:
        return None
    return f"{value:f}" if value.is_finite() else None


def from_text(kind: str, text: str, unit: str | None = None) -> Any:
    """The raw value for committed ``text`` of a field of type ``kind`` (None when empty)."""
    if not text.strip():
        return None
    if kind in ("resident_id", "uscc"):
        return normalise_text(text).strip().upper()
    if kind == "date":
        return normalise_date(text)
    if kind == "datetime":
        return normalise_datetime(text)
    if kind == "money":
        parsed = parse_money(text)
        return parsed.fen if parsed.fen is not None else text.strip()
    if kind == "integer":
        number = _decimal_text(text)
        if number is not None and Decimal(number) == Decimal(number).to_integral_value():
            return int(Decimal(number))
        return text.strip()
    if kind == "decimal":
        return _decimal_text(text) or text.strip()
    if kind == "quantity":
        number = _decimal_text(text)
        return {"value": number, "unit": unit} if number is not None and unit else text.strip()
    if kind in ("multiline",):
        return text
    return text.strip()


def to_text(kind: str, raw: Any) -> str:
    """The text an editor shows for a stored raw value."""
    if raw is None:
        return ""
    if kind == "money" and isinstance(raw, int) and not isinstance(raw, bool):
        return format_fen(raw)
    if kind == "quantity" and isinstance(raw, dict):
        return str(raw.get("value", ""))
    if kind == "datetime" and isinstance(raw, str):
        return raw.replace("T", " ")
    return str(raw)
