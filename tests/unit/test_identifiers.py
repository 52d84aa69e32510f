"""Identifier checks: resident ID, USCC, phone — table tests and property tests."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.identifiers import (
    Severity,
    check_phone,
    check_resident_id,
    check_uscc,
    upgrade_legacy_ric,
)

TODAY = date(2025, 6, 1)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ric_check_independent(first17: str) -> str:
    """python-stdnum's formulation (1 − 2·int(n, 13)) mod 11, cross-checked in domain.md §9."""
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def uscc_check_independent(first17: str) -> str:
    total = 0
    for i, c in enumerate(first17):
        total += USCC_ALPHABET.index(c) * (3**i % 31)
    return USCC_ALPHABET[-total % 31]


def codes(findings: object) -> set[str]:
    return {f.code for f in findings}  # type: ignore[attr-defined]


def errors(findings: object) -> list[object]:
    return [f for f in findings if f.severity is Severity.ERROR]  # type: ignore[attr-defined]


ric_body = st.builds(
    lambda place, d, seq: f"{place}{d:%Y%m%d}{seq:03d}",
    st.sampled_from(["110105", "320303", "320312", "440305", "510104"]),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(ric_body)
def test_ric_valid_check_character_accepted(first17: str) -> None:
    number = first17 + ric_check_independent(first17)
    result = check_resident_id(number, today=TODAY)
    assert not errors(result.findings), result.findings
    assert result.birth_date is not None


@given(ric_body, st.sampled_from("0123456789X"))
def test_ric_wrong_check_character_is_an_error(first17: str, char: str) -> None:
    right = ric_check_independent(first17)
    if char == right:
        return
    result = check_resident_id(first17 + char, today=TODAY)
    assert "ric.checksum" in codes(result.findings)


def test_ric_lowercase_x_and_full_width_digits() -> None:
    first17 = "11010519491231002"
    assert ric_check_independent(first17) == "X"
    assert check_resident_id(first17 + "x", today=TODAY).ok
    full = "".join(chr(ord(c) + 0xFEE0) for c in first17) + "Ｘ"
    assert check_resident_id(full, today=TODAY).ok


def test_ric_county_code_created_after_birth_year_is_accepted() -> None:
    # 320303 云龙区 exists only from 1983; python-stdnum rejects a 1960 birth (domain.md §9).
    first17 = "32030319600101123"
    result = check_resident_id(first17 + ric_check_independent(first17), today=TODAY)
    assert result.ok
    assert not [f for f in result.findings if f.severity is not Severity.INFO]


def test_ric_code_that_makes_stdnum_raise_keyerror_is_only_a_warning() -> None:
    first17 = "32038319800101123"  # stdnum raises KeyError: 'county' for 320383
    result = check_resident_id(first17 + ric_check_independent(first17), today=TODAY)
    assert result.ok
    assert "ric.place.unknown" in codes(result.findings)


def test_ric_unknown_province_is_a_warning() -> None:
    first17 = "99010519800101123"
    result = check_resident_id(first17 + ric_check_independent(first17), today=TODAY)
    assert result.ok
    assert "ric.place.province" in codes(result.findings)


def test_ric_legacy_15_digits_accepted_with_warning() -> None:
    result = check_resident_id("320303900101123", today=TODAY)
    assert result.ok
    assert "ric.legacy15" in codes(result.findings)
    assert result.birth_date == date(1990, 1, 1)
    upgraded = upgrade_legacy_ric("320303900101123")
    assert upgraded[:17] == "32030319900101123"
    assert check_resident_id(upgraded, today=TODAY).ok


@pytest.mark.parametrize(
    ("first17", "code"),
    [
        ("32030319900230123", "ric.birth_date"),  # 30 February
        ("32030320300101123", "ric.birth_future"),
        ("32030319901301123", "ric.birth_date"),
    ],
)
def test_ric_bad_dates(first17: str, code: str) -> None:
    result = check_resident_id(first17 + ric_check_independent(first17), today=TODAY)
    assert code in codes(result.findings)
    assert not result.ok


@pytest.mark.parametrize("text", ["", "123", "3203031990010112345", "32030319900101123Y"])
def test_ric_malformed(text: str) -> None:
    assert not check_resident_id(text, today=TODAY).ok


uscc_body = st.builds(
    lambda first, second, division, body: first + second + division + body,
    st.sampled_from("159Y"),
    st.sampled_from("123"),
    st.sampled_from(["320300", "320312", "110105"]),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_body)
def test_uscc_valid_check_character_accepted(first17: str) -> None:
    code = first17 + uscc_check_independent(first17)
    assert not errors(check_uscc(code))


@given(uscc_body, st.sampled_from(USCC_ALPHABET))
def test_uscc_wrong_check_character_is_an_error(first17: str, char: str) -> None:
    if char == uscc_check_independent(first17):
        return
    assert "uscc.checksum" in codes(check_uscc(first17 + char))


def test_uscc_letter_first_code_accepted() -> None:
    first17 = "Y1320300MA1ABCDE1"
    findings = check_uscc(first17 + uscc_check_independent(first17))
    assert not errors(findings)


def test_uscc_known_real_format_and_org_code_warning_only() -> None:
    # body with a wrong GB 11714 check digit: only a warning, since that rule is [memory]
    first17 = "91320300MA1XXXXX0"
    findings = check_uscc(first17 + uscc_check_independent(first17))
    assert not errors(findings)
    assert "uscc.org_code" in codes(findings)
    assert all(f.severity is Severity.WARNING for f in findings)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "uscc.empty"),
        ("9132030", "uscc.length"),
        ("91320300MA1XXXXXIO", "uscc.alphabet"),
        ("91320300MA1XXXXXS0", "uscc.alphabet"),
    ],
)
def test_uscc_malformed(text: str, code: str) -> None:
    assert code in codes(check_uscc(text))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("13912345678", None),
        ("139 1234 5678", None),
        ("+86 139 1234 5678", None),
        ("0516-83456789", None),
        ("(0516)83456789", None),
        ("051683456789", None),
        ("010-62345678", None),
        ("021-6234567", None),
        ("0516-83456789-123", None),
        ("0516-83456789转8012", None),
        ("+86-516-83456789", None),
        ("83456789", "phone.no_area_code"),
        ("400-123-4567", "phone.service"),
        ("12345", "phone.service"),
        ("12912345678", "phone.format"),
        ("0516-1234567", "phone.format"),
        ("abc", "phone.format"),
        ("", "phone.empty"),
    ],
)
def test_phone(text: str, code: str | None) -> None:
    found = codes(check_phone(text))
    assert found == (set() if code is None else {code})


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_no_exception_escapes_on_random_text(text: str) -> None:
    check_resident_id(text, today=TODAY)
    check_uscc(text)
    check_phone(text)


@settings(max_examples=300)
@given(st.text(alphabet="0123456789X", min_size=15, max_size=18))
def test_no_exception_escapes_on_id_like_text(text: str) -> None:
    check_resident_id(text, today=TODAY)
    check_uscc(text)
