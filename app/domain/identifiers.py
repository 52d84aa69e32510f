"""Identifier checks: resident ID, unified social credit code, phone numbers.

Every check returns findings (severity + Chinese message) and never raises: a malformed
input is a finding, and any library call is wrapped so its exceptions cannot reach the
caller. Formats and check characters follow domain.md §9; check characters are computed
here, not by python-stdnum, whose place lookup rejects valid people (§9).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters: an error blocks, a warning asks, info only tells."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a value check, shared by every check in app.domain."""

    severity: Severity
    code: str
    message: str


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), spaces removed, letters upper-cased."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


# --- resident identity number (GB 11643-1999) -------------------------------------------

RIC_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643 / ISO 7064 MOD 11-2 weights on digits 1–17 (domain.md §9, [memory], cross-checked)."""

# Province-level codes of GB/T 2260 plus 81/82/83 used on residence permits for Hong Kong,
# Macao and Taiwan residents. Only used for a soft warning.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "  # noqa: SIM905
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def ric_check_char(first17: str) -> str:
    """The check character for 17 digits: (12 − Σ mod 11) mod 11, 10 → X."""
    total = sum(int(d) * w for d, w in zip(first17, RIC_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@dataclass(frozen=True, slots=True)
class ResidentId:
    """What a resident ID check found: the normalised number, birth date, sex, findings."""

    number: str
    findings: tuple[Finding, ...]
    birth_date: date | None = None
    sex: str | None = None  # "male" / "female"

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _place_findings(code: str, birth_year: int) -> list[Finding]:
    """Soft checks of the address code: unknown province or county only warns (§9)."""
    if code[:2] not in _PROVINCES:
        return [
            Finding(Severity.WARNING, "ric.place.province", f"地址码 {code} 的省级代码未知，请核对")
        ]
    names = _county_names(code)
    if names is None:  # the table could not be read: say nothing rather than guess
        return []
    if not names:
        return [
            Finding(
                Severity.WARNING,
                "ric.place.unknown",
                f"地址码 {code} 不在所附行政区划代码表中（该表可能不全），请核对",
            )
        ]
    # A code created after the birth year is normal (the number is issued later).
    # A code retired before the person was born cannot have been used to issue it.
    ends = [end for _, end in names]
    if all(end is not None and end < birth_year for end in ends):
        last = max(e for e in ends if e is not None)
        return [
            Finding(
                Severity.WARNING,
                "ric.place.retired",
                f"地址码 {code} 已于 {last} 年停用，早于出生年份，请核对",
            )
        ]
    return []


def _county_names(code: str) -> list[tuple[int | None, int | None]] | None:
    """Validity ranges of a county code from python-stdnum's dated table; None if unreadable."""
    try:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(code)
        info = {k: v for _, props in results for k, v in props.items()}
        county = info.get("county")
        if not county:
            return []
        ranges: list[tuple[int | None, int | None]] = []
        for part in str(county).split(","):
            m = re.match(r"\[(\d*)-(\d*)\]", part)
            if m is None:
                ranges.append((None, None))
            else:
                start, end = m.groups()
                ranges.append((int(start) if start else None, int(end) if end else None))
        return ranges
    except Exception:
        return None


def check_resident_id(
    text: str, *, today: date | None = None, check_place: bool = True
) -> ResidentId:
    """Check a resident identity number (18 digits, or a legacy 15-digit number)."""
    today = today or date.today()
    number = normalise_text(text)
    if not number:
        return ResidentId(number, (Finding(Severity.ERROR, "ric.empty", "身份证号码为空"),))
    if len(number) == 15 and number.isdigit():
        return _check_legacy(number, today, check_place)
    if len(number) != 18:
        msg = f"身份证号码应为18位（或15位旧号码），现为{len(number)}位"
        return ResidentId(number, (Finding(Severity.ERROR, "ric.length", msg),))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        msg = "身份证号码前17位应为数字，末位为数字或X"
        return ResidentId(number, (Finding(Severity.ERROR, "ric.format", msg),))
    findings: list[Finding] = []
    born = _real_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    findings.extend(_date_findings(number[6:14], born, today))
    expected = ric_check_char(number[:17])
    if number[17] != expected:
        msg = f"身份证号码校验位错误（应为{expected}），请核对是否录错"
        findings.append(Finding(Severity.ERROR, "ric.checksum", msg))
    if check_place and born is not None:
        findings.extend(_place_findings(number[:6], born.year))
    sex = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number, tuple(findings), born, sex)


def _date_findings(digits: str, born: date | None, today: date) -> list[Finding]:
    if born is None:
        return [Finding(Severity.ERROR, "ric.birth_date", f"出生日期 {digits} 不是有效日期")]
    if born > today:
        return [Finding(Severity.ERROR, "ric.birth_future", f"出生日期 {born} 晚于今天")]
    if today.year - born.year > 130:
        return [Finding(Severity.WARNING, "ric.birth_old", f"出生日期 {born} 距今超过130年")]
    return []


