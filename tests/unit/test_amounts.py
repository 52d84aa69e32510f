"""Money parsing to the fen and quantities with units."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.amounts import format_fen, parse_money, parse_quantity, quantity


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1,234.56元", 123456),
        ("1234.56", 123456),
        ("1.2万元", 1_200_000),
        ("1.2万", 1200000),
        ("￥300", 30000),
        ("¥300.5", 30050),
        ("人民币30万元", 30000000),
        ("30万元整", 30000000),
        ("0.01元", 1),
        ("１２３元", 12300),
        ("1.23456万元", 1234560),
        ("1.5亿元", 15000000000),
        ("300,000元", 30000000),
    ],
)
def test_parse_money(text: str, fen: int) -> None:
    assert parse_money(text).fen == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.234元", "money.precision"),
        ("1.2345678万元", "money.precision"),
        ("-5元", "money.negative"),
        ("12,34元", "money.format"),
        ("壹万元", "money.format"),
        ("", "money.empty"),
        ("1.2.3", "money.format"),
    ],
)
def test_parse_money_refusals(text: str, code: str) -> None:
    result = parse_money(text)
    assert result.fen is None
    assert [f.code for f in result.findings] == [code]


@given(st.integers(min_value=0, max_value=10**13))
def test_money_round_trip(fen: int) -> None:
    assert parse_money(format_fen(fen)).fen == fen


def test_format_fen() -> None:
    assert format_fen(123456) == "1,234.56元"
    assert format_fen(5) == "0.05元"


@pytest.mark.parametrize(
    ("text", "to", "value"),
    [
        ("3.5吨", "t", Fraction(7, 2)),
        ("3500千克", "t", Fraction(7, 2)),
        ("3500 kg", "t", Fraction(7, 2)),
        ("200条", "支", Fraction(40000)),
        ("20万支", "支", Fraction(200000)),
        ("3335平方米", "mu", Fraction(3335 * 15, 10000)),
        ("1公顷", "mu", Fraction(15)),
        ("720分钟", "h", Fraction(12)),
        ("12小时", "h", Fraction(12)),
        ("5亩", "mu", Fraction(5)),
        ("50m³", "m³", Fraction(50)),
        ("50立方米", "m³", Fraction(50)),
        ("30人", "人", Fraction(30)),
    ],
)
def test_parse_and_convert_quantity(text: str, to: str, value: Fraction) -> None:
    q = parse_quantity(text).quantity
    assert q is not None
    converted = q.to(to)
    assert converted is not None and converted.value == value


def test_quantity_default_unit_and_mismatch() -> None:
    q = parse_quantity("3", default_unit="t").quantity
    assert q is not None and q.unit.symbol == "t"
    assert quantity("3", "t").to("m³") is None
    assert parse_quantity("3").quantity is None
    assert parse_quantity("三吨").quantity is None
    assert parse_quantity("3 furlongs").quantity is None


@given(st.text(max_size=30))
def test_no_exception_on_random_text(text: str) -> None:
    parse_money(text)
    parse_quantity(text)
    parse_quantity(text, default_unit="t")
