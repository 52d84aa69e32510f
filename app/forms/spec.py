"""Entry-standard (录入标准) types: a versioned spec of sections and typed fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.forms.conditions import Condition
from app.forms.expr import Expr


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field: its key, Chinese label, type and the rules that govern it."""

    key: str
    label: str
    type: str
    section: str
    required: bool = False
    required_if: Condition | None = None
    show_if: Condition | None = None
    unit: str | None = None
    choices: tuple[Choice, ...] = ()
    help: str = ""
    rule: str = ""
    compute: Expr | None = None
    missing_as_zero: bool = False
    fact: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    allow_future: bool = False

    @property
    def computed(self) -> bool:
        return self.compute is not None

    def choice_label(self, value: str) -> str:
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    help: str = ""


@dataclass(frozen=True, slots=True)
class SourceRef:
    tag: str
    article: str
    verified: bool = True
    note: str = ""

    def __str__(self) -> str:
        flag = "" if self.verified else "（未核实）"
        return f"{self.tag} {self.article}{flag}"


@dataclass(frozen=True, slots=True)
class EntryDeadline:
    """Enter the case within ``days`` after the date in field ``after`` (domain.md §6)."""

    days: int
    after: str
    counting: str
    source: SourceRef
    verified: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """A comparison between two fields, e.g. decision date not before the offence date."""

    id: str
    left: str
    op: str
    right: str
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class Spec:
    """A loaded, validated entry standard."""

    id: str
    version: str
    domain: str
    title: str
    sources: tuple[SourceRef, ...]
    entry_deadline: EntryDeadline
    sections: tuple[Section, ...]
    checks: tuple[CrossCheck, ...] = ()
    description: str = ""
    origin: str = ""  # the file it came from
    fields: Mapping[str, FieldSpec] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    @property
    def ordered_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for s in self.sections for f in s.fields)


def version_key(version: str) -> tuple[int, ...]:
    """ "1.10.0" → (1, 10, 0), so versions sort numerically."""
    return tuple(int(p) for p in version.split("."))
