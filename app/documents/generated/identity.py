"""Re-encode fpdf2's CFF CID fonts with ``/Identity-H`` so every PDF reader extracts their text.

For a CID-keyed CFF font (Noto Serif CJK), fpdf2 2.8 numbers the characters it uses 0, 1, 2, …
(2-byte codes in the content streams, keys of the ToUnicode map) and gives the Type0 font an
embedded encoding CMap stream (``begincidchar``: code -> the glyph's CID in the subset). That
is valid PDF (ISO 32000 9.7.5), and poppler reads it, but pypdf (7.x) only knows named
encodings: it takes the stream for a simple font's encoding and splits the 2-byte codes into
single bytes, so its text has a NUL before every character.

:func:`identity_encode` writes the CIDs themselves into the text strings, keys the ToUnicode
map by CID and names ``/Identity-H`` (code = CID) as the encoding. The same CIDs select the
same glyphs of the same embedded subset, and the widths (``/W``) are already keyed by CID, so
the pages render exactly as before. A font whose encoding CMap is anything else (other code
lengths, ranges, ``usecmap``) is left as fpdf2 wrote it.
"""

from __future__ import annotations

import io
import re
from typing import Any

_CODESPACE = re.compile(
    rb"begincodespacerange\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*endcodespacerange"
)
_CIDCHAR_BLOCK = re.compile(rb"begincidchar(.*?)endcidchar", re.S)
_CIDCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*(\d+)")
_BFCHAR_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>(\s*<[0-9A-Fa-f]+>)")
_UNSUPPORTED = (b"usecmap", b"begincidrange", b"beginnotdefchar", b"beginnotdefrange")
_TU_UNSUPPORTED = (b"beginbfrange",)
_TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def _code_to_cid(cmap: bytes) -> dict[int, int] | None:
    """Code -> CID of a 2-byte cidchar encoding CMap, or None if it is of another kind."""
    space = _CODESPACE.findall(cmap)
    if space != [(b"0000", b"FFFF")] and space != [(b"0000", b"ffff")]:
        return None
    if any(word in cmap for word in _UNSUPPORTED):
        return None
    mapping: dict[int, int] = {}
    for block in _CIDCHAR_BLOCK.findall(cmap):
        for code, cid in _CIDCHAR.findall(block):
            mapping[int(code, 16)] = int(cid)
    if not mapping or max(mapping.values()) > 0xFFFF:
        return None
    if len(set(mapping.values())) != len(mapping):
        return None  # two codes, one glyph: the ToUnicode map could not be re-keyed
    return mapping


def _rekey_to_unicode(cmap: bytes, mapping: dict[int, int]) -> bytes | None:
    """The ToUnicode CMap with its bfchar keys changed from codes to CIDs."""
    if any(word in cmap for word in _TU_UNSUPPORTED):
        return None
    missing = False

    def key(match: re.Match[bytes]) -> bytes:
        nonlocal missing
        code = int(match.group(1), 16)
        if code not in mapping:
            missing = True
            return match.group(0)
        return b"<%04X>%s" % (mapping[code], match.group(2))

    def block(match: re.Match[bytes]) -> bytes:
        return b"beginbfchar" + _BFCHAR.sub(key, match.group(1)) + b"endbfchar"

    out = _BFCHAR_BLOCK.sub(block, cmap)
    return None if missing else out


def _recode(data: bytes, mapping: dict[int, int]) -> bytes | None:
    """A text string's 2-byte codes replaced by their CIDs (None if a code is unknown)."""
    if len(data) % 2:
        return None
    out = bytearray()
    for i in range(0, len(data), 2):
        cid = mapping.get((data[i] << 8) | data[i + 1])
        if cid is None:
            return None
        out += cid.to_bytes(2, "big")
    return bytes(out)


