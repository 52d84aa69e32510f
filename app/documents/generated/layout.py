"""A4 PDF in the GB/T 9704-2012 manner, drawn with fpdf2 and an embedded Chinese font.

Page: A4, 天头 (top margin) 37 mm, 订口 (left) 28 mm, 版心 156 × 225 mm, so right 26 mm and
bottom 35 mm. 版头: the issuing organ's name in red, centred (发文机关标志), the 发文字号 centred
below it and a red separator line across the 版心. Then the title (2号, 22 pt, bold), the
addressee, the body in 3号 (16 pt) with a two-character first-line indent, about 28 characters
by 22 lines a page; tables in 4号 (14 pt); the 落款 (organ and date) to the right, four
characters in from the edge; the 抄送 line; page numbers ``— n —`` in 4号 below the 版心,
odd pages right, even pages left. The fonts are substitutes for 方正小标宋/仿宋 (see
docs/generated-documents.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.documents.generated.fonts import FontPair, missing_characters
from app.documents.generated.identity import identity_encode
from app.documents.generated.templates import Table, Template, TemplateError
from app.errors import UserError

PAGE_W, PAGE_H = 210.0, 297.0
TOP, LEFT, WIDTH, HEIGHT = 37.0, 28.0, 156.0, 225.0
RIGHT = PAGE_W - LEFT - WIDTH
BOTTOM = PAGE_H - TOP - HEIGHT
BODY_PT, TITLE_PT, SMALL_PT = 16.0, 22.0, 14.0
LINE = HEIGHT / 22  # 22 lines of 3号 text on a page
PT_MM = 25.4 / 72
RED = (230, 0, 18)
INDENT = 2 * BODY_PT * PT_MM  # two characters


class GlyphsMissing(UserError):
    """The embedded font lacks characters the document needs (they would print as boxes)."""


@dataclass(frozen=True)
class DocContext:
    """What a document is filled with (plain data, read from the store by the service)."""

    unit_name: str
    number: str
    issued_on: date
    values: Mapping[str, str]
    rows: Mapping[str, Sequence[Mapping[str, str]]]


def chinese_date(day: date) -> str:
    """``2025年3月1日`` (GB/T 9704-2012 §7.3.5.1: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


NO_LINE_START = set("，。、：；！？）》」』〕】”’,.;:!?)%")
"""Characters that must not begin a line (they stay at the end of the line before)."""
NO_LINE_END = set("（《「『〔【“‘(")
"""Characters that must not end a line (they move to the start of the next)."""


def wrap(text: str, first_width: float, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` broken into lines that fit, character by character (CJK may break anywhere);
    punctuation that may not start a line is kept on the line before, Latin words and numbers
    are kept whole when they fit on a line."""
    lines: list[str] = []
    line = ""
    limit = first_width
    tokens = re.findall(r"[A-Za-z0-9.,%¥\-]+|.", text)
    for token in tokens:
        if measure(line + token) <= limit or not line or token in NO_LINE_START:
            line += token
            continue
        if measure(token) > width:  # a very long Latin run: break it by characters
            for ch in token:
                if measure(line + ch) > limit and line:
                    lines.append(line)
                    line, limit = "", width
                line += ch
            continue
        if line[-1] in NO_LINE_END and len(line) > 1:  # an opening bracket starts the next line
            line, token = line[:-1], line[-1] + token
        lines.append(line)
        line, limit = token, width
    if line or not lines:
        lines.append(line)
    return lines


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its ``{placeholders}`` filled; an unknown one is a template error."""
    try:
        return text.format_map(values)
    except KeyError as exc:
        raise TemplateError(f"文书模板使用了未知的占位符 {exc.args[0]}") from exc


class _Pdf:
    """The fpdf2 document with the house layout (page numbers in the footer)."""

    def __init__(self, fonts: FontPair) -> None:
        from fpdf import FPDF

        outer = self

        class Doc(FPDF):
            def footer(self) -> None:
                outer.page_number()

        self.pdf: Any = Doc(orientation="P", unit="mm", format="A4")
        pdf = self.pdf
        pdf.set_margins(LEFT, TOP, RIGHT)
        pdf.set_auto_page_break(True, margin=BOTTOM)
        pdf.add_font("cjk", "", str(fonts.regular.path), collection_font_number=fonts.regular.index)
        pdf.add_font("cjk", "B", str(fonts.bold.path), collection_font_number=fonts.bold.index)
        pdf.set_creator("Xianjie")
        pdf.set_lang("zh-CN")
        self.text: list[str] = []

    def page_number(self) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", "", SMALL_PT)
        pdf.set_text_color(0, 0, 0)
        number = f"— {pdf.page_no()} —"
        pdf.set_y(PAGE_H - BOTTOM + 7)
        align = "R" if pdf.page_no() % 2 else "L"
        pdf.set_x(LEFT)
        pdf.cell(
            WIDTH, 6, ("\u3000" + number) if align == "L" else (number + "\u3000"), align=align
        )

    def write(
        self,
        text: str,
        *,
        size: float = BODY_PT,
        bold: bool = False,
        align: str = "L",
        color: tuple[int, int, int] = (0, 0, 0),
        height: float = LINE,
        right_indent: float = 0.0,
        indent: float = 0.0,
    ) -> None:
        """Draw ``text`` wrapped to the 版心; ``indent`` (mm) moves the first line in."""
        pdf = self.pdf
        pdf.set_font("cjk", "B" if bold else "", size)
        pdf.set_text_color(*color)
        width = WIDTH - right_indent
        for number, line in enumerate(wrap(text, width - indent, width, pdf.get_string_width)):
            shift = indent if number == 0 else 0.0
            pdf.set_x(LEFT + shift)
            pdf.cell(width - shift, height, line, align=align, new_x="LMARGIN", new_y="NEXT")
        self.text.append(text)

    def blank(self, lines: float = 1) -> None:
        self.pdf.ln(LINE * lines)

    def red_rule(self) -> None:
        pdf = self.pdf
        y = pdf.get_y() + 2
        pdf.set_draw_color(*RED)
        pdf.set_line_width(0.6)
        pdf.line(LEFT, y, LEFT + WIDTH, y)
        pdf.set_y(y + 2)

    def thin_rule(self) -> None:
        pdf = self.pdf
        y = pdf.get_y() + 1
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.25)
        pdf.line(LEFT, y, LEFT + WIDTH, y)
        pdf.set_y(y + 1)

    def table(self, table: Table, rows: Sequence[Mapping[str, str]]) -> None:
        pdf = self.pdf
        if table.heading:
            self.write(table.heading, size=SMALL_PT, bold=True, align="C", height=9)
        pdf.set_font("cjk", "", SMALL_PT)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.25)
        widths = [c.width for c in table.columns]
        with pdf.table(
            col_widths=widths,
            width=sum(widths),
            line_height=8,
            first_row_as_headings=True,
            text_align="CENTER",
        ) as grid:
            header = grid.row()
            for column in table.columns:
                header.cell(column.title)
                self.text.append(column.title)
            for values in rows:
                row = grid.row()
                for column in table.columns:
                    cell = str(values.get(column.key, ""))
                    row.cell(cell)
                    self.text.append(cell)
        pdf.ln(2)

    def signature(self, name: str, day: str) -> None:
        self.blank(1)
        indent = 4 * BODY_PT * PT_MM
        if name:
            self.write(name, align="R", right_indent=indent)
        if day:
            self.write(day, align="R", right_indent=indent)


def _check_glyphs(texts: Sequence[str], fonts: FontPair) -> None:
    joined = "".join(texts)
    missing = missing_characters(joined, fonts.regular)
    if fonts.bold != fonts.regular:
        missing += [c for c in missing_characters(joined, fonts.bold) if c not in missing]
    if missing:
        raise GlyphsMissing(
            f"文书字体中没有这些字，无法生成文书：{''.join(missing)}。"
            "请换用字库更全的字体（见 docs/generated-documents.md）"
        )


def render(template: Template, ctx: DocContext, fonts: FontPair) -> tuple[bytes, str]:
    """The PDF bytes and the document's plain text (for search)."""
    values = {**ctx.values, "number": ctx.number, "unit_name": ctx.unit_name}
    title = fill(template.title, values)
    body = [fill(p, values) for p in template.paragraphs]
    body = [p for p in body if p.strip()]
    closing = [fill(p, values) for p in template.closing]
    addressee = fill(template.addressee, values)
    cc = fill(template.cc, values)
    day = chinese_date(ctx.issued_on)
    rows = list(ctx.rows.get(template.table.rows, ())) if template.table else []
    receipt_parts: list[str] = []
    if template.receipt is not None:
        receipt_parts = [
            template.receipt.title,
            *(fill(p, values) for p in template.receipt.paragraphs),
            fill(template.receipt.signature, values),
        ]
    _check_glyphs(
        [
            ctx.unit_name,
            ctx.number,
            title,
            addressee,
            *body,
            *closing,
            cc,
            day,
            "—0123456789\u3000",
            *receipt_parts,
            *(t.title for t in (template.table.columns if template.table else ())),
            template.table.heading if template.table else "",
            *(v for row in rows for v in row.values()),
        ],
        fonts,
    )
    doc = _Pdf(fonts)
    pdf = doc.pdf
    pdf.set_title(title)
    pdf.set_author(ctx.unit_name)
    pdf.set_subject(template.source)
    pdf.add_page()
    size = min(30.0, WIDTH / (max(len(ctx.unit_name), 1) * PT_MM * 1.05))
    doc.write(ctx.unit_name, size=size, bold=True, align="C", color=RED, height=size * PT_MM * 1.4)
    doc.blank(0.5)
    doc.write(ctx.number, align="C")
    doc.red_rule()
    doc.blank(1)
    doc.write(title, size=TITLE_PT, bold=True, align="C", height=TITLE_PT * PT_MM * 1.5)
    doc.blank(0.5)
    if addressee.strip():
        doc.write(addressee)
    for paragraph in body:
        doc.write(paragraph, indent=INDENT)
    if template.table is not None:
        doc.table(template.table, rows)
    for paragraph in closing:
        doc.write(paragraph, indent=INDENT)
    doc.signature(ctx.unit_name, day)
    if cc.strip():
        doc.blank(0.5)
        doc.thin_rule()
        doc.write(cc, size=SMALL_PT, height=8)
        doc.thin_rule()
    if template.receipt is not None:
        pdf.add_page()
        doc.write(receipt_parts[0], size=TITLE_PT, bold=True, align="C", height=14)
        doc.blank(0.5)
        for paragraph in receipt_parts[1:-1]:
            doc.write(paragraph, indent=0 if paragraph.endswith("：") else INDENT)
        doc.signature(receipt_parts[-1], "")
    # fpdf2 encodes CFF CID fonts with an embedded CMap, which pypdf cannot read (identity.py)
    return identity_encode(bytes(pdf.output())), "\n".join(doc.text)
