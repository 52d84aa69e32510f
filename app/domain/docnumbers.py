"""Document numbers (文书编号 / 发文字号): a comparison key, and advice on the printed form.

The number is always stored exactly as printed. For comparison and de-duplication it is
reduced to a canonical key: any bracket pair around the year (〔〕 [] 【】 () （） ［］ ﹝﹞)
becomes 〔〕, an optional 第 and leading zeros on the serial are dropped. The GB/T 9704-2012
§7.2.5 form — organ abbreviation + 〔year〕 + serial without 第 or zeros + 号 — is recommended;
domain.md §9 tags that rule [memory], so other forms only get info or a warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.domain.identifiers import Finding, Severity

_OPEN = "〔[【(（［﹝〖"
_CLOSE = "〕]】)）］﹞〗"
_NUMBER = re.compile(
    rf"(?P<prefix>.*?)"
    rf"(?P<open>[{re.escape(_OPEN)}])\s*(?P<year>\d{{2}}|\d{{4}})\s*(?P<close>[{re.escape(_CLOSE)}])"
    rf"\s*(?P<di>第)?\s*(?P<serial>\d+)\s*(?P<hao>号)?(?P<rest>.*)"
)


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A parsed document number: as printed, its comparison key, its parts and findings."""

    printed: str
    key: str
    prefix: str = ""
    year: int | None = None
    serial: int | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def recognised(self) -> bool:
        return self.year is not None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_doc_number(printed: str) -> DocNumber:
    """Parse a document number; never raises. Unrecognised numbers key on their squashed text."""
    text = printed.strip()
    if not text:
        return DocNumber(
            printed, "", findings=(Finding(Severity.ERROR, "doc.empty", "文书编号为空"),)
        )
    m = _NUMBER.fullmatch(text)
    if m is None:
        msg = "文书编号格式无法识别；建议格式如 X环罚〔2024〕15号（GB/T 9704-2012）"
        return DocNumber(
            printed, _squash(text), findings=(Finding(Severity.WARNING, "doc.format", msg),)
        )
    prefix = _squash(m.group("prefix"))
    year_text, serial_text = m.group("year"), m.group("serial")
    year = int(year_text)
    serial = int(serial_text)
    findings: list[Finding] = []
    if len(year_text) == 2:
        msg = "年份应写全四位数字（如〔2024〕），已按两位年份记录"
        findings.append(Finding(Severity.WARNING, "doc.year2", msg))
        year += 1900 if year >= 50 else 2000
    if _OPEN.index(m.group("open")) != _CLOSE.index(m.group("close")):
        findings.append(Finding(Severity.WARNING, "doc.brackets", "年份两侧的括号不配对"))
    elif m.group("open") != "〔":
        msg = "建议年份使用六角括号〔〕（GB/T 9704-2012，未经核实）；已按同一编号比对"
        findings.append(Finding(Severity.INFO, "doc.bracket_style", msg))
    if m.group("di"):
        findings.append(Finding(Severity.INFO, "doc.di", "建议序号前不加“第”（GB/T 9704-2012）"))
    if len(serial_text) > 1 and serial_text.startswith("0"):
        findings.append(Finding(Severity.INFO, "doc.zeros", "建议序号不编虚位（不加前导零）"))
    if not m.group("hao"):
        findings.append(Finding(Severity.INFO, "doc.hao", "编号末尾通常有“号”字"))
    if not prefix:
        findings.append(Finding(Severity.WARNING, "doc.prefix", "文书编号缺少机关代字"))
    rest = _squash(m.group("rest"))
    key = f"{prefix}〔{year}〕{serial}号{rest}"
    return DocNumber(printed, key, prefix, year, serial, tuple(findings))


def doc_number_key(printed: str) -> str:
    """The canonical comparison key of a printed number."""
    return parse_doc_number(printed).key


def same_doc_number(a: str, b: str) -> bool:
    """True when two printed numbers denote the same document number."""
    ka, kb = doc_number_key(a), doc_number_key(b)
    return bool(ka) and ka == kb
