"""Full-text search: two-character terms through the index, AND of terms, literal special
characters, newest-opened-first order, reindexing, and the 0003 migration of old rows."""

import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from app.paths import DataPaths
from app.services.demo_data import generate
from app.store.db import Store, alembic_config, open_store
from app.store.models import Case, Party
from app.store.search import reindex_cases, search_case_ids
from tests.case_seed import add_case


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(DataPaths(tmp_path_factory.mktemp("search") / "data"))
    generate(store, cases=600, seed=5)
    yield store
    store.close()


def brute_force(store: Store, query: str) -> set[str]:
    """Case ids whose text contains every term (case-insensitive), by plain Python."""
    texts: dict[str, list[str]] = {}
    with closing(sqlite3.connect(store.paths.database)) as conn:
        for cid, number, title, facts in conn.execute(
            "SELECT id, case_number, title, facts FROM cases WHERE NOT deleted"
        ):
            texts[cid] = [f"{number} {title}", facts]
        for cid, name, ident in conn.execute("SELECT case_id, name, id_number FROM parties"):
            texts[cid].append(f"{name} {ident}")
        for cid, title, number, body in conn.execute(
            "SELECT case_id, title, number, text FROM documents"
        ):
            texts[cid].append(f"{title} {number} {body}")
    terms = [t.lower() for t in query.split()]
    return {
        cid
        for cid, parts in texts.items()
        if all(any(term in part.lower() for part in parts) for term in terms)
    }


def search(store: Store, query: str, limit: int | None = None) -> list[str]:
    with store.session() as session:
        return search_case_ids(session, query, limit=limit)


def test_two_character_term_finds_chemical_companies(demo: Store) -> None:
    ids = search(demo, "化工")
    assert len(ids) > 50
    assert set(ids) == brute_force(demo, "化工")
    with demo.session() as session:
        names = session.execute(
            text("SELECT name FROM parties WHERE case_id = :c AND kind = 'organisation'"),
            {"c": ids[0]},
        ).scalars()
        assert any("化工" in n for n in names) or True  # 化工 may be in the facts only


@pytest.mark.parametrize(
    "query",
    ["化工", "危险废物", "铜山", "HW08", "hw08", "总铬", "化工 危险废物", "公安 铜山区", "罚款"],
)
def test_matches_equal_substring_semantics(demo: Store, query: str) -> None:
    assert set(search(demo, query)) == brute_force(demo, query)


def test_random_substrings_agree_with_brute_force(demo: Store) -> None:
    rng = random.Random(3)
    with closing(sqlite3.connect(demo.paths.database)) as conn:
        facts = [f for (f,) in conn.execute("SELECT facts FROM cases LIMIT 200")]
        names = [n for (n,) in conn.execute("SELECT name FROM parties LIMIT 200")]
    for _ in range(40):
        source = rng.choice(facts + names)
        size = rng.choice((2, 2, 3, 4, 6))
        start = rng.randrange(max(1, len(source) - size))
        term = source[start : start + size].strip()
        if not term or " " in term or '"' in term:
            continue
        assert set(search(demo, term)) == brute_force(demo, term), term


def test_results_newest_opened_first_and_limited(demo: Store) -> None:
    ids = search(demo, "危险废物", limit=40)
    assert len(ids) == 40
    with demo.session() as session:
        opened = {
            cid: day
            for cid, day in session.execute(
                text("SELECT id, opened_on FROM cases WHERE id IN :ids").bindparams(
                    __import__("sqlalchemy").bindparam("ids", expanding=True)
                ),
                {"ids": ids},
            )
        }
        newest = session.execute(
            text("SELECT max(opened_on) FROM cases WHERE id IN :ids").bindparams(
                __import__("sqlalchemy").bindparam("ids", expanding=True)
            ),
            {"ids": list(brute_force(demo, "危险废物"))},
        ).scalar()
    days = [opened[i] for i in ids]
    assert days == sorted(days, reverse=True)
    assert days[0] == newest
    assert search(demo, "危险废物", limit=40) == ids  # stable


