"""Loading rule files (JSON shipped in ``app/resources``) validated by a JSON Schema.

Rules the law or a city sets are data (DESIGN.md); a broken file is refused with a message
that names the file and the field, never half-loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from app.errors import UserError

RESOURCES = "app.resources"


class RuleFileError(UserError):
    """A rule, calendar or checklist file cannot be used; names the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(f"规则文件 {file} 无法使用：字段 {field or '(根)'} {problem}")
        self.file = file
        self.field = field
        self.problem = problem


def resource_dir(name: str) -> Traversable:
    """The packaged resource folder ``app/resources/<name>``."""
    return resources.files(RESOURCES).joinpath(name)


def json_files(folder: Traversable | Path) -> list[Traversable | Path]:
    """The ``*.json`` files of a folder, sorted by name (empty if the folder is missing)."""
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


def field_path(parts: Iterable[Any]) -> str:
    """``rules[3].offset.unit`` from a JSON-schema error path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_schema(name: str) -> dict[str, Any]:
    """A packaged JSON Schema from ``app/resources/schemas``."""
    text = resource_dir("schemas").joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_validated(file: Traversable | Path, schema_name: str) -> dict[str, Any]:
    """Parse ``file`` as JSON and validate it against ``schema_name``, or raise RuleFileError."""
    label = getattr(file, "name", str(file))
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(label, "", f"读不出来：{exc}") from exc
    except json.JSONDecodeError as exc:
        raise RuleFileError(label, "", f"不是合法的 JSON（第 {exc.lineno} 行）：{exc.msg}") from exc
    import jsonschema  # only when a rule file is loaded: keeps it off the start-up path

    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise RuleFileError(label, field_path(error.absolute_path), f"不合格：{error.message}")
    if not isinstance(data, dict):  # pragma: no cover - every schema demands an object
        raise RuleFileError(label, "", "不是对象")
    return data
