"""Drafts: autosave round trip, listing, closing, and a v1 draft opening after v2 is installed."""

import json
from importlib import resources
from pathlib import Path

import pytest

from app.forms import SpecError, SpecRegistry
from app.services import drafts
from app.services.accounts import SignedInUser
from app.services.case_entry import finish_draft
from app.store.db import Store
from app.store.models import Case


@pytest.fixture(scope="module")
def builtin() -> SpecRegistry:
    return SpecRegistry.builtin()


def test_save_and_reopen_round_trip(
    store: Store, inspector: SignedInUser, builtin: SpecRegistry
) -> None:
    with store.session() as s:
        draft = drafts.start_draft(s, builtin, inspector, "env_hazardous_waste")
    assert draft.spec_version == "1.0.0" and draft.values == {} and draft.current_step == 0
    values = {
        "title": "某化工厂非法倾倒危险废物案",
        "hazardous_waste": {"value": "3.2", "unit": "t"},
        "hw_conduct": ["dump"],
        "metals_tested": False,
        "parties": [{"kind": "organisation", "name": "某化工有限公司"}],
    }
    with store.session() as s:
        drafts.save_draft(s, draft.id, values, 2)
    with store.session() as s:
        again = drafts.get_draft(s, draft.id)
    assert again.values == values
    assert again.current_step == 2
    assert again.title == "某化工厂非法倾倒危险废物案"
    assert again.updated_at >= draft.updated_at
    model = drafts.open_draft(builtin, again)
    assert str(model.value("hazardous_waste")) == "3.2 吨"


def test_list_newest_first_and_discard(
    store: Store, inspector: SignedInUser, builtin: SpecRegistry
) -> None:
    with store.session() as s:
        first = drafts.start_draft(s, builtin, inspector, "food_safety")
        second = drafts.start_draft(s, builtin, inspector, "tobacco")
    with store.session() as s:
        drafts.save_draft(s, first.id, {"title": "甲"}, 0)
    with store.session() as s:
        assert [d.id for d in drafts.list_drafts(s, inspector.id)] == [first.id, second.id]
        drafts.discard_draft(s, first.id)
    with store.session() as s:
        assert [d.id for d in drafts.list_drafts(s, inspector.id)] == [second.id]
        assert drafts.list_drafts(s, "someone-else") == []
    with pytest.raises(drafts.DraftNotFound, match="草稿已不存在或已提交"), store.session() as s:
        drafts.save_draft(s, first.id, {"title": "乙"}, 1)


def _v2_file(folder: Path) -> Path:
    """A real v2 of the tobacco spec: a new required field in the first step."""
    text = resources.files("app").joinpath("resources/standards/tobacco.json").read_text("utf-8")
    data = json.loads(text)
    data["version"] = "2.0.0"
    data["sections"][0]["fields"].append(
        {"key": "inspection_team", "label": "检查组", "type": "text", "required": True}
    )
    path = folder / "tobacco-2.0.0.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_v1_draft_still_opens_and_finishes_after_v2_installed(
    store: Store, inspector: SignedInUser, tmp_path: Path
) -> None:
    registry = SpecRegistry.builtin()
    with store.session() as s:
        old = drafts.start_draft(s, registry, inspector, "tobacco")
        drafts.save_draft(s, old.id, {"title": "无证经营卷烟案", "opened_on": "2024-05-01"}, 0)
    published = tmp_path / "published"
    published.mkdir()
    _v2_file(published)
    assert [s.version for s in registry.load_directory(published)] == ["2.0.0"]
    assert registry.versions("tobacco") == ["1.0.0", "2.0.0"]

    with store.session() as s:
        reopened = drafts.get_draft(s, old.id)
        new = drafts.start_draft(s, registry, inspector, "tobacco")
    model = drafts.open_draft(registry, reopened)
    assert model.spec.version == "1.0.0"
    assert "inspection_team" not in model.spec.fields
    assert new.spec_version == "2.0.0"
    assert "inspection_team" in drafts.open_draft(registry, new).spec.fields

    with store.session() as s:
        done = finish_draft(s, registry, inspector, old.id)
    with store.session() as s:
        case = s.get_one(Case, done.case_id)
        assert (case.category, case.spec_version) == ("tobacco", "1.0.0")

    only_v2 = SpecRegistry()
    only_v2.load_directory(published)
    with pytest.raises(SpecError, match=r"未安装录入标准 tobacco 的 1\.0\.0 版本"):
        drafts.open_draft(only_v2, reopened)


def test_broken_published_spec_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    path = _v2_file(tmp_path)
    data = json.loads(path.read_text("utf-8"))
    data["sections"][0]["fields"][-1]["show_if"] = {"field": "no_such_field", "op": "filled"}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        SpecRegistry().load_directory(tmp_path)
    message = str(caught.value)
    assert "tobacco-2.0.0.json" in message
    assert "sections[0].fields[6].show_if" in message
    assert "no_such_field" in message


def test_edit_draft_of_existing_case_starts_from_its_record(
    store: Store, inspector: SignedInUser, builtin: SpecRegistry
) -> None:
    with store.session() as s:
        d = drafts.start_draft(s, builtin, inspector, "food_safety")
        values = {
            "title": "销售过期食品案",
            "opened_on": "2024-05-02",
            "amount_fen": "1,200元",
            "parties": [{"kind": "person", "name": "王某", "id_number": "320302198001011239"}],
        }
        drafts.save_draft(s, d.id, values, 3)
    with store.session() as s:
        case_id = finish_draft(s, builtin, inspector, d.id).case_id
    with store.session() as s:
        edit = drafts.start_edit_draft(s, builtin, inspector, case_id)
        same = drafts.start_edit_draft(s, builtin, inspector, case_id)
    assert same.id == edit.id
    assert edit.case_id == case_id and edit.spec_version == "1.0.0"
    assert edit.values["title"] == "销售过期食品案"
    assert edit.values["amount_fen"] == "1,200元"
    assert edit.values["parties"][0]["name"] == "王某"
    assert "_completeness" not in edit.values
