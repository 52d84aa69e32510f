"""Generated documents: 移送书 with its 回执, 材料目录, 涉案物品清单, 检察意见 reply.

``generate(doc_type, ctx)`` fills the template (app/resources/templates) with a
:class:`DocContext` and draws an A4 PDF in the GB/T 9704 manner with an embedded Chinese font.
Reading the case and storing the result as the case's document is the service's job
(app/services/workflow_documents.py). No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.documents.generated.fonts import FontMissing, document_fonts
from app.documents.generated.layout import DocContext, GlyphsMissing, chinese_date, fill, render
from app.documents.generated.templates import DOC_TYPES, Template, TemplateError, load_template

__all__ = [
    "DOC_TYPES",
    "DocContext",
    "FontMissing",
    "Generated",
    "GlyphsMissing",
    "TemplateError",
    "chinese_date",
    "generate",
    "load_template",
]


@dataclass(frozen=True)
class Generated:
    """A generated PDF with its title and plain text."""

    doc_type: str
    title: str
    number: str
    pdf: bytes
    text: str
    template: Template


def generate(doc_type: str, ctx: DocContext) -> Generated:
    """Fill and draw the document ``doc_type`` for ``ctx``."""
    template = load_template(doc_type)
    pdf, text = render(template, ctx, document_fonts())
    title = fill(template.title, {**ctx.values, "number": ctx.number})
    return Generated(doc_type, title, ctx.number, pdf, text, template)
