"""Money in yuan to the fen, and quantities with units, with exact arithmetic.

Money is parsed from what people type ("1,234.56元", "1.2万元", "￥300") into integer fen
using :class:`~decimal.Decimal`; more than two decimals of yuan is refused, never rounded.
Quantities carry a unit; conversion within a dimension is exact (:class:`~fractions.Fraction`),
and converting across dimensions (tonnes to m³) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from app.domain.identifiers import Finding, Severity, normalise_text

# --- money ----------------------------------------------------------------------------------

_MONEY_SCALE: dict[str, int] = {"": 1, "元": 1, "万": 10_000, "万元": 10_000, "亿": 10**8}
_MONEY_SCALE["亿元"] = 10**8
_MONEY = re.compile(
    r"(?:人民币|RMB|CNY|[¥￥])?"
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?P<unit>元|万元|万|亿元|亿)?整?"
)


@dataclass(frozen=True, slots=True)
class MoneyParse:
    """The result of parsing money: fen (None when refused) and what was found."""

    fen: int | None
    findings: tuple[Finding, ...] = ()


def parse_money(text: str) -> MoneyParse:
    """Parse yuan text to integer fen; "1.2万元" → 1_200_000_00 fen.

    Refuses negative amounts, malformed digit grouping and more than two decimals of yuan.
    """
    s = normalise_text(text).replace("，", ",")
    if not s:
        return MoneyParse(None, (Finding(Severity.ERROR, "money.empty", "金额为空"),))
    m = _MONEY.fullmatch(s)
    if m is None:
        msg = f"无法识别的金额“{text}”，请填写如 1,234.56元 或 1.2万元"
        return MoneyParse(None, (Finding(Severity.ERROR, "money.format", msg),))
    try:
        yuan = Decimal(m.group("num").replace(",", "")) * _MONEY_SCALE[m.group("unit") or ""]
    except InvalidOperation:
        return MoneyParse(None, (Finding(Severity.ERROR, "money.format", "金额无法解析"),))
    return money_from_yuan(yuan)


def money_from_yuan(yuan: Decimal) -> MoneyParse:
    """Exact yuan → fen; refuses negatives and fractions of a fen."""
    if yuan < 0:
        return MoneyParse(None, (Finding(Severity.ERROR, "money.negative", "金额不能为负数"),))
    fen = yuan * 100
    if fen != fen.to_integral_value():
        msg = f"金额 {yuan.normalize():f} 元超过两位小数（精确到分）"
        return MoneyParse(None, (Finding(Severity.ERROR, "money.precision", msg),))
    return MoneyParse(int(fen))


def format_fen(fen: int) -> str:
    """Fen as printed yuan: 123456 → "1,234.56元"."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}元"


# --- quantities -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: its canonical symbol, dimension and size in the dimension's base unit."""

    symbol: str
    dimension: str
    factor: Fraction
    label: str


_UNITS: tuple[Unit, ...] = (
    Unit("t", "mass", Fraction(1), "吨"),
    Unit("kg", "mass", Fraction(1, 1000), "千克"),
    Unit("m³", "volume", Fraction(1), "立方米"),
    Unit("mu", "area", Fraction(1), "亩"),
    Unit("m²", "area", Fraction(15, 10_000), "平方米"),  # 1 亩 = 10000/15 m²
    Unit("ha", "area", Fraction(15), "公顷"),
    Unit("支", "sticks", Fraction(1), "支"),
    Unit("万支", "sticks", Fraction(10_000), "万支"),
    Unit("条", "sticks", Fraction(200), "条"),  # 1 条 = 10 包 × 20 支
    Unit("人", "people", Fraction(1), "人"),
    Unit("株", "plants", Fraction(1), "株"),
    Unit("h", "duration", Fraction(1), "小时"),
    Unit("min", "duration", Fraction(1, 60), "分钟"),
    Unit("倍", "multiple", Fraction(1), "倍"),
    Unit("fen", "money", Fraction(1), "分"),
    Unit("元", "money", Fraction(100), "元"),
    Unit("万元", "money", Fraction(1_000_000), "万元"),
)
UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}
_ALIASES: dict[str, str] = {
    "T": "t",
    "吨": "t",
    "KG": "kg",
    "千克": "kg",
    "公斤": "kg",
    "M³": "m³",
    "M3": "m³",
    "立方米": "m³",
    "方": "m³",
    "MU": "mu",
    "亩": "mu",
    "M²": "m²",
    "M2": "m²",
    "平方米": "m²",
    "HA": "ha",
    "公顷": "ha",
    "根": "支",
    "名": "人",
    "H": "h",
    "小时": "h",
    "MIN": "min",
    "分钟": "min",
    "FEN": "fen",
    "分": "fen",
    "YUAN": "元",
    "X": "倍",
}


def unit_of(symbol: str) -> Unit | None:
    """The unit for a symbol or alias ("吨", "T", "m3" …), or None if unknown."""
    s = normalise_text(symbol)
    return UNITS.get(s) or UNITS.get(_ALIASES.get(s, s)) or UNITS.get(symbol.strip())


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact amount in a unit."""

    value: Fraction
    unit: Unit

    def to(self, symbol: str) -> Quantity | None:
        """This quantity in another unit of the same dimension, or None on a mismatch."""
        target = unit_of(symbol)
        if target is None or target.dimension != self.unit.dimension:
            return None
        return Quantity(self.value * self.unit.factor / target.factor, target)

    def __str__(self) -> str:
        return f"{format_number(self.value)} {self.unit.label}"


def format_number(value: Fraction) -> str:
    """A fraction for display: exact when it terminates, else to 4 decimals."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.quantize(Decimal('0.0001')).normalize():f}"


@dataclass(frozen=True, slots=True)
class QuantityParse:
    quantity: Quantity | None
    findings: tuple[Finding, ...] = ()


_QUANTITY = re.compile(r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>.*)")


def parse_quantity(text: str, default_unit: str | None = None) -> QuantityParse:
    """Parse "3.5吨", "200 kg", "20万支"; a bare number takes ``default_unit``."""
    s = normalise_text(text).replace("，", ",")
    m = _QUANTITY.fullmatch(s)
    if m is None:
        msg = f"无法识别的数量“{text}”，请填写数字和单位，如 3.5吨"
        return QuantityParse(None, (Finding(Severity.ERROR, "quantity.format", msg),))
    num = Fraction(Decimal(m.group("num").replace(",", "")))
    unit_text = m.group("unit")
    if unit_text.startswith("万") and unit_of(unit_text[1:]) is not None and unit_text != "万支":
        num, unit_text = num * 10_000, unit_text[1:]
    symbol = unit_text or default_unit
    unit = unit_of(symbol) if symbol else None
    if unit is None:
        msg = f"数量“{text}”缺少单位或单位无法识别"
        return QuantityParse(None, (Finding(Severity.ERROR, "quantity.unit", msg),))
    if num < 0:
        return QuantityParse(None, (Finding(Severity.ERROR, "quantity.negative", "数量不能为负"),))
    return QuantityParse(Quantity(num, unit))


def quantity(value: Decimal | int | str | Fraction, symbol: str) -> Quantity:
    """A quantity from a number and a known unit symbol (raises KeyError on an unknown unit)."""
    unit = unit_of(symbol)
    if unit is None:
        raise KeyError(symbol)
    return Quantity(Fraction(Decimal(value) if isinstance(value, str) else value), unit)
