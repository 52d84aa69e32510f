"""Chinese OCR with tesseract ``chi_sim+eng``, and field suggestions from the text.

Each page is one tesseract process limited to one thread (``OMP_THREAD_LIMIT=1``: on two
cores that is five times faster than tesseract's own threading); a small pool runs one
process per core. Text is kept per page. Suggestions (credit codes, ID numbers, amounts,
dates) are checked with the domain rules and *offered*: the entry form never fills them in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain.amounts import parse_money
from app.domain.identifiers import Severity, check_resident_id, check_uscc
from app.errors import UserError

LANGUAGES = "chi_sim+eng"
PAGE_TIMEOUT = 180.0  # seconds per page, as OCRmyPDF's default

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


class OcrError(UserError):
    """OCR cannot run (tesseract or its Chinese data missing) or failed on a page."""


def tidy(text: str) -> str:
    """Remove the spaces tesseract puts between Chinese characters; trim each line."""
    lines = (_SPACE_BETWEEN_CJK.sub("", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _tesseract() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise OcrError(
            "未安装 tesseract：无法识别文字（请安装 tesseract-ocr 与 tesseract-ocr-chi-sim）"
        )
    return exe


def ocr_image(path: Path, languages: str = LANGUAGES, timeout: float = PAGE_TIMEOUT) -> str:
    """The text of one page image."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [_tesseract(), str(path), "stdout", "-l", languages, "--psm", "3"],
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"文字识别超时（{path.name}，超过 {timeout:.0f} 秒）") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
        if "Failed loading language" in detail:
            raise OcrError("缺少 tesseract 中文语言包（tesseract-ocr-chi-sim）", detail=detail)
        raise OcrError(f"文字识别失败（{path.name}）", detail=detail)
    return tidy(done.stdout.decode("utf-8", "replace"))


def pdf_page_images(pdf: Path, out_dir: Path, dpi: int = 300) -> list[Path]:
    """Render a PDF's pages to gray PNGs for OCR (poppler's pdftoppm)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise OcrError("未安装 pdftoppm（poppler-utils）：无法识别 PDF 中的文字")
    subprocess.run(
        [exe, "-r", str(dpi), "-gray", "-png", str(pdf), str(out_dir / "p")],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return sorted(out_dir.glob("p-*.png"))


def ocr_pages(
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    languages: str = LANGUAGES,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Text per page, in order, ``workers`` tesseract processes at a time (default: cores)."""
    workers = workers or max(1, os.cpu_count() or 1)
    texts: list[str] = [""] * len(paths)
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(ocr_image, p, languages): i for i, p in enumerate(paths)}
        for future, index in futures.items():
            texts[index] = future.result()
            done += 1
            if progress is not None:
                progress(done, len(paths))
    return texts


def ocr_file(path: Path, kind: str, *, workers: int | None = None) -> list[str]:
    """Text per page of an imported file (PDF pages are rendered first)."""
    if kind != "pdf":
        if kind == "tiff":
            from PIL import Image

            with Image.open(path) as im, tempfile.TemporaryDirectory() as tmp:
                frames = []
                for index in range(getattr(im, "n_frames", 1)):
                    im.seek(index)
                    frame = Path(tmp) / f"f{index:04d}.png"
                    im.save(frame, format="PNG")
                    frames.append(frame)
                return ocr_pages(frames, workers=workers)
        return ocr_pages([path], workers=workers)
    with tempfile.TemporaryDirectory() as tmp:
        return ocr_pages(pdf_page_images(path, Path(tmp)), workers=workers)


# --- suggestions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A value found in the text, offered to the entry form (never filled in silently)."""

    kind: str  # uscc | resident_id | amount | date
    value: str  # normalised: the code, the ID, fen as an integer string, ISO date
    text: str  # as it appears in the OCR text
    page: int  # 1-based


_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_RID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
_MONEY = re.compile(
    r"(?:人民币|[¥￥])?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?\s*(?:万元|亿元|元)"
)
_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")


def _clean(text: str) -> str:
    return re.sub(r"[ \t]", "", text)


def suggest(texts: Sequence[str]) -> list[Suggestion]:
    """Validated values found in the pages' text, in order of appearance, without repeats."""
    found: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, raw: str, page: int) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            found.append(Suggestion(kind, value, raw, page))

    for page, raw_text in enumerate(texts, start=1):
        text = _clean(raw_text)
        for m in _USCC.finditer(text):
            if not any(f.severity is Severity.ERROR for f in check_uscc(m.group())):
                add("uscc", m.group(), m.group(), page)
        for m in _RID.finditer(text):
            rid = check_resident_id(m.group())
            if rid.ok:
                add("resident_id", rid.number, m.group(), page)
        for m in _MONEY.finditer(text):
            money = parse_money(m.group())
            if money.fen is not None:
                add("amount", str(money.fen), m.group(), page)
        for m in _DATE.finditer(text):
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            if 1949 <= day.year <= 2100:
                add("date", day.isoformat(), m.group(), page)
    return found
