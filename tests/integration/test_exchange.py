"""Export/import: byte-identical round trip, idempotent re-import, refusals with Chinese
messages that leave the store as it was."""

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.errors import ImportFormatError
from app.paths import DataPaths
from app.services.demo_data import generate
from app.store.db import Store, head_revision, open_store
from app.store.exchange import export_json, import_json
from app.store.models import SYNCED_MODELS

TABLE_ORDER = [m.__tablename__ for m in SYNCED_MODELS]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(DataPaths(tmp_path_factory.mktemp("source") / "data"))
    generate(store, cases=1500, seed=3)
    yield store
    store.close()


@pytest.fixture(scope="module")
def exported(source: Store) -> bytes:
    return export_json(source)


def new_store(tmp_path: Path, name: str) -> Store:
    return open_store(DataPaths(tmp_path / name))


def counts(store: Store) -> dict[str, int]:
    with closing(sqlite3.connect(store.paths.database)) as conn:
        result = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLE_ORDER}
        result["case_search"] = conn.execute("SELECT count(*) FROM case_search").fetchone()[0]
    return result


def test_export_shape_is_deterministic(source: Store, exported: bytes) -> None:
    assert export_json(source) == exported
    doc = json.loads(exported)
    assert list(doc) == ["format", "format_version", "schema", "tables"]
    assert doc["format"] == "xianjie-export" and doc["format_version"] == 1
    assert doc["schema"] == head_revision()
    assert list(doc["tables"]) == TABLE_ORDER
    text = exported.decode("utf-8")
    assert "\\u" not in text and "化工" in text
    for table, rows in doc["tables"].items():
        ids = [r["id"] for r in rows]
        assert ids == sorted(ids), table
        for row in rows[:50]:
            assert list(row) == sorted(row), table
            assert isinstance(row["deleted"], bool)
    case = doc["tables"]["cases"][0]
    assert isinstance(case["fields"], dict) and list(case["fields"]) == sorted(case["fields"])
    assert "audit_log" not in doc["tables"]
    assert len(text.splitlines()) == 1 + sum(len(r) + 2 for r in doc["tables"].values()) + 1


def test_round_trip_is_byte_identical(tmp_path: Path, exported: bytes, source: Store) -> None:
    target = new_store(tmp_path, "target")
    try:
        summary = import_json(target, exported)
        total = sum(summary.counts.values())
        assert summary.inserted == total and summary.unchanged == 0 and summary.conflicts == 0
        assert export_json(target) == exported
        assert counts(target) == counts(source)
        with target.session() as session:
            from app.store.search import search_case_ids

            assert len(search_case_ids(session, "化工", limit=20)) == 20
        # importing again changes nothing
        again = import_json(target, exported)
        assert again.inserted == 0 and again.unchanged == total
        assert export_json(target) == exported
    finally:
        target.close()


def test_pretty_printed_export_imports_too(tmp_path: Path, source: Store) -> None:
    small = new_store(tmp_path, "small")
    generate(small, cases=40, seed=9)
    data = export_json(small)
    pretty = json.dumps(json.loads(data), ensure_ascii=True, indent=2).encode()
    target = new_store(tmp_path, "pretty")
    try:
        import_json(target, pretty)
        assert export_json(target) == data
    finally:
        target.close()
        small.close()


def test_changed_record_is_reported_not_overwritten(tmp_path: Path, exported: bytes) -> None:
    target = new_store(tmp_path, "conflict")
    try:
        import_json(target, exported)
        doc = json.loads(exported)
        case = doc["tables"]["cases"][5]
        original_title = case["title"]
        case["title"] = "改过的标题"
        summary = import_json(target, json.dumps(doc, ensure_ascii=False).encode())
        assert summary.conflicts == 1 and summary.conflict_ids == [f"cases:{case['id']}"]
        assert summary.inserted == 0
        with closing(sqlite3.connect(target.paths.database)) as conn:
            title = conn.execute("SELECT title FROM cases WHERE id = ?", (case["id"],)).fetchone()
        assert title == (original_title,)
    finally:
        target.close()


# --- refusals -------------------------------------------------------------------------------


