"""Spec registry and drafts: a draft keeps the spec version it began with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.forms import Draft, SpecError, SpecRegistry
from app.forms.loader import builtin_spec_texts


def _tobacco(version: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dict(builtin_spec_texts())["tobacco.json"])
    data["version"] = version
    return data


def test_draft_begun_under_v1_still_opens_after_v2_is_installed(tmp_path: Path) -> None:
    registry = SpecRegistry()
    registry.add_text("tobacco.json", json.dumps(_tobacco("1.0.0"), ensure_ascii=False))
    draft = registry.new_draft("tobacco")
    draft.values["legacy_note"] = "x"
    assert (draft.spec_id, draft.spec_version) == ("tobacco", "1.0.0")
    saved = json.dumps(draft.to_dict(), ensure_ascii=False)

    v2 = _tobacco("2.0.0")
    v2["sections"][2]["fields"].append(
        {"key": "legacy_note", "label": "备注", "type": "text", "required": True}
    )
    (tmp_path / "tobacco-2.0.0.json").write_text(
        json.dumps(v2, ensure_ascii=False), encoding="utf-8"
    )
    registry.load_directory(tmp_path)

    assert registry.versions("tobacco") == ["1.0.0", "2.0.0"]
    assert registry.latest("tobacco").version == "2.0.0"
    reopened = Draft.from_dict(json.loads(saved))
    model = registry.open_draft(reopened)
    assert model.spec.version == "1.0.0"
    assert "legacy_note" not in model.spec.fields
    assert registry.new_draft("tobacco").spec_version == "2.0.0"
    assert registry.open_draft(registry.new_draft("tobacco")).required("legacy_note")


def test_versions_sort_numerically() -> None:
    registry = SpecRegistry()
    for v in ("1.9.0", "1.10.0", "1.2.0"):
        registry.add_text(f"t{v}.json", json.dumps(_tobacco(v), ensure_ascii=False))
    assert registry.latest("tobacco").version == "1.10.0"


def test_missing_version_is_a_user_error() -> None:
    registry = SpecRegistry.builtin()
    with pytest.raises(SpecError, match=r"9\.9"):
        registry.open_draft(Draft("tobacco", "9.9"))
    with pytest.raises(SpecError):
        registry.latest("nope")


def test_broken_installed_spec_is_refused_naming_file(tmp_path: Path) -> None:
    bad = _tobacco("3.0.0")
    bad["sections"][0]["fields"][0]["type"] = "colour"
    (tmp_path / "tobacco-3.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SpecError, match=r"tobacco-3\.json.*sections\[0\]\.fields\[0\]\.type"):
        SpecRegistry().load_directory(tmp_path)
