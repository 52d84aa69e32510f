"""Required transfer materials as data (R2020 Art 6; XZ2016 item 1) and the checklist.

A checklist compares the document types attached to a case with the items a transfer needs,
given case facts (penalty decided? items seized? testing needed?). A fact that is not known
(None) counts as true: the item stays required until someone records that it does not apply.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from app.domain.datafiles import RuleFileError, load_validated, resource_dir

SCHEMA = "materials_checklist.schema.json"


class ItemStatus(StrEnum):
    PRESENT = "present"  # 已附
    MISSING = "missing"  # 缺少
    NOT_REQUIRED = "not_required"  # 不适用
    ADVISORY = "advisory"  # 视情附送（不阻止移送）


STATUS_LABELS: dict[ItemStatus, str] = {
    ItemStatus.PRESENT: "已附",
    ItemStatus.MISSING: "缺少",
    ItemStatus.NOT_REQUIRED: "不适用",
    ItemStatus.ADVISORY: "视情附送",
}


@dataclass(frozen=True)
class MaterialItem:
    """One required (or advisory) item of a checklist file."""

    id: str
    label: str
    doc_types: tuple[str, ...]
    required: str  # always | if_fact | advisory
    fact: str | None
    source: str
    verified: bool


@dataclass(frozen=True)
class MaterialsSpec:
    """A checklist file: which items, with version and source."""

    id: str
    version: str
    title: str
    items: tuple[MaterialItem, ...]


@dataclass(frozen=True)
class CheckedItem:
    """An item with its status for one case."""

    item: MaterialItem
    status: ItemStatus

    @property
    def label(self) -> str:
        return self.item.label


@dataclass(frozen=True)
class Checklist:
    """The result of checking a case's documents against a spec."""

    spec_id: str
    spec_version: str
    items: tuple[CheckedItem, ...]

    @property
    def missing(self) -> tuple[CheckedItem, ...]:
        """Required items not attached."""
        return tuple(i for i in self.items if i.status is ItemStatus.MISSING)

    @property
    def complete(self) -> bool:
        """True when nothing required is missing (advisory items never block)."""
        return not self.missing

    def missing_labels(self) -> list[str]:
        """The Chinese names of the missing items."""
        return [i.label for i in self.missing]


def parse_spec(data: Mapping[str, Any], file: str) -> MaterialsSpec:
    """A validated checklist document -> MaterialsSpec (ids must be unique)."""
    items: list[MaterialItem] = []
    for index, raw in enumerate(data["items"]):
        if any(i.id == raw["id"] for i in items):
            raise RuleFileError(file, f"items[{index}].id", f"重复：{raw['id']}")
        items.append(
            MaterialItem(
                id=raw["id"],
                label=raw["label"],
                doc_types=tuple(raw["doc_types"]),
                required=raw["required"],
                fact=raw.get("fact"),
                source=raw["source"],
                verified=raw["verified"],
            )
        )
    return MaterialsSpec(data["id"], data["version"], data["title"], tuple(items))


def load_spec(file: Traversable | Path) -> MaterialsSpec:
    """Load and validate one checklist file."""
    return parse_spec(load_validated(file, SCHEMA), getattr(file, "name", str(file)))


@functools.cache
def transfer_spec() -> MaterialsSpec:
    """The packaged checklist for a forward transfer."""
    return load_spec(resource_dir("materials").joinpath("transfer.json"))


def _status(item: MaterialItem, attached: set[str], facts: Mapping[str, bool | None]) -> ItemStatus:
    present = any(t in attached for t in item.doc_types)
    if item.required == "advisory":
        return ItemStatus.PRESENT if present else ItemStatus.ADVISORY
    if item.required == "if_fact" and item.fact is not None and facts.get(item.fact) is False:
        return ItemStatus.PRESENT if present else ItemStatus.NOT_REQUIRED
    return ItemStatus.PRESENT if present else ItemStatus.MISSING


def check_materials(
    attached_doc_types: Iterable[str],
    facts: Mapping[str, bool | None],
    spec: MaterialsSpec | None = None,
) -> Checklist:
    """Which items of ``spec`` (default: the transfer checklist) are present or missing."""
    spec = spec or transfer_spec()
    attached = set(attached_doc_types)
    checked = tuple(CheckedItem(i, _status(i, attached, facts)) for i in spec.items)
    return Checklist(spec.id, spec.version, checked)
