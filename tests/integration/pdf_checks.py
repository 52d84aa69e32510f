"""Checks a generated PDF must pass: pypdf opens it, its Chinese text is extractable, pdffonts
shows every font embedded, pdftoppm renders every page with ink on it, and no character fell
back to the missing glyph (.notdef).

Used by the generated-document, workflow CLI and workflow UI tests.
"""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.cffLib import CFFFontSet
from PIL import Image
from pypdf import PdfReader

from app.documents.generated.fonts import covered, document_fonts

_BFCHAR = re.compile(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,8})>")


def squash(text: str) -> str:
    """Text without whitespace (extractors differ in the spaces they insert)."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class PdfReport:
    pages: int
    text: str  # whitespace removed
    fonts: list[str]


def _font_glyphs(reader: PdfReader) -> tuple[dict[str, int], int]:
    """Character -> code from every font's ToUnicode map; and the embedded glyph count."""
    chars: dict[str, int] = {}
    glyphs = 0
    seen: set[int] = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            if id(font) in seen or font.get("/Subtype") != "/Type0":
                continue
            seen.add(id(font))
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for code, uni in _BFCHAR.findall(cmap):
                text = bytes.fromhex(uni).decode("utf-16-be")
                if int(code, 16):
                    chars.setdefault(text, int(code, 16))
            descendant = font["/DescendantFonts"][0].get_object()
            data = descendant["/FontDescriptor"]["/FontFile3"].get_object().get_data()
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            glyphs += len(cff[cff.fontNames[0]].charset) - 1  # without .notdef
    return chars, glyphs


def check_pdf(path: Path, expected: list[str], tmp: Path) -> PdfReport:
    """Run every check on ``path``; ``expected`` texts must appear in the extracted text."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = squash("".join(page.extract_text() for page in reader.pages))
    assert "\x00" not in text  # plain pypdf extraction, nothing stripped but whitespace
    for wanted in expected:
        assert squash(wanted) in text, f"{wanted!r} not in the PDF text"

    poppler = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\x00" not in poppler
    for wanted in expected:
        assert squash(wanted) in squash(poppler), f"{wanted!r} not in pdftotext's text"

    # Every character drawn maps to a real glyph (code 0 is .notdef) the source font has.
    chars, glyphs = _font_glyphs(reader)
    face = document_fonts().regular
    have = covered(face.path, face.index)
    for ch in set(text):
        assert ch in chars, f"{ch!r} has no glyph in the embedded fonts"
        assert ord(ch) in have, f"{ch!r} is not in {face.path.name}"
    assert glyphs >= len({c for c in chars if not c.isspace()}) // 2  # two faces share chars

    pdffonts = subprocess.run(
        [shutil.which("pdffonts") or "pdffonts", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    assert pdffonts, "no fonts in the PDF"
    for line in pdffonts:
        columns = line.split()
        assert columns[-5] == "yes", f"font not embedded: {line}"  # emb sub uni object ID
    names = [line.split()[0] for line in pdffonts]

    prefix = tmp / path.stem
    subprocess.run(
        [shutil.which("pdftoppm") or "pdftoppm", "-r", "30", "-gray", str(path), str(prefix)],
        check=True,
        capture_output=True,
    )
    images = sorted(tmp.glob(f"{path.stem}-*.pgm"))
    assert len(images) == len(reader.pages)
    for image in images:
        with Image.open(image) as page:
            width, height = page.size
            # the 版心 (type area) must carry ink: dark pixels in its upper half
            region = page.crop(
                (int(width * 0.13), int(height * 0.12), int(width * 0.87), height // 2)
            )
            dark = sum(region.histogram()[:128])
            assert dark > 200, f"{image.name}: the page rendered blank"
    return PdfReport(len(reader.pages), text, names)