def _check_legacy(number: str, today: date, check_place: bool) -> ResidentId:
    """A pre-1999 15-digit number: 6 place + YYMMDD (19YY) + 3 sequence, no check character."""
    findings = [
        Finding(
            Severity.WARNING,
            "ric.legacy15",
            f"15位旧身份证号码，已接受；对应18位号码为 {upgrade_legacy_ric(number)}，"
            "请尽量录入18位",
        )
    ]
    born = _real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    findings.extend(_date_findings("19" + number[6:12], born, today))
    if check_place and born is not None:
        findings.extend(_place_findings(number[:6], born.year))
    sex = "male" if int(number[14]) % 2 else "female"
    return ResidentId(number, tuple(findings), born, sex)


def upgrade_legacy_ric(number15: str) -> str:
    """The 18-digit form of a 15-digit number: insert "19" and add the check character."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + ric_check_char(first17)


# --- unified social credit code (GB 32100-2015) ------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""31 symbols: digits and upper-case letters without I, O, Z, S, V (domain.md §9)."""

USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714 organisation-code weights ([memory], so a mismatch only warns)."""


def uscc_check_char(first17: str) -> str:
    """The USCC check character: symbol[(31 − Σ value·3^i mod 31) mod 31]."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str | None:
    """GB 11714 check character of an organisation-code body, or None if not computable."""
    if not re.fullmatch(r"[0-9A-Z]{8}", first8):
        return None
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in first8]
    c = 11 - sum(v * w for v, w in zip(values, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def check_uscc(text: str) -> tuple[Finding, ...]:
    """Check a unified social credit code; letter-first codes (Y…) are accepted."""
    code = normalise_text(text)
    if not code:
        return (Finding(Severity.ERROR, "uscc.empty", "统一社会信用代码为空"),)
    if len(code) != 18:
        msg = f"统一社会信用代码应为18位，现为{len(code)}位"
        return (Finding(Severity.ERROR, "uscc.length", msg),)
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        msg = f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）"
        return (Finding(Severity.ERROR, "uscc.alphabet", msg),)
    findings: list[Finding] = []
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        msg = f"统一社会信用代码校验位错误（应为{expected}），请核对是否录错"
        findings.append(Finding(Severity.ERROR, "uscc.checksum", msg))
    if not code[2:8].isdigit():
        msg = "统一社会信用代码第3–8位应为行政区划代码（数字），请核对"
        findings.append(Finding(Severity.WARNING, "uscc.division", msg))
    org_check = org_code_check_char(code[8:16])
    if org_check is not None and org_check != code[16]:
        msg = (
            "第9–17位（组织机构代码）的校验位与 GB 11714 规则不符；"
            "该规则未经核实，仅作提示，请核对营业执照"
        )
        findings.append(Finding(Severity.WARNING, "uscc.org_code", msg))
    return tuple(findings)


# --- telephone numbers --------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(
    r"\(?(0[12]\d|0[3-9]\d{2})\)?-?([2-9]\d{6,7})(?:(?:-|转|分机|EXT\.?|X|#)\d{1,6})?"
)
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_SERVICE = re.compile(r"(?:400|800)-?\d{3}-?\d{4}|1\d{4}|95\d{3,6}")


def check_phone(text: str) -> tuple[Finding, ...]:
    """Check a mobile (1[3-9] + 9 digits) or landline (area code + 7–8 digits [+ extension])."""
    raw = normalise_text(text)
    if not raw:
        return (Finding(Severity.ERROR, "phone.empty", "电话号码为空"),)
    for prefix in ("+86", "0086"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :].lstrip("-")
            if not _MOBILE.fullmatch(raw.replace("-", "")) and not raw.startswith(("0", "(")):
                raw = "0" + raw
    if _MOBILE.fullmatch(raw.replace("-", "")):
        return ()
    if _LANDLINE.fullmatch(raw):
        return ()
    if _LOCAL.fullmatch(raw.replace("-", "")):
        return (Finding(Severity.WARNING, "phone.no_area_code", "固定电话缺少区号，例如 0516-"),)
    if _SERVICE.fullmatch(raw):
        return (Finding(Severity.INFO, "phone.service", "服务号码，请确认是否为联系电话"),)
    msg = "电话号码格式不正确：手机为11位（1开头），固定电话为区号加7–8位号码"
    return (Finding(Severity.ERROR, "phone.format", msg),)


__all__ = [
    "Finding",
    "ResidentId",
    "Severity",
    "check_phone",
    "check_resident_id",
    "check_uscc",
    "normalise_text",
    "org_code_check_char",
    "ric_check_char",
    "upgrade_legacy_ric",
    "uscc_check_char",
]
