"""Benchmark: PDF assembly of 100 A4 300-dpi pages, and OCR pages per minute on this machine.

PDF: the app's ``assemble`` (content sniffing, limits, end-of-file checks, dpi, lossless
transcoding where needed, atomic write) beside ``img2pdf.convert`` called directly on the same
files in the same run (alternating, best and median of N). Pages as a scanner writes them:
gray JPEG, colour JPEG and CCITT G4 TIFF (bilevel), a third each. Goals: size <= 1.05x,
time <= 1.5x.

OCR: tesseract chi_sim+eng through ``ocr_pages`` (one single-threaded process per core) beside
the naive way in the same run: one tesseract after another with its default OpenMP threading.

Writes bench/results/pdf.md. Run: .venv/bin/python bench/bench_pdf.py [--repeat N] [--ocr-pages N]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import img2pdf  # type: ignore[import-untyped]
import pikepdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.documents.ocr import LANGUAGES, ocr_pages  # noqa: E402
from app.documents.pdf_assembly import PageSource, assemble  # noqa: E402

A4 = (2480, 3508)
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TEXT = "行政执法机关移送涉嫌犯罪案件的规定第六条移送材料调查报告涉案物品清单检验报告鉴定意见"


def text_page(rng: random.Random, font: ImageFont.FreeTypeFont) -> Image.Image:
    """A gray A4 page of Chinese text with scanner-like noise."""
    im = Image.new("L", A4, 245)
    draw = ImageDraw.Draw(im)
    y = 250
    while y < A4[1] - 300:
        start = rng.randrange(len(TEXT) - 30)
        draw.text((220, y), TEXT[start : start + 30], font=font, fill=rng.randrange(0, 40))
        y += 70
    noise = Image.effect_noise(A4, 12).point(lambda v: v // 8)
    return Image.blend(im, noise, 0.06).filter(ImageFilter.GaussianBlur(0.6))


def make_pages(folder: Path, count: int) -> list[Path]:
    rng = random.Random(7)
    font = ImageFont.truetype(str(FONT), 44)
    pages: list[Path] = []
    for index in range(count):
        page = text_page(rng, font)
        kind = index % 3
        if kind == 0:
            path = folder / f"p{index:03d}.jpg"
            page.save(path, "JPEG", quality=75, dpi=(300, 300))
        elif kind == 1:
            colour = Image.merge("RGB", (page, page, page))
            ImageDraw.Draw(colour).ellipse(
                (1700, 2800, 2200, 3300), outline=(210, 30, 30), width=14
            )
            path = folder / f"p{index:03d}.jpg"
            colour.save(path, "JPEG", quality=75, dpi=(300, 300))
        else:
            path = folder / f"p{index:03d}.tif"
            page.point(lambda v: 255 if v > 150 else 0).convert("1").save(
                path, "TIFF", compression="group4", dpi=(300, 300)
            )
        pages.append(path)
    return pages


@dataclass
class PdfFigures:
    ours: list[float]
    base: list[float]
    size_ours: int
    size_base: int


def time_pdf(pages: list[Path], out: Path, repeat: int) -> PdfFigures:
    ours: list[float] = []
    base: list[float] = []
    size_ours = size_base = 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = assemble([PageSource(p) for p in pages], out / "ours.pdf")
        ours.append(time.perf_counter() - started)
        size_ours = result.size
        started = time.perf_counter()
        data = img2pdf.convert([str(p) for p in pages])
        (out / "base.pdf").write_bytes(data)
        base.append(time.perf_counter() - started)
        size_base = len(data)
    with pikepdf.open(out / "ours.pdf") as pdf:
        assert len(pdf.pages) == len(pages)
    return PdfFigures(ours, base, size_ours, size_base)


def ocr_page_images(folder: Path, count: int) -> list[Path]:
    rng = random.Random(11)
    font = ImageFont.truetype(str(FONT), 44)
    paths = []
    for index in range(count):
        path = folder / f"ocr{index}.png"
        text_page(rng, font).save(path, dpi=(300, 300))
        paths.append(path)
    return paths


def naive_ocr(paths: list[Path]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    for path in paths:
        subprocess.run(
            ["tesseract", str(path), "stdout", "-l", LANGUAGES],
            capture_output=True,
            env=env,
            check=True,
        )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.platform()}; "
        f"Python {platform.python_version()}; "
        f"img2pdf {img2pdf.__version__}; pikepdf {pikepdf.__version__}; "
        f"{version.splitlines()[0] if version else 'tesseract ?'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ocr-pages", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pdf.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        folder = Path(tmp)
        print(f"making {args.pages} A4 300-dpi pages ...", flush=True)
        pages = make_pages(folder, args.pages)
        input_bytes = sum(p.stat().st_size for p in pages)
        figures = time_pdf(pages, folder, args.repeat)
        ours, base = figures.ours, figures.base
        size_ours, size_base = figures.size_ours, figures.size_base
        mid_ours, mid_base = statistics.median(ours), statistics.median(base)
        print(f"pdf: ours median {mid_ours:.3f}s, img2pdf {mid_base:.3f}s", flush=True)
        ocr_paths = ocr_page_images(folder, args.ocr_pages)
        started = time.perf_counter()
        ocr_pages(ocr_paths)
        ocr_ours = time.perf_counter() - started
        started = time.perf_counter()
        naive_ocr(ocr_paths)
        ocr_naive = time.perf_counter() - started
    t_ratio = statistics.median(ours) / statistics.median(base)
    s_ratio = size_ours / size_base
    ppm_ours = args.ocr_pages / ocr_ours * 60
    ppm_naive = args.ocr_pages / ocr_naive * 60
    lines = [
        "# PDF assembly and OCR benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/bench_pdf.py` "
        f"(--pages {args.pages} --repeat {args.repeat} --ocr-pages {args.ocr_pages}).",
        f"Machine: {machine()}.",
        "",
        f"## PDF: {args.pages} A4 pages at 300 dpi (gray JPEG, colour JPEG, G4 TIFF; "
        f"{input_bytes / 1e6:.1f} MB of page files)",
        "",
        "Baseline: `img2pdf.convert` called directly on the same files, alternating with the app "
        "in the same run.",
        "",
        "| | app `assemble` | img2pdf directly | ratio | goal |",
        "|---|---|---|---|---|",
        f"| time, median of {args.repeat} | {statistics.median(ours):.3f} s | "
        f"{statistics.median(base):.3f} s | {t_ratio:.2f}x | <= 1.5x |",
        f"| time, best | {min(ours):.3f} s | {min(base):.3f} s | {min(ours) / min(base):.2f}x | |",
        f"| PDF size | {size_ours:,} B | {size_base:,} B | {s_ratio:.4f}x | <= 1.05x |",
        "",
        f"Result: time {'meets' if t_ratio <= 1.5 else 'MISSES'} the goal; "
        f"size {'meets' if s_ratio <= 1.05 else 'MISSES'} the goal.",
        "",
        f"## OCR: {args.ocr_pages} dense A4 Chinese pages at 300 dpi, `{LANGUAGES}`",
        "",
        "| | pages per minute | seconds per page |",
        "|---|---|---|",
        f"| app `ocr_pages` (one single-threaded tesseract per core) | {ppm_ours:.1f} | "
        f"{ocr_ours / args.ocr_pages:.2f} |",
        f"| baseline: one tesseract after another, default OpenMP threads | {ppm_naive:.1f} | "
        f"{ocr_naive / args.ocr_pages:.2f} |",
        "",
        f"Ratio: {ppm_ours / ppm_naive:.1f}x the pages per minute of the baseline.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
