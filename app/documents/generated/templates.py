"""Document templates as data (``app/resources/templates/<doc_type>.json``).

A template names the document type, its title, the word of its 发文字号, the legal source,
the addressee, paragraphs with ``{placeholders}``, an optional table, an optional 抄送 line and,
for the transfer letter, the 回执 printed on its own page. Placeholders are filled from
:class:`~app.documents.generated.context.DocContext` values; an unknown placeholder is a broken
template and is refused when the template is loaded by the tests.
"""

from __future__ import annotations

import functools
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from app.errors import UserError

DOC_TYPES = ("transfer_letter", "materials_list", "seized_items_list", "opinion_reply")
"""The documents Xianjie generates (``xianjie make-document CASE-ID TYPE``)."""


class TemplateError(UserError):
    """A template file cannot be used."""


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: float  # millimetres


@dataclass(frozen=True)
class Table:
    heading: str
    rows: str  # which context rows: materials | seized_items
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Receipt:
    title: str
    paragraphs: tuple[str, ...]
    signature: str


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    doc_type: str
    title: str
    number_word: str
    source: str
    addressee: str
    paragraphs: tuple[str, ...]
    table: Table | None = None
    closing: tuple[str, ...] = ()
    cc: str = ""
    receipt: Receipt | None = None
    texts: tuple[str, ...] = field(default=(), repr=False)

    def placeholders(self) -> set[str]:
        """Every ``{name}`` the template uses."""
        names: set[str] = set()
        for text in self.texts:
            names.update(n for _, n, _, _ in string.Formatter().parse(text) if n)
        return names


def _need(raw: Mapping[str, Any], key: str, file: str) -> Any:
    if key not in raw:
        raise TemplateError(f"文书模板 {file} 缺少字段 {key}")
    return raw[key]


def parse_template(raw: Mapping[str, Any], file: str) -> Template:
    """A template document -> Template (required keys checked)."""
    table = None
    if raw.get("table"):
        t = raw["table"]
        table = Table(
            t.get("heading", ""),
            _need(t, "rows", file),
            tuple(Column(c["key"], c["title"], float(c["width"])) for c in t["columns"]),
        )
    receipt = None
    if raw.get("receipt"):
        r = raw["receipt"]
        receipt = Receipt(r["title"], tuple(r["paragraphs"]), r.get("signature", ""))
    texts = [
        _need(raw, "title", file),
        raw.get("addressee", ""),
        *_need(raw, "paragraphs", file),
        *raw.get("closing", []),
        raw.get("cc", ""),
    ]
    if receipt is not None:
        texts += [receipt.title, *receipt.paragraphs, receipt.signature]
    return Template(
        id=_need(raw, "id", file),
        version=_need(raw, "version", file),
        doc_type=_need(raw, "doc_type", file),
        title=raw["title"],
        number_word=_need(raw, "number_word", file),
        source=_need(raw, "source", file),
        addressee=raw.get("addressee", ""),
        paragraphs=tuple(raw["paragraphs"]),
        table=table,
        closing=tuple(raw.get("closing", [])),
        cc=raw.get("cc", ""),
        receipt=receipt,
        texts=tuple(texts),
    )


@functools.cache
def load_template(doc_type: str) -> Template:
    """The packaged template for ``doc_type``."""
    if doc_type not in DOC_TYPES:
        raise TemplateError(f"未知的文书类型 {doc_type}；可生成：{'、'.join(DOC_TYPES)}")
    file = f"{doc_type}.json"
    try:
        text = (
            resources.files("app.resources").joinpath("templates").joinpath(file).read_text("utf-8")
        )
        raw = json.loads(text)
    except (OSError, ValueError) as exc:
        raise TemplateError(f"文书模板 {file} 无法读取：{exc}") from exc
    return parse_template(raw, file)
