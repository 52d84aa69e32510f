"""Lossless PDF assembly: page images and imported PDFs into one PDF.

JPEG, PNG and CCITT G4 TIFF data go into the PDF unchanged (img2pdf copies the bytes);
bilevel pages in any other container are re-encoded as CCITT G4 (lossless); BMP becomes a
PNG (lossless). Page size comes from the real resolution of each page (the scanner's, or the
file's own), never from Pillow's 72-dpi assumption. Pages of imported PDFs are copied as they
are (pikepdf). Pillow's PDF writer is never used: it re-encodes every page as JPEG.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.documents.errors import FileRefused
from app.documents.importer import DEFAULT_LIMITS, Limits, inspect
from app.store.files import write_atomic

DEFAULT_DPI = 300.0


@dataclass(frozen=True)
class PageSource:
    """One input file: an image (possibly multi-page TIFF) or a PDF."""

    path: Path
    dpi: float | None = None  # the scanner's resolution; None: the file's own, else default
    password: str = ""
    rotation: int = 0  # clockwise degrees, set as the page's /Rotate (pixels untouched)


@dataclass(frozen=True)
class AssemblyResult:
    out: Path
    pages: int
    size: int


def _dpi_of(info: Mapping[Any, Any]) -> float | None:
    dpi = info.get("dpi")
    if not isinstance(dpi, tuple) or not dpi:
        return None
    x = float(dpi[0])
    if x <= 1.5:
        return None  # JFIF "aspect ratio only" reports 1
    whole = round(x)
    return float(whole) if abs(x - whole) < 0.01 else x  # PNG stores dots per metre


def file_dpi(path: Path) -> float | None:
    """The resolution recorded in an image file, or None when it records none."""
    from PIL import Image

    with Image.open(path) as im:
        return _dpi_of(im.info)


def describe(path: Path, kind: str) -> tuple[float | None, bool]:
    """The file's dpi, and whether img2pdf could not embed it as it is without losing or
    bloating it (BMP; bilevel frames not already CCITT G4). One header read."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = _dpi_of(im.info)
        if kind == "bmp":
            return dpi, True
        if kind == "jpeg":
            return dpi, False
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            g4 = kind == "tiff" and im.info.get("compression") == "group4"
            if im.mode == "1" and not g4:
                return dpi, True
    return dpi, False


def _transcode(path: Path, workdir: Path, stem: str) -> list[Path]:
    """Lossless re-encoding: bilevel frames to G4 TIFF, anything else to PNG."""
    from PIL import Image

    out: list[Path] = []
    with Image.open(path) as im:
        dpi = im.info.get("dpi")
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            frame = im.copy()
            extra = {"dpi": dpi} if dpi else {}
            if frame.mode == "1":
                target = workdir / f"{stem}-{index}.tif"
                frame.save(target, format="TIFF", compression="group4", **extra)
            else:
                if frame.mode not in ("L", "RGB", "LA", "RGBA", "P", "I;16"):
                    frame = frame.convert("RGB")
                target = workdir / f"{stem}-{index}.png"
                frame.save(target, format="PNG", **extra)
            out.append(target)
    return out


def _image_run_pdf(images: Sequence[Path], dpi: float) -> bytes:
    import img2pdf  # type: ignore[import-untyped]

    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    try:
        data = img2pdf.convert([str(p) for p in images], layout_fun=layout)
    except Exception as exc:  # img2pdf refuses odd inputs with exception types of its own
        names = "、".join(p.name for p in images[:3])
        raise FileRefused(f"无法把图像（{names}）合成为 PDF", detail=str(exc)) from exc
    assert isinstance(data, bytes)
    return data


@dataclass
class _Run:
    kind: str  # images | pdf
    dpi: float
    paths: list[Path]
    password: str = ""


def _runs(
    sources: Sequence[PageSource],
    workdir: Path,
    limits: Limits,
    default_dpi: float,
    rotations: list[int],
) -> Iterator[_Run]:
    current: _Run | None = None
    for number, source in enumerate(sources):
        checked = inspect(source.path, limits, source.password, decode=False)
        rotations.extend([source.rotation % 360] * checked.page_count)
        if checked.kind == "pdf":
            if current is not None:
                yield current
                current = None
            yield _Run("pdf", 0.0, [source.path], source.password)
            continue
        own_dpi, transcode = describe(source.path, checked.kind)
        dpi = source.dpi or own_dpi or default_dpi
        files = [source.path]
        if transcode:
            files = _transcode(source.path, workdir, f"p{number:05d}")
        if current is not None and current.dpi != dpi:
            yield current
            current = None
        if current is None:
            current = _Run("images", dpi, [])
        current.paths.extend(files)
    if current is not None:
        yield current


def assemble(
    sources: Sequence[PageSource],
    out: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    default_dpi: float = DEFAULT_DPI,
) -> AssemblyResult:
    """Write one PDF of all ``sources``, in order, to ``out`` (atomically)."""
    import pikepdf

    if not sources:
        raise FileRefused("没有要合成的页面")
    with tempfile.TemporaryDirectory(prefix="xianjie-pdf-") as tmp:
        rotations: list[int] = []
        runs = list(_runs(sources, Path(tmp), limits, default_dpi, rotations))
        if (
            len(runs) == 1 and runs[0].kind == "images" and not any(rotations)
        ):  # the common scan: no re-save
            data = _image_run_pdf(runs[0].paths, runs[0].dpi)
            write_atomic(out, data)
            with pikepdf.open(io.BytesIO(data)) as check:
                return AssemblyResult(out, len(check.pages), len(data))
        merged = pikepdf.new()
        opened: list[pikepdf.Pdf] = []
        try:
            for run in runs:
                if run.kind == "pdf":
                    part = pikepdf.open(run.paths[0], password=run.password)
                else:
                    part = pikepdf.open(io.BytesIO(_image_run_pdf(run.paths, run.dpi)))
                opened.append(part)
                merged.pages.extend(part.pages)
            for page, turn in zip(merged.pages, rotations, strict=False):
                if turn:
                    page.Rotate = (int(page.obj.get("/Rotate", 0)) + turn) % 360
            buffer = io.BytesIO()
            merged.save(buffer)
        finally:
            for part in opened:
                part.close()
        pages = len(merged.pages)
        merged.close()
    write_atomic(out, buffer.getvalue())
    return AssemblyResult(out, pages, len(buffer.getvalue()))
