"""Check a file before it is imported: type by content, size, page and pixel limits.

The type comes from the first bytes, never from the name, so a PNG called ``.pdf`` imports as
a PNG. Pixel counts are read from headers (image headers; image dictionaries inside a PDF)
and checked *before* anything is decoded, so a decompression bomb is refused cheaply. After
the limits, every image page is decoded once so a truncated file is refused here, not later.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from app.documents.errors import FileRefused, PasswordRequired

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
}


@dataclass(frozen=True)
class Limits:
    """What an import may be: bytes per file, pages per file, pixels per page."""

    max_file_bytes: int = 300 * 1024 * 1024
    max_pages: int = 1000
    max_pixels: int = 120_000_000  # A3 at 600 dpi is about 70 million


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class InspectedFile:
    """A file that passed every check."""

    path: Path
    kind: str  # pdf | jpeg | png | tiff | bmp
    media_type: str
    size: int
    page_count: int
    encrypted: bool = False


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes, or None when it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 26:
        return "bmp"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def inspect(
    path: Path, limits: Limits = DEFAULT_LIMITS, password: str = "", *, decode: bool = True
) -> InspectedFile:
    """Check ``path`` against ``limits``; raise :class:`FileRefused` with a clear reason.

    ``decode=False`` (for pages the scanner just wrote) replaces the full decode of JPEG and
    PNG pages by a check that the file ends where its format says it ends.
    """
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise FileRefused(f"无法读取文件“{name}”", detail=exc.strerror or str(exc)) from exc
    if size == 0:
        raise FileRefused(f"文件“{name}”是空文件")
    if size > limits.max_file_bytes:
        mb = limits.max_file_bytes // (1024 * 1024)
        raise FileRefused(f"文件“{name}”超过大小上限（{mb} MB）")
    kind = sniff(head)
    if kind is None:
        raise FileRefused(f"文件“{name}”不是支持的类型（PDF、JPEG、PNG、TIFF、BMP）")
    if kind == "pdf":
        pages, encrypted = _check_pdf(path, limits, password)
    else:
        pages, encrypted = _check_image(path, kind, limits, decode), False
    return InspectedFile(path, kind, MEDIA_TYPES[kind], size, pages, encrypted)


def _too_many_pixels(name: str, width: int, height: int, limits: Limits) -> FileRefused:
    return FileRefused(
        f"文件“{name}”的图像过大（{width}×{height} 像素），超过 {limits.max_pixels:,} 像素的上限，"
        "可能是“解压炸弹”，已拒绝"
    )


def _ends_properly(path: Path, kind: str) -> bool:
    """JPEG ends with EOI, PNG with its IEND chunk (a cut-off file does not)."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 64))
        tail = fh.read().rstrip(b"\x00\r\n ")
    if kind == "jpeg":
        return tail.endswith(b"\xff\xd9")
    return tail.endswith(b"IEND\xaeB`\x82")


def _check_image(path: Path, kind: str, limits: Limits, decode: bool = True) -> int:
    from PIL import Image

    name = path.name
    damaged = f"文件“{name}”已损坏或不完整，无法导入"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # own limit
            with Image.open(path) as im:
                frames = getattr(im, "n_frames", 1)
                if frames > limits.max_pages:
                    raise FileRefused(
                        f"文件“{name}”有 {frames} 页，超过 {limits.max_pages} 页的上限"
                    )
                for index in range(frames):  # headers first: nothing decoded yet
                    im.seek(index)
                    width, height = im.size
                    if width * height > limits.max_pixels:
                        raise _too_many_pixels(name, width, height, limits)
                if not decode and kind in ("jpeg", "png"):
                    if not _ends_properly(path, kind):
                        raise FileRefused(damaged)
                else:
                    for index in range(frames):
                        im.seek(index)
                        im.load()
    except FileRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise FileRefused(f"文件“{name}”的图像过大，可能是“解压炸弹”，已拒绝") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FileRefused(damaged, detail=str(exc)) from exc
    if frames == 0:
        raise FileRefused(f"文件“{name}”没有任何页面")
    return int(frames)


def _check_pdf(path: Path, limits: Limits, password: str) -> tuple[int, bool]:
    import pikepdf

    name = path.name
    try:
        pdf = pikepdf.open(path, password=password, attempt_recovery=False)
    except pikepdf.PasswordError as exc:
        if password:
            raise PasswordRequired(f"PDF 文件“{name}”的密码不正确") from exc
        raise PasswordRequired(f"PDF 文件“{name}”已加密，请输入密码后再导入") from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise FileRefused(f"PDF 文件“{name}”已损坏或不完整，无法导入", detail=str(exc)) from exc
    with pdf:
        try:
            pages = len(pdf.pages)
            if pages == 0:
                raise FileRefused(f"PDF 文件“{name}”没有任何页面")
            if pages > limits.max_pages:
                raise FileRefused(
                    f"PDF 文件“{name}”有 {pages} 页，超过 {limits.max_pages} 页的上限"
                )
            for page in pdf.pages:
                for _key, image in page.get_images().items():
                    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
                    if width * height > limits.max_pixels:
                        raise _too_many_pixels(name, width, height, limits)
        except FileRefused:
            raise
        except (pikepdf.PdfError, KeyError, TypeError, ValueError) as exc:
            raise FileRefused(f"PDF 文件“{name}”已损坏，无法导入", detail=str(exc)) from exc
        return pages, bool(pdf.is_encrypted)
