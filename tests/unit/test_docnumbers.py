"""Document numbers: one comparison key, stored as printed, GB/T 9704 form recommended."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.docnumbers import parse_doc_number, same_doc_number

CANONICAL = "X环罚〔2024〕15号"


@pytest.mark.parametrize(
    "printed",
    [
        "X环罚〔2024〕15号",
        "X环罚[2024]15号",
        "X环罚【2024】15号",
        "X环罚(2024)15号",
        "X环罚（2024）15号",
        "X环罚［2024］15号",
        "X环罚〔2024〕第15号",
        "X环罚[2024]第015号",
        "X环罚〔2024〕0015号",
        " X环罚 〔 2024 〕 15 号 ",
    ],
)
def test_variants_share_one_key(printed: str) -> None:
    parsed = parse_doc_number(printed)
    assert parsed.key == CANONICAL
    assert parsed.printed == printed  # stored exactly as printed
    assert same_doc_number(printed, CANONICAL)


def test_recommended_form_has_no_findings() -> None:
    assert parse_doc_number(CANONICAL).findings == ()


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("X环罚[2024]15号", "doc.bracket_style"),
        ("X环罚〔2024〕第15号", "doc.di"),
        ("X环罚〔2024〕015号", "doc.zeros"),
        ("X环罚〔24〕15号", "doc.year2"),
        ("X环罚〔2024]15号", "doc.brackets"),
        ("〔2024〕15号", "doc.prefix"),
        ("环罚字第15号", "doc.format"),
    ],
)
def test_advice(printed: str, code: str) -> None:
    assert code in {f.code for f in parse_doc_number(printed).findings}


def test_different_numbers_differ() -> None:
    assert not same_doc_number("X环罚〔2024〕15号", "X环罚〔2024〕16号")
    assert not same_doc_number("X环罚〔2024〕15号", "X环罚〔2023〕15号")
    assert not same_doc_number("X环罚〔2024〕15号", "Y环罚〔2024〕15号")
    assert not same_doc_number("", "")


def test_police_style_number() -> None:
    parsed = parse_doc_number("进公刑移告字[1994]第015号")
    assert parsed.key == "进公刑移告字〔1994〕15号"
    assert parsed.year == 1994 and parsed.serial == 15


@given(st.text(max_size=40))
def test_never_raises(text: str) -> None:
    parse_doc_number(text)
