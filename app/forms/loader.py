"""Load entry standards from JSON, validated by schema and for consistency.

A broken spec is refused with :class:`SpecError`, whose message names the file and the field
path (``sections[2].fields[5].show_if.field``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from app.errors import UserError
from app.forms.conditions import Condition, parse_condition
from app.forms.expr import ExprError, parse_expr
from app.forms.spec import (
    Choice,
    CrossCheck,
    EntryDeadline,
    FieldSpec,
    Section,
    SourceRef,
    Spec,
)

NUMERIC_TYPES = frozenset({"money", "quantity", "integer", "decimal"})


class SpecError(UserError):
    """An entry standard cannot be used; the message names the file and the field."""


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    path = resources.files("app").joinpath("resources/schemas/entry-standard.schema.json")
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "（根）"


def _fail(name: str, where: str, message: str) -> SpecError:
    return SpecError(f"录入标准文件 {name} 无效：字段 {where}：{message}", detail=name)


def parse_spec(name: str, text: str) -> Spec:
    """Parse one spec file's text; ``name`` is used in error messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"录入标准文件 {name} 不是有效的 JSON：第{exc.lineno}行第{exc.colno}列"
        raise SpecError(msg, detail=name) from exc
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        raise _fail(name, _path(error.absolute_path), error.message)
    return _build(name, data)


def _build(name: str, data: Mapping[str, Any]) -> Spec:
    fields: dict[str, FieldSpec] = {}
    sections: list[Section] = []
    keys = {f["key"] for s in data["sections"] for f in s["fields"]}
    section_keys: set[str] = set()
    for si, s in enumerate(data["sections"]):
        if s["key"] in section_keys:
            raise _fail(name, f"sections[{si}].key", f"步骤键 {s['key']} 重复")
        section_keys.add(s["key"])
        built: list[FieldSpec] = []
        for fi, f in enumerate(s["fields"]):
            where = f"sections[{si}].fields[{fi}]"
            if f["key"] in fields:
                raise _fail(name, f"{where}.key", f"字段键 {f['key']} 重复")
            spec_field = _field(name, where, f, s["key"], keys)
            fields[f["key"]] = spec_field
            built.append(spec_field)
        sections.append(Section(s["key"], s["title"], tuple(built), s.get("help", "")))
    mapped: dict[str, str] = {}
    for key, fs in fields.items():
        if fs.fact is not None:
            if fs.fact in mapped:
                msg = f"事实项 {fs.fact} 已由字段 {mapped[fs.fact]} 提供，不能重复映射"
                raise _fail(name, f"{_where(data, key)}.fact", msg)
            mapped[fs.fact] = key
    checks = []
    for ci, c in enumerate(data.get("checks", [])):
        for side in ("left", "right"):
            if c[side] not in keys:
                raise _fail(name, f"checks[{ci}].{side}", f"字段 {c[side]} 不存在")
        checks.append(
            CrossCheck(c["id"], c["left"], c["op"], c["right"], c["severity"], c["message"])
        )
    dl = data["entry_deadline"]
    if dl["after"] not in keys or fields[dl["after"]].type != "date":
        raise _fail(name, "entry_deadline.after", f"{dl['after']} 不是本标准中的日期字段")
    return Spec(
        id=data["id"],
        version=data["version"],
        domain=data["domain"],
        title=data["title"],
        sources=tuple(_source(s) for s in data["sources"]),
        entry_deadline=EntryDeadline(
            dl["days"],
            dl["after"],
            dl["counting"],
            _source(dl["source"]),
            dl["verified"],
            dl.get("note", ""),
        ),
        sections=tuple(sections),
        checks=tuple(checks),
        description=data.get("description", ""),
        origin=name,
        fields=fields,
        raw=data,
    )


def _where(data: Mapping[str, Any], key: str) -> str:
    for si, s in enumerate(data["sections"]):
        for fi, f in enumerate(s["fields"]):
            if f["key"] == key:
                return f"sections[{si}].fields[{fi}]"
    return key


def _source(raw: Mapping[str, Any]) -> SourceRef:
    return SourceRef(raw["tag"], raw["article"], raw.get("verified", True), raw.get("note", ""))


def _field(name: str, where: str, f: Mapping[str, Any], section: str, keys: set[str]) -> FieldSpec:
    conds: dict[str, Condition | None] = {}
    for attr in ("show_if", "required_if"):
        conds[attr] = parse_condition(f[attr]) if attr in f else None
        cond = conds[attr]
        if cond is not None:
            unknown = cond.fields() - keys
            if unknown:
                msg = f"条件引用了不存在的字段 {'、'.join(sorted(unknown))}"
                raise _fail(name, f"{where}.{attr}", msg)
    compute = None
    if "compute" in f:
        if f["type"] not in NUMERIC_TYPES:
            raise _fail(name, f"{where}.compute", "只有数值类字段可以计算")
        try:
            compute = parse_expr(f["compute"])
        except ExprError as exc:
            raise _fail(name, f"{where}.compute", str(exc)) from exc
        unknown = compute.names() - keys
        if unknown or f["key"] in compute.names():
            bad = "、".join(sorted(unknown)) or f["key"]
            raise _fail(name, f"{where}.compute", f"表达式引用了不可用的字段 {bad}")
    if f["type"] == "quantity":
        from app.domain.amounts import unit_of

        if unit_of(f["unit"]) is None:
            raise _fail(name, f"{where}.unit", f"未知单位“{f['unit']}”")
    return FieldSpec(
        key=f["key"],
        label=f["label"],
        type=f["type"],
        section=section,
        required=f.get("required", False),
        required_if=conds["required_if"],
        show_if=conds["show_if"],
        unit=f.get("unit"),
        choices=tuple(Choice(c["value"], c["label"]) for c in f.get("choices", [])),
        help=f.get("help", ""),
        rule=f.get("rule", ""),
        compute=compute,
        missing_as_zero=f.get("missing_as_zero", False),
        fact=f.get("fact"),
        min=f.get("min"),
        max=f.get("max"),
        max_length=f.get("max_length"),
        allow_future=f.get("allow_future", False),
    )


def load_spec_file(path: Path) -> Spec:
    """Load a spec from a file on disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"无法读取录入标准文件 {path.name}", detail=str(exc)) from exc
    return parse_spec(path.name, text)


def builtin_spec_texts() -> Iterator[tuple[str, str]]:
    """(file name, text) of every entry standard bundled in the package."""
    folder = resources.files("app").joinpath("resources/standards")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            yield entry.name, entry.read_text(encoding="utf-8")
