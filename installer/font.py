"""The Chinese font the bundle carries for generated documents: a subset of Noto Serif CJK SC.

The system's ``NotoSerifCJK-Regular.ttc`` (Debian fonts-noto-cjk, SIL OFL 1.1) is 26 MB: five
faces (JP, KR, SC, TC, HK) over 65,000 glyphs. The bundle's size budget (120 MB unpacked)
cannot carry it, so the build keeps the SC face, the ideographs of GBK and the punctuation and
symbols official documents use:

- ASCII, Latin-1 and Latin Extended-A/B, general punctuation, letter-like symbols, number
  forms, arrows, enclosed numbers (①), box drawing, geometric shapes;
- CJK symbols and punctuation, Bopomofo, enclosed CJK, CJK compatibility, half- and
  full-width forms;
- CJK Unified Ideographs (U+4E00-U+9FFF) and the compatibility ideographs: every GB 2312
  and GBK hanzi, 23,108 characters in all.

About 7.1 MB. fpdf2 sets text without OpenType shaping, so the layout tables (GSUB, GPOS)
and the vertical metrics go too. Extension A (U+3400-U+4DBF, 6,582 rare characters, +2.1 MB)
and later extensions are not in it: the document renderer refuses such a text with a
Chinese message naming the characters, and an installed full Noto font is preferred anyway
(app/documents/generated/fonts.py), so Linux desks with fonts-noto-cjk have them. Bold falls
back to the regular face, as it does for any font without a bold file.

Subsetting takes one to three minutes, so the result is cached by the source file's hash.
The licence (OFL 1.1; Reserved Font Name "Source", not used by the subset's names) travels
with it: installer/fonts/OFL.txt.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

SUBSET_VERSION = "2"
"""Bump when the ranges or options below change (the cache key includes it)."""

RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2190, 0x23FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x27BF),
    (0x3000, 0x303F),
    (0x3100, 0x312F),
    (0x31A0, 0x31BF),
    (0x3200, 0x33FF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)
DROP_TABLES = ["DSIG", "GSUB", "GPOS", "vhea", "vmtx", "VORG"]
"""fpdf2 sets text horizontally without OpenType shaping: layout and vertical tables unused."""
OUTPUT_NAME = "NotoSerifCJKsc-Regular-subset.otf"


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    sha.update(SUBSET_VERSION.encode())
    return sha.hexdigest()[:16]


def _sc_face(source: Path) -> int:
    """The face number of the Simplified Chinese face (family name ending in SC)."""
    if source.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source), lazy=True)
    try:
        for number, face in enumerate(collection.fonts):
            if (face["name"].getDebugName(1) or "").endswith(" SC"):
                return number
    finally:
        collection.close()
    return 0


def subset_font(source: Path, cache_dir: Path) -> Path:
    """The SC subset of ``source`` (cached in ``cache_dir``), as an OpenType/CFF file."""
    target = cache_dir / _digest(source) / OUTPUT_NAME
    if target.is_file():
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=_sc_face(source))
    cmap = font.getBestCmap() or {}
    unicodes = [u for u in cmap if any(lo <= u <= hi for lo, hi in RANGES)]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    font.save(str(partial))
    font.close()
    shutil.move(partial, target)
    return target
