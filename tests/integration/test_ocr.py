"""Chinese OCR (tesseract chi_sim+eng) on a page rendered with the Noto CJK font, and the
field suggestions found in its text."""

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from app.documents.ocr import Suggestion, ocr_pages, suggest, tidy
from app.domain.identifiers import ric_check_char, uscc_check_char

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
USCC = "91320312MA1N8K3R2" + uscc_check_char("91320312MA1N8K3R2")
RID = "32030219850315001" + ric_check_char("32030219850315001")
PARTY = "徐州恒达化工有限公司"


def _have_chi_sim() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "chi_sim" in listed.stdout


pytestmark = pytest.mark.skipif(
    not (_have_chi_sim() and FONT.is_file()), reason="tesseract chi_sim or Noto CJK missing"
)

LINES = [
    "行政执法机关移送涉嫌犯罪案件函",
    f"当事人：{PARTY}",
    f"统一社会信用代码：{USCC}",
    f"法定代表人身份证号：{RID}",
    "涉案金额：人民币35,000元",
    "移送日期：2026年3月2日",
]


def render_page(path: Path) -> Path:
    """An A5 page at 300 dpi with the lines above in Noto Sans CJK."""
    im = Image.new("L", (1748, 2480), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(FONT), 52)
    for number, line in enumerate(LINES):
        draw.text((150, 200 + number * 110), line, font=font, fill=0)
    im.save(path, format="PNG", dpi=(300, 300))
    return path


@pytest.fixture(scope="module")
def page_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    page = render_page(tmp_path_factory.mktemp("ocr") / "letter.png")
    (text,) = ocr_pages([page])
    return text


def test_ocr_recovers_party_and_credit_code(page_text: str) -> None:
    assert PARTY in page_text
    assert USCC in page_text.replace(" ", "")
    assert "移送" in page_text


def test_suggestions_are_validated_values(page_text: str) -> None:
    found = suggest([page_text])
    kinds = {(s.kind, s.value) for s in found}
    assert ("uscc", USCC) in kinds
    assert ("resident_id", RID) in kinds
    assert ("amount", "3500000") in kinds  # fen
    assert ("date", "2026-03-02") in kinds
    assert all(s.page == 1 for s in found)


def test_suggest_refuses_numbers_that_fail_their_check() -> None:
    wrong_uscc = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    wrong_rid = RID[:-1] + ("0" if RID[-1] != "0" else "1")
    found = suggest([f"代码 {wrong_uscc} 身份证 {wrong_rid} 日期 2026年2月30日", "罚款 1.2万元"])
    assert found == [Suggestion("amount", "1200000", "1.2万元", 2)]


def test_tidy_joins_spaced_chinese() -> None:
    assert tidy("移 送 函 \n\n  当 事 人 : ABC 公 司 ") == "移送函\n当事人 : ABC 公司"
