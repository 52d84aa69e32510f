"""The Chinese font embedded in generated documents, found once per process.

Order: the file named by ``XIANJIE_PDF_FONT`` (``path`` or ``path#index`` for a collection);
the system's Noto Serif CJK SC (Debian fonts-noto-cjk, SIL Open Font License 1.1), Noto Sans
CJK SC, WenQuanYi Zen Hei; then a font bundled in ``app/resources/fonts/``. The packaged app
bundles a subset of Noto Serif CJK SC (the GB 18030 BMP characters, installer/font.py), so an
installed full font, which also has a bold face and the rare characters, goes first. fpdf2
embeds a subset of TrueType and CFF (OpenType) outlines, so the Noto .ttc files are used as
they are. See docs/generated-documents.md for the choice and the licence.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from app.errors import UserError

ENV = "XIANJIE_PDF_FONT"

SYSTEM_FONTS: tuple[tuple[str, str | None], ...] = (
    (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
)


class FontMissing(UserError):
    """No usable Chinese font: documents cannot be generated."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (``index`` selects the face of a .ttc collection)."""

    path: Path
    index: int
    name: str


@dataclass(frozen=True)
class FontPair:
    """The regular face for text and a bold face for headings (the same face if none)."""

    regular: FontFace
    bold: FontFace


def _simplified_index(path: Path) -> int:
    """The face of a collection meant for Simplified Chinese (name ends in SC), else 0."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for number, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith(" SC"):
                return number
    finally:
        collection.close()
    return 0


def _face(spec: str) -> FontFace:
    text, _, index = spec.partition("#")
    path = Path(text)
    number = int(index) if index.isdigit() else _simplified_index(path)
    return FontFace(path, number, path.stem)


def _bundled() -> Iterable[tuple[str, str | None]]:
    folder = resources.files("app.resources").joinpath("fonts")
    if not folder.is_dir():
        return []
    files = sorted(
        Path(str(f)) for f in folder.iterdir() if f.name.lower().endswith((".ttf", ".otf", ".ttc"))
    )
    regular = [f for f in files if "bold" not in f.name.lower()]
    bold = [f for f in files if "bold" in f.name.lower()]
    return [(str(r), str(bold[0]) if bold else None) for r in regular]


@functools.cache
def document_fonts() -> FontPair:
    """The font pair for generated documents; FontMissing if none is installed."""
    override = os.environ.get(ENV, "").strip()
    if override:
        face = _face(override)
        if not face.path.is_file():
            raise FontMissing(f"{ENV} 指定的字体文件不存在：{face.path}")
        return FontPair(face, face)
    for regular, bold in [*SYSTEM_FONTS, *_bundled()]:
        if Path(regular).is_file():
            face = _face(regular)
            bold_face = _face(bold) if bold and Path(bold).is_file() else face
            return FontPair(face, bold_face)
    raise FontMissing(
        "找不到可嵌入文书的中文字体。请安装 fonts-noto-cjk（Debian/UOS/麒麟），"
        f"或用环境变量 {ENV} 指定字体文件。"
    )


@functools.cache
def covered(path: Path, index: int) -> frozenset[int]:
    """The code points a font face has glyphs for (its Unicode cmap)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        return frozenset(cmap)
    finally:
        font.close()


def missing_characters(text: str, face: FontFace) -> list[str]:
    """Characters of ``text`` (other than whitespace) the face cannot draw, in order."""
    have = covered(face.path, face.index)
    out: list[str] = []
    for ch in text:
        if not ch.isspace() and ord(ch) not in have and ch not in out:
            out.append(ch)
    return out
