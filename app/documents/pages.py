"""The page editor's operations on a list of scanned pages (pure, except the image readers).

Pages are immutable records; every operation returns a new tuple, so the editor can undo by
keeping the old one. Rotation is a number of degrees applied when the PDF is made (the page's
``/Rotate``), so a JPEG page stays byte-for-byte the scan. Blank pages are only *suggested*;
deskew writes a new, re-encoded image and is therefore a choice the clerk makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

from app.errors import UserError


@dataclass(frozen=True)
class Page:
    path: Path
    rotation: int = 0  # clockwise degrees: 0, 90, 180, 270
    dpi: float | None = None
    password: str = ""  # an imported encrypted PDF's (never stored)


Pages = tuple[Page, ...]


def _check_indices(pages: Sequence[Page], indices: Iterable[int]) -> set[int]:
    chosen = set(indices)
    bad = [i for i in chosen if not 0 <= i < len(pages)]
    if bad:
        raise UserError(f"没有第 {min(bad) + 1} 页")
    return chosen


def rotate(pages: Sequence[Page], indices: Iterable[int], degrees: int) -> Pages:
    """Turn the chosen pages clockwise by a multiple of 90 degrees."""
    if degrees % 90:
        raise UserError("页面只能按 90 度的倍数旋转")
    chosen = _check_indices(pages, indices)
    return tuple(
        replace(p, rotation=(p.rotation + degrees) % 360) if i in chosen else p
        for i, p in enumerate(pages)
    )


def delete(pages: Sequence[Page], indices: Iterable[int]) -> Pages:
    chosen = _check_indices(pages, indices)
    return tuple(p for i, p in enumerate(pages) if i not in chosen)


def move(pages: Sequence[Page], indices: Sequence[int], before: int) -> Pages:
    """Move the chosen pages (in their current order) to stand before position ``before``.

    ``before`` counts in the original list (``len(pages)`` means the end), as a drag drops.
    """
    chosen = _check_indices(pages, indices)
    if not 0 <= before <= len(pages):
        raise UserError("目标位置超出范围")
    moving = [p for i, p in enumerate(pages) if i in chosen]
    head = [p for i, p in enumerate(pages[:before]) if i not in chosen]
    tail = [p for i, p in enumerate(pages[before:], start=before) if i not in chosen]
    return (*head, *moving, *tail)


def reorder(pages: Sequence[Page], order: Sequence[int]) -> Pages:
    """The pages in ``order``, which must name every page exactly once."""
    if sorted(order) != list(range(len(pages))):
        raise UserError("新的页序必须恰好包含每一页一次")
    return tuple(pages[i] for i in order)


def split(pages: Sequence[Page], starts: Iterable[int]) -> tuple[Pages, ...]:
    """Split one scan into documents; each index in ``starts`` begins a new document."""
    cuts = sorted(_check_indices(pages, starts) - {0})
    bounds = [0, *cuts, len(pages)]
    return tuple(tuple(pages[a:b]) for a, b in pairwise(bounds) if b > a)


def interleave_duplex(pages: Sequence[Page]) -> Pages:
    """Manual duplex: all fronts were scanned, then the stack turned over and all backs,
    which therefore arrive last-first. Result: front 1, back 1, front 2, back 2, ...
    """
    if len(pages) % 2:
        raise UserError(f"手动双面需要偶数页（正面与反面页数相同），现为 {len(pages)} 页")
    half = len(pages) // 2
    fronts, backs = pages[:half], list(reversed(pages[half:]))
    return tuple(p for pair in zip(fronts, backs, strict=True) for p in pair)


def ink_fraction(path: Path, *, white: int = 179, margin: float = 0.03) -> float:
    """The share of pixels darker than ``white`` (luma), borders of ``margin`` left out."""
    from PIL import Image

    with Image.open(path) as im:
        im.draft("L", (im.width // 4 or 1, im.height // 4 or 1))  # JPEG: decode at 1/4 size
        gray = im.convert("L")
    mx, my = int(gray.width * margin), int(gray.height * margin)
    gray = gray.crop((mx, my, gray.width - mx, gray.height - my))
    histogram = gray.histogram()
    total = sum(histogram)
    return sum(histogram[:white]) / total if total else 0.0


def suggest_blank(pages: Sequence[Page], *, coverage: float = 0.0015) -> list[int]:
    """Indices of pages that look blank (ink below ``coverage``): a suggestion only.

    Entries that are not single images (an imported PDF) are never suggested.
    """
    blank: list[int] = []
    for i, page in enumerate(pages):
        try:
            fraction = ink_fraction(page.path)
        except OSError:  # not an image Pillow reads (a PDF): not a blank scan
            continue
        if fraction < coverage:
            blank.append(i)
    return blank


def skew_angle(path: Path, *, limit: float = 5.0, step: float = 0.25) -> float:
    """The angle (degrees, counter-clockwise) that makes the text lines most horizontal."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        im.draft("L", (im.width // 4 or 1, im.height // 4 or 1))
        gray = im.convert("L")
    gray.thumbnail((800, 800))
    ink = ImageOps.invert(gray)
    best, best_score = 0.0, -1.0
    steps = int(limit / step)
    for k in range(-steps, steps + 1):
        angle = k * step
        turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
        rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).tobytes())
        mean = sum(rows) / len(rows)
        score = sum((r - mean) ** 2 for r in rows)
        if score > best_score:
            best, best_score = angle, score
    return best


def deskew(page: Page, out: Path) -> Page:
    """A straightened copy of the page in ``out`` (re-encoded: only when the clerk asks)."""
    from PIL import Image

    angle = skew_angle(page.path)
    with Image.open(page.path) as im:
        dpi = im.info.get("dpi")
        fill = 1 if im.mode == "1" else (255 if im.mode == "L" else (255, 255, 255))
        turned = im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
        extra = {"dpi": dpi} if dpi else {}
        if im.mode == "1":
            turned.save(out, format="TIFF", compression="group4", **extra)
        else:
            turned.save(out, format="JPEG", quality=90, **extra)
    return replace(page, path=out)