def _mutate(exported: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = json.loads(exported)
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value

    return change


_DELETE = object()

BAD_INPUTS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "not json": (lambda _d: b"this is not json {", r"不是有效的 JSON"),
    "not utf-8": (lambda _d: b"\xff\xfe\x00garbage", r"UTF-8|JSON"),
    "empty": (lambda _d: b"", r"JSON|为空"),
    "a list": (lambda _d: b"[1, 2]", r"不是 JSON 对象"),
    "truncated": (lambda d: d[: len(d) // 2], r"不是有效的 JSON"),
    "wrong format": (lambda d: _mutate(d, _set(["format"], "something-else")), r"不是衔接导出"),
    "newer version": (lambda d: _mutate(d, _set(["format_version"], 2)), r"更新版本.*格式版本 2"),
    "newer schema": (lambda d: _mutate(d, _set(["schema"], "9999")), r"架构版本 9999"),
    "unknown table": (lambda d: _mutate(d, _set(["tables", "secrets"], [])), r"未知的表"),
    "missing field": (
        lambda d: _mutate(d, _set(["tables", "cases", 7, "title"], _DELETE)),
        r"案件（表 cases）第 8 条记录，id [0-9a-f-]{36}缺少字段 title",
    ),
    "unknown field": (
        lambda d: _mutate(d, _set(["tables", "parties", 0, "colour"], "red")),
        r"当事人（表 parties）第 1 条记录.*未知字段 colour",
    ),
    "wrong type": (
        lambda d: _mutate(d, _set(["tables", "events", 3, "version"], "1")),
        r"程序节点（表 events）第 4 条记录.*“version” 应为整数，实际为文本",
    ),
    "bad timestamp": (
        lambda d: _mutate(d, _set(["tables", "events", 0, "occurred_at"], "2024-05-01 08:00")),
        r"“occurred_at” 应为UTC 时间",
    ),
    "null required": (
        lambda d: _mutate(d, _set(["tables", "cases", 0, "unit_id"], None)),
        r"“unit_id” 不能为空",
    ),
    "bool as int": (
        lambda d: _mutate(d, _set(["tables", "cases", 0, "deleted"], 0)),
        r"“deleted” 应为true/false",
    ),
    "bad sync state": (
        lambda d: _mutate(d, _set(["tables", "cases", 0, "sync_state"], "lost")),
        r"同步状态 “lost” 无效",
    ),
    "dangling reference": (
        lambda d: _mutate(
            d,
            _set(["tables", "parties", 2, "case_id"], "00000000-0000-7000-8000-000000000000"),
        ),
        r"当事人（表 parties）第 3 条记录.*“case_id” 引用的案件 .*既不在文件中",
    ),
    "duplicate username": (
        lambda d: _mutate(d, _set(["tables", "users", 1, "username"], "admin")),
        r"用户（表 users）.*“username” admin 与记录",
    ),
}


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory, exported: bytes) -> Iterator[Store]:
    """A store holding part of the export: what a refused import must leave alone."""
    store = open_store(DataPaths(tmp_path_factory.mktemp("kept") / "data"))
    doc = json.loads(exported)
    keep = {c["id"] for c in doc["tables"]["cases"][:100]}
    for table in ("parties", "documents", "events", "transfers", "referrals", "deadlines"):
        doc["tables"][table] = [r for r in doc["tables"][table] if r["case_id"] in keep]
    doc["tables"]["cases"] = doc["tables"]["cases"][:100]
    import_json(store, json.dumps(doc, ensure_ascii=False).encode())
    yield store
    store.close()


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_and_nothing_is_lost(kept: Store, exported: bytes, name: str) -> None:
    make, pattern = BAD_INPUTS[name]
    before = counts(kept)
    snapshot = export_json(kept)
    with pytest.raises(ImportFormatError) as caught:
        import_json(kept, make(exported))
    message = str(caught.value)
    assert re.search(pattern, message), message
    assert "未导入任何记录" in message
    assert counts(kept) == before
    assert export_json(kept) == snapshot


def test_clashing_username_from_another_desk_is_refused(tmp_path: Path, exported: bytes) -> None:
    other = new_store(tmp_path, "other")
    try:
        generate(other, cases=10, seed=123)  # its own admin, with another id
        before = counts(other)
        with pytest.raises(ImportFormatError, match=r"“username” admin 在本机已被另一条记录"):
            import_json(other, exported)
        assert counts(other) == before
    finally:
        other.close()


def test_export_from_before_the_deadline_columns_imports_with_their_defaults(
    tmp_path: Path, exported: bytes
) -> None:
    """An export written before migration 0005 lacks the newer deadline fields."""
    newer = ("cancelled_at", "nature", "verified", "period_source", "counting", "label")
    defaults = {
        "cancelled_at": None,
        "nature": "duty",
        "verified": False,
        "period_source": "rule",
        "counting": "",
        "label": "",
    }
    assert set(defaults) == set(newer)
    doc = json.loads(exported)
    assert doc["tables"]["deadlines"], "the demo data has deadlines"
    expected = json.loads(exported)
    for record in expected["tables"]["deadlines"]:
        record.update(defaults)  # what the older desk's deadlines stand for here
    for record in doc["tables"]["deadlines"]:
        for name in newer:
            record.pop(name)
    target = new_store(tmp_path, "older")
    try:
        import_json(target, json.dumps(doc, ensure_ascii=False).encode())
        with closing(sqlite3.connect(target.paths.database)) as conn:
            rows = set(
                conn.execute(
                    "SELECT cancelled_at, nature, verified, period_source, counting, label "
                    "FROM deadlines"
                )
            )
        assert rows == {(None, "duty", 0, "rule", "", "")}
        assert json.loads(export_json(target)) == expected  # everything else as exported
    finally:
        target.close()


def test_a_required_field_missing_is_still_refused(tmp_path: Path, exported: bytes) -> None:
    doc = json.loads(exported)
    del doc["tables"]["cases"][0]["title"]
    target = new_store(tmp_path, "missing")
    try:
        with pytest.raises(ImportFormatError, match="缺少字段 title"):
            import_json(target, json.dumps(doc, ensure_ascii=False).encode())
    finally:
        target.close()
