"""Generated documents: line breaking, templates, and the PDFs themselves (real fonts, pypdf,
pdffonts, pdftoppm)."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents.generated import (
    DOC_TYPES,
    DocContext,
    GlyphsMissing,
    TemplateError,
    chinese_date,
    generate,
    load_template,
)
from app.documents.generated.layout import NO_LINE_START, fill, wrap
from tests.integration.pdf_checks import check_pdf


def pypdf_text(path: Path) -> str:
    """pypdf's plain extraction of every page, whitespace removed and nothing else."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


VALUES = {
    "unit_kind_word": "局",
    "party_names": "徐州恒达化工有限公司",
    "case_title": "非法倾倒危险废物案",
    "case_number": "徐铜环罚〔2025〕15号",
    "facts": "当事人在厂区外倾倒废酸约4吨。",
    "amount": "12,500.00元",
    "offence": "污染环境罪",
    "police_unit": "徐州市公安局铜山分局",
    "procuratorate_unit": "徐州市铜山区人民检察院",
    "opinion_number": "铜检行意〔2025〕3号",
    "opinion_unit": "徐州市铜山区人民检察院",
    "referral_source": "人民检察院不起诉（附检察意见）",
    "received_on": "2025年4月2日",
    "decision": "本机关于2025年4月20日依法作出行政处罚决定：罚款5万元。",
    "offset": "当事人已缴纳的罚金20,000元已依法折抵罚款。",
}


def _ctx(rows: int = 3) -> DocContext:
    materials = [
        {"no": str(n), "title": f"现场检查笔录（第{n}份）", "pages": "2", "note": ""}
        for n in range(1, rows + 1)
    ]
    items = [{"no": "1", "name": "废酸桶", "quantity": "12个", "place": "铜山区暂存库", "note": ""}]
    return DocContext(
        unit_name="徐州市铜山生态环境局",
        number="徐铜环移〔2025〕1号",
        issued_on=date(2025, 3, 10),
        values=VALUES,
        rows={"materials": materials, "seized_items": items},
    )


def test_wrap_fits_width_and_keeps_punctuation_off_line_starts() -> None:
    def measure(text: str) -> float:
        return float(len(text))

    text = "我局在查处当事人非法倾倒危险废物案过程中，发现当事人涉嫌污染环境罪。" * 3
    lines = wrap(text, 8, 10, measure)
    assert "".join(lines) == text
    assert len(lines[0]) <= 9 and all(len(line) <= 11 for line in lines)
    assert not any(line[0] in NO_LINE_START for line in lines[1:])
    # a number is not split when it fits on a line
    assert "12500.00" in [t for line in wrap("罚款12500.00元", 3, 9, measure) for t in [line]][1]


def test_fill_refuses_an_unknown_placeholder() -> None:
    assert fill("{a}：{b}", {"a": "甲", "b": "乙"}) == "甲：乙"
    with pytest.raises(TemplateError, match="占位符 c"):
        fill("{c}", {})


def test_every_template_loads_and_uses_only_context_keys() -> None:
    known = set(VALUES) | {"number", "unit_name"}
    for doc_type in DOC_TYPES:
        template = load_template(doc_type)
        assert template.doc_type == doc_type and template.source
        assert template.placeholders() <= known, doc_type
    with pytest.raises(TemplateError):
        load_template("no_such_document")


def test_chinese_date_has_no_leading_zeros() -> None:
    assert chinese_date(date(2025, 3, 4)) == "2025年3月4日"


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_each_document_is_a_valid_pdf_with_embedded_chinese_text(
    doc_type: str, tmp_path: Path
) -> None:
    made = generate(doc_type, _ctx())
    path = tmp_path / f"{doc_type}.pdf"
    path.write_bytes(made.pdf)
    expected = ["徐州市铜山生态环境局", "徐铜环移〔2025〕1号", made.title, "2025年3月10日"]
    if doc_type == "transfer_letter":
        expected += [
            "徐州市公安局铜山分局",
            "污染环境罪",
            "涉嫌犯罪案件移送书回执",
            "现场检查笔录（第3份）",
        ]
    if doc_type == "seized_items_list":
        expected += ["废酸桶", "12个", "铜山区暂存库"]
    if doc_type == "opinion_reply":
        expected += ["铜检行意〔2025〕3号", "20,000元已依法折抵罚款"]
    report = check_pdf(path, expected, tmp_path)
    assert all("NotoSerifCJKSC" in name or "CJK" in name for name in report.fonts)
    text = pypdf_text(path)
    assert "\x00" not in text
    for wanted in expected:
        assert re.sub(r"\s+", "", wanted) in text
    plain = re.sub(r"\s+", "", made.text)
    assert plain in text or set(plain) <= set(text)


def test_transfer_letter_has_its_receipt_on_its_own_page_and_page_numbers(tmp_path: Path) -> None:
    made = generate("transfer_letter", _ctx(rows=30))
    path = tmp_path / "long.pdf"
    path.write_bytes(made.pdf)
    report = check_pdf(path, ["现场检查笔录（第30份）"], tmp_path)
    assert report.pages >= 3
    for n in range(1, report.pages + 1):
        assert f"—{n}—" in report.text
    last = PdfReader(path).pages[-1].extract_text()
    assert "\x00" not in last
    assert "回执" in last and "签收人" in last


def test_a_character_the_font_lacks_is_refused_before_drawing() -> None:
    ctx = _ctx()
    odd = DocContext(
        ctx.unit_name, ctx.number, ctx.issued_on, {**VALUES, "party_names": "\ue000公司"}, ctx.rows
    )
    with pytest.raises(GlyphsMissing, match="\ue000"):
        generate("transfer_letter", odd)


def test_fonts_are_identity_encoded_and_pages_render_as_fpdf2_drew_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fpdf2 gives CFF CID fonts an embedded encoding CMap, which pypdf reads as one NUL per
    character; identity_encode writes CIDs with /Identity-H instead, drawing the same glyphs."""
    import shutil
    import subprocess

    import pikepdf

    from app.documents.generated import layout
    from app.documents.generated.identity import identity_encode

    monkeypatch.setattr(layout, "identity_encode", lambda data: data)
    raw = generate("transfer_letter", _ctx()).pdf
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        fonts = list(pdf.pages[0].Resources.Font.values())
        # what fpdf2 writes (if this changes, identity.py may no longer be needed)
        assert fonts and all(isinstance(f.get("/Encoding"), pikepdf.Stream) for f in fonts)
    assert "\x00" in PdfReader(io.BytesIO(raw)).pages[0].extract_text()

    fixed = identity_encode(raw)
    with pikepdf.open(io.BytesIO(fixed)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                assert font.Encoding == pikepdf.Name("/Identity-H")
    assert identity_encode(fixed) == fixed  # nothing left to re-encode
    assert "\x00" not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(fixed)).pages)

    def pages(data: bytes, name: str) -> list[bytes]:
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(
            [shutil.which("pdftoppm") or "pdftoppm", "-r", "72", "-gray", f"{name}.pdf", name],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
        return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]

    before, after = pages(raw, "raw"), pages(fixed, "fixed")
    assert len(before) >= 2 and before == after

    def poppler(name: str) -> str:
        return subprocess.run(
            [shutil.which("pdftotext") or "pdftotext", "-layout", f"{name}.pdf", "-"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert poppler("raw") == poppler("fixed")