def _rewrite_content(
    pdf: Any, holder: Any, mappings: dict[tuple[int, int], dict[int, int]]
) -> None:
    """Re-encode the text strings of a page or form XObject drawn in the re-encoded fonts."""
    import pikepdf

    resources = holder.get("/Resources")
    fonts = resources.get("/Font") if resources is not None else None
    by_name: dict[str, dict[int, int]] = {}
    if fonts is not None:
        for name, font in fonts.items():
            if font.objgen in mappings:
                by_name[name] = mappings[font.objgen]
    xobjects = resources.get("/XObject") if resources is not None else None
    if xobjects is not None:
        for xobject in xobjects.values():
            if xobject.get("/Subtype") == "/Form":
                _rewrite_content(pdf, xobject, mappings)
    if not by_name:
        return

    instructions = pikepdf.parse_content_stream(holder)
    current: dict[int, int] | None = None
    saved: list[dict[int, int] | None] = []
    changed = False
    out: list[Any] = []

    def recode(value: Any) -> Any:
        nonlocal changed
        if current is None or not isinstance(value, pikepdf.String):
            return value
        recoded = _recode(bytes(value), current)
        if recoded is None:
            raise ValueError("a text string uses a code the encoding CMap does not map")
        changed = True
        return pikepdf.String(recoded)

    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            out.append(instruction)
            continue
        operands, operator = list(instruction.operands), str(instruction.operator)
        if operator == "q":
            saved.append(current)
        elif operator == "Q":
            current = saved.pop() if saved else None
        elif operator == "Tf" and operands:
            current = by_name.get(str(operands[0]))
        elif operator in _TEXT_OPERATORS:
            if operator == "TJ" and operands and isinstance(operands[0], pikepdf.Array):
                operands[0] = pikepdf.Array([recode(item) for item in operands[0]])
            elif operands:
                operands[-1] = recode(operands[-1])
        out.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(operator)))
    if changed:
        content = pikepdf.unparse_content_stream(out)
        if holder.get("/Type") == "/Page":
            holder.Contents = pdf.make_stream(content)
        else:
            holder.write(content)


def _page_fonts(page: Any) -> list[Any]:
    """The font dictionaries a page names in its resources."""
    resources = page.get("/Resources")
    fonts = resources.get("/Font") if resources is not None else None
    return list(fonts.values()) if fonts is not None else []


def identity_encode(data: bytes) -> bytes:
    """The PDF ``data`` with its embedded-CMap Type0 fonts re-encoded as ``/Identity-H``."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        mappings: dict[tuple[int, int], dict[int, int]] = {}
        new_to_unicode: dict[tuple[int, int], bytes] = {}
        for page in pdf.pages:
            for font in _page_fonts(page.obj):
                if font.objgen in mappings or font.objgen == (0, 0):
                    continue
                if font.get("/Subtype") != "/Type0":
                    continue
                encoding = font.get("/Encoding")
                to_unicode = font.get("/ToUnicode")
                if not isinstance(encoding, pikepdf.Stream) or not isinstance(
                    to_unicode, pikepdf.Stream
                ):
                    continue
                mapping = _code_to_cid(encoding.read_bytes())
                if mapping is None:
                    continue
                rekeyed = _rekey_to_unicode(to_unicode.read_bytes(), mapping)
                if rekeyed is None:
                    continue
                mappings[font.objgen] = mapping
                new_to_unicode[font.objgen] = rekeyed
        if not mappings:
            return data
        try:
            for page in pdf.pages:
                _rewrite_content(pdf, page.obj, mappings)
        except ValueError:
            return data  # a string outside the map: keep fpdf2's PDF as it is
        for page in pdf.pages:
            for font in _page_fonts(page.obj):
                if font.objgen in new_to_unicode and isinstance(
                    font.get("/Encoding"), pikepdf.Stream
                ):
                    font.Encoding = pikepdf.Name("/Identity-H")
                    font.ToUnicode = pdf.make_stream(new_to_unicode[font.objgen])
        out = io.BytesIO()
        pdf.save(out, compress_streams=True, deterministic_id=True)
        return out.getvalue()