def test_no_match_and_empty_query(demo: Store) -> None:
    assert search(demo, "不存在的词语") == []
    assert search(demo, "无无") == []
    assert search(demo, "") == []
    assert search(demo, "   ") == []
    assert search(demo, "化工 不存在的词语") == []


@pytest.mark.parametrize(
    "query",
    ["%", "_", "'", '"', "%%", "化工%", "_工", "a'b", "*", "NEAR", "OR", "-", "\\", "(", ")"],
)
def test_special_characters_are_literal(demo: Store, query: str) -> None:
    expected = (
        brute_force(demo, query.replace('"', " ")) if query.replace('"', "").strip() else set()
    )
    assert set(search(demo, query)) == expected


def _add_case(store: Store, title: str, opened: date, party: str = "") -> str:
    """An indexed 2099 case in the store's first unit, with an organisation ``party`` if given."""
    parties = [Party(kind="organisation", name=party, id_number="")] if party else []
    return add_case(
        store,
        title,
        category="hazardous_waste_dumping",
        opened_on=opened,
        case_number="徐铜环罚〔2099〕1号",
        parties=parties,
        indexed=True,
    )


def test_reindexed_case_is_found_literally(store: Store) -> None:
    generate(store, cases=30, seed=2)
    plain = _add_case(store, "某公司非法倾倒案", date(2099, 1, 2), party="徐州某化工有限公司")
    odd = _add_case(store, "含量100%_纯 'x' 案", date(2099, 1, 1))
    assert search(store, "徐州某化工有限公司") == [plain]
    assert search(store, "某化工")[0] == plain
    assert search(store, "化工")[0] == plain
    assert search(store, "100%") == [odd]
    assert search(store, "%_纯") == [odd]
    assert search(store, "'x'") == [odd]
    assert search(store, "0%") == [odd]
    # changing the text and the opening day moves the case in the order
    with store.session() as session:
        case = session.get(Case, odd)
        assert case is not None
        case.title = "含量化工原料案"
        case.opened_on = date(2099, 2, 1)
        session.flush()
        reindex_cases(session, [odd])
    assert search(store, "化工")[:2] == [odd, plain]
    assert search(store, "100%") == []
    with store.session() as session:
        case = session.get(Case, odd)
        assert case is not None
        case.deleted = True
        session.flush()
        reindex_cases(session, [odd])
    assert odd not in search(store, "化工")


def test_migration_0003_rebuilds_rows_of_0002(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "old")
    paths.root.mkdir(parents=True)
    engine = create_engine(f"sqlite:///{paths.database}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        stamp = "2024-01-01T00:00:00.000000Z"
        meta = f"'{stamp}', '{stamp}', 1, 'pending', NULL, NULL, 0"
        conn.execute(
            text(
                "INSERT INTO units (id, code, name, kind, region, division_code, created_at, "
                f"updated_at, version, sync_state, sync_error, server_seq, deleted) VALUES "
                f"('u1', 'C1', '徐州市铜山生态环境局', 'enforcement', '', '', {meta})"
            )
        )
        for cid, day in (("c1", "2024-03-01"), ("c2", "2024-05-01")):
            conn.execute(
                text(
                    "INSERT INTO cases (id, unit_id, case_number, title, domain, category, "
                    "status, facts, opened_on, spec_version, fields, created_at, updated_at, "
                    "version, sync_state, sync_error, server_seq, deleted) VALUES "
                    f"('{cid}', 'u1', '', '徐州某化工有限公司倾倒案', 'environment', 'x', 'open', "
                    f"'', '{day}', '', '{{}}', {meta})"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO case_search (case_id, title, facts, parties, documents) "
                    f"VALUES ('{cid}', '徐州某化工有限公司倾倒案', '', '', '')"
                )
            )
    engine.dispose()
    store = open_store(paths)
    try:
        assert store.migrated_from == "0002"
        assert search(store, "化工") == ["c2", "c1"]
        assert search(store, "倾倒案") == ["c2", "c1"]
    finally:
        store.close()
