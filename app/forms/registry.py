"""Installed entry standards, several versions each, and drafts that keep their version.

The platform may publish a newer version of a spec; a draft records the spec id and version
it began with and keeps opening on that version for as long as it is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.forms.loader import SpecError, builtin_spec_texts, load_spec_file, parse_spec
from app.forms.model import FormModel
from app.forms.spec import Spec


@dataclass
class Draft:
    """A case being entered: the spec (id + version) it began with and its values so far."""

    spec_id: str
    spec_version: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"spec_id": self.spec_id, "spec_version": self.spec_version, "values": self.values}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draft:
        return cls(str(data["spec_id"]), str(data["spec_version"]), dict(data.get("values", {})))


class SpecRegistry:
    """Specs by id and version."""

    def __init__(self, specs: Iterable[Spec] = ()) -> None:
        self._specs: dict[str, dict[str, Spec]] = {}
        for spec in specs:
            self.add(spec)

    @classmethod
    def builtin(cls) -> SpecRegistry:
        """The specs bundled with the application."""
        return cls(parse_spec(name, text) for name, text in builtin_spec_texts())

    def add(self, spec: Spec) -> None:
        """Install a spec; installing the same id and version again replaces it."""
        self._specs.setdefault(spec.id, {})[spec.version] = spec

    def add_text(self, name: str, text: str) -> Spec:
        spec = parse_spec(name, text)
        self.add(spec)
        return spec

    def load_directory(self, folder: Path) -> list[Spec]:
        """Install every ``*.json`` spec in a folder (for specs published by the platform)."""
        loaded = [load_spec_file(p) for p in sorted(folder.glob("*.json"))]
        for spec in loaded:
            self.add(spec)
        return loaded

    def ids(self) -> list[str]:
        return sorted(self._specs)

    def versions(self, spec_id: str) -> list[str]:
        specs = self._specs.get(spec_id, {})
        return [s.version for s in sorted(specs.values(), key=lambda s: s.version_key)]

    def latest(self, spec_id: str) -> Spec:
        specs = self._specs.get(spec_id)
        if not specs:
            raise SpecError(f"未安装录入标准 {spec_id}")
        return max(specs.values(), key=lambda s: s.version_key)

    def get(self, spec_id: str, version: str | None = None) -> Spec:
        if version is None:
            return self.latest(spec_id)
        spec = self._specs.get(spec_id, {}).get(version)
        if spec is None:
            raise SpecError(f"未安装录入标准 {spec_id} 的 {version} 版本")
        return spec

    def find(self, spec_id: str, version: str | None = None) -> Spec | None:
        """Like :meth:`get` but None when missing."""
        try:
            return self.get(spec_id, version)
        except SpecError:
            return None

    def new_draft(self, spec_id: str) -> Draft:
        """A new draft on the newest installed version."""
        spec = self.latest(spec_id)
        return Draft(spec.id, spec.version)

    def open_draft(self, draft: Draft, today: date | None = None) -> FormModel:
        """The form model for a draft, on the spec version the draft began with."""
        return FormModel(self.get(draft.spec_id, draft.spec_version), draft.values, today)
