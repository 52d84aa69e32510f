"""End to end with the real server on loopback (SQLite and PostgreSQL) and real client stores:
a transfer reaches the police, their acts and a reverse referral come back, other units see
nothing; pending local edits survive a pull; overlapping edits become conflicts."""

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app.paths import DataPaths
from app.site_config import SiteConfig
from app.store.db import Store, open_store
from app.store.models import Case, Event, Referral, Transfer
from app.sync.engine import SyncEngine, SyncReport, conflicts, connect, resolve_conflict
from app.sync.setup import connected_client, settings
from tests.sync_helpers import (
    Central,
    central_db_url_fixture,
    central_fixture,
    connect_store,
    new_case,
    pg_cluster_fixture,
    sync,
)

_ = (central_db_url_fixture, central_fixture, pg_cluster_fixture)


@pytest.fixture
def desks(tmp_path: Path, central: Central) -> Iterator[dict[str, Store]]:
    """Client stores for enforcement units A (two desks) and B, police P, procuratorate J."""
    for code, kind in (("A", "enforcement"), ("B", "enforcement"), ("P", "police")):
        central.create_unit(code, kind)
    central.create_unit("J", "procuratorate")
    stores = {}
    for name, code in (("A", "A"), ("A2", "A"), ("B", "B"), ("P", "P"), ("J", "J")):
        store = open_store(DataPaths(tmp_path / name))
        connect_store(store, central.url, central.token(code, f"user-{name}"))
        sync(store)
        stores[name] = store
    yield stores
    for store in stores.values():
        store.close()


def unit_id(store: Store) -> str:
    return settings(store)["unit_id"]


def act(central: Central, action: str, unit: str, case_id: str, *params: str) -> dict[str, object]:
    args = [sys.executable, "-m", "central.cli", "--db", central.db_url, "act", action]
    args += ["--unit", unit, "--case", case_id]
    for p in params:
        args += ["--param", p]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_transfer_acts_and_reverse_referral_flow_between_units(
    central: Central, desks: dict[str, Store]
) -> None:
    a, p, b = desks["A"], desks["P"], desks["B"]
    case_id = new_case(a, unit_id(a), "徐州某化工有限公司非法排放案")
    with a.session() as session:
        session.add(
            Transfer(
                case_id=case_id,
                police_unit_id=unit_id(p),
                procuratorate_unit_id=unit_id(desks["J"]),
                status="sent",
            )
        )
    report = sync(a)
    assert report.applied == 3 and report.rejected == 0
    with a.reading() as conn:
        assert conn.execute(
            "SELECT count(*) FROM cases WHERE sync_state != 'synced'"
        ).fetchone() == (0,)

    sync(p)
    with p.session() as session:
        assert session.get_one(Case, case_id).title == "徐州某化工有限公司非法排放案"
    act(central, "receipt", "P", case_id)
    act(central, "not-file", "P", case_id, "reason=情节显著轻微")
    act(central, "reverse", "J", case_id, "opinion_number=徐检行意〔2026〕1号", "reply_days=60")

    report = sync(a)
    assert "公安签收回执" in report.notices and "公安不予立案" in report.notices
    assert any("反向移送" in n for n in report.notices)
    with a.session() as session:
        kinds = {e.kind for e in session.query(Event).filter_by(case_id=case_id)}
        assert kinds == {"receipt_signed", "police_not_filed"}
        assert session.query(Transfer).filter_by(case_id=case_id).one().status == "not_filed"
        referral = session.query(Referral).filter_by(case_id=case_id).one()
        assert (
            referral.opinion_number == "徐检行意〔2026〕1号" and referral.reply_due_at is not None
        )
    with a.reading() as conn:
        found = conn.execute("SELECT count(*) FROM case_search WHERE case_id = ?", (case_id,))
        assert found.fetchone() == (1,)

    sync(b)
    with b.session() as session:
        assert session.get(Case, case_id) is None
        assert session.query(Event).count() == 0
    for store in desks.values():
        with store.reading() as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_pending_local_edits_survive_a_pull_and_merge_by_field(
    central: Central, desks: dict[str, Store]
) -> None:
    a, a2 = desks["A"], desks["A2"]
    case_id = new_case(a, unit_id(a), "原标题")
    sync(a)
    sync(a2)
    with a2.session() as session:
        session.get_one(Case, case_id).facts = "第二台电脑补充的事实"
    sync(a2)
    with a.session() as session:
        case = session.get_one(Case, case_id)
        case.title = "第一台电脑改的标题"

    client = connected_client(a, SiteConfig())
    engine = SyncEngine(a, client)
    report = SyncReport()
    with closing(connect(a)) as conn:
        engine._pull_all(conn, report)  # a pull before the push: the local edit must survive
    client.close()
    assert report.kept_local == 1
    with a.session() as session:
        case = session.get_one(Case, case_id)
        assert (case.title, case.sync_state) == ("第一台电脑改的标题", "pending")
    assert sync(a).merged == 1
    sync(a2)
    for store in (a, a2):
        with store.session() as session:
            case = session.get_one(Case, case_id)
            assert (case.title, case.facts, case.sync_state) == (
                "第一台电脑改的标题",
                "第二台电脑补充的事实",
                "synced",
            )


def test_overlapping_edits_become_a_conflict_the_user_settles(
    central: Central, desks: dict[str, Store]
) -> None:
    a, a2 = desks["A"], desks["A2"]
    case_id = new_case(a, unit_id(a), "原标题")
    sync(a)
    sync(a2)
    for store, title in ((a, "甲的标题"), (a2, "乙的标题")):
        with store.session() as session:
            session.get_one(Case, case_id).title = title
    assert sync(a).applied == 1
    assert sync(a2).conflicts == 1
    with a2.session() as session:
        case = session.get_one(Case, case_id)
        assert case.sync_state == "error" and "title" in (case.sync_error or "")
        assert case.title == "乙的标题"
    assert conflicts(a2) == [
        {
            "table": "cases",
            "id": case_id,
            "fields": {"title": {"local": "乙的标题", "server": "甲的标题"}},
        }
    ]
    resolve_conflict(a2, case_id, {"title": "local"})
    assert conflicts(a2) == []
    assert sync(a2).applied == 1
    sync(a)
    with a.session() as session:
        assert session.get_one(Case, case_id).title == "乙的标题"


def test_cli_setup_and_sync_once(central: Central, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    central.create_unit("A", "enforcement", "徐州市生态环境局")
    token = central.token("A", "王五")
    data = tmp_path / "cli-desk"
    done = run_cli("--data-dir", data, "setup", "--server", central.url, "--token", token)
    assert done.returncode == 0, done.stderr
    assert "徐州市生态环境局" in done.stdout
    token_file = data / "sync-token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    store = open_store(DataPaths(data))
    try:
        new_case(store, settings(store)["unit_id"], "命令行同步的案件")
    finally:
        store.close()
    done = run_cli("--data-dir", data, "sync", "--once", "--json")
    assert done.returncode == 0, done.stderr
    report = done.json()
    assert (report["applied"], report["pending"]) == (2, 0)
    current = run_cli("--data-dir", data, "sync", "--status", "--json").json()
    assert (current["unit_code"], current["pending"], current["conflicts"]) == ("A", 0, 0)
    assert current["last_success"] is not None
    assert run_cli("--data-dir", data, "sync", "--conflicts", "--json").json() == []
    bad = run_cli(
        "--data-dir", tmp_path / "other", "setup", "--server", central.url, "--token", "x"
    )
    assert bad.returncode == 1 and len(bad.error_lines) == 1 and "令牌" in bad.error_lines[0]


def test_reference_data_is_fetched_when_its_hash_changes(
    central: Central, desks: dict[str, Store]
) -> None:
    from central.admin import publish_reference

    a = desks["A"]
    with central.db.session() as session:
        publish_reference(session, "thresholds-environment.json", b'{"version": "2026.1"}')
    assert sync(a).reference == ["thresholds-environment.json"]
    target = a.paths.root / "reference" / "thresholds-environment.json"
    assert target.read_bytes() == b'{"version": "2026.1"}'
    assert sync(a).reference == []  # unchanged hash: not fetched again
    with central.db.session() as session:
        publish_reference(session, "thresholds-environment.json", b'{"version": "2026.2"}')
    assert sync(a).reference == ["thresholds-environment.json"]
    assert target.read_bytes() == b'{"version": "2026.2"}'


def test_a_first_run_desk_takes_the_platform_unit_id_and_its_records_sync(
    central: Central, tmp_path: Path
) -> None:
    from app.services.accounts import create_unit_and_admin
    from app.store.models import Unit, User

    central.create_unit("320312-HB", "enforcement", "徐州市铜山生态环境局")
    store = open_store(DataPaths(tmp_path / "first-run"))
    try:
        admin = create_unit_and_admin(
            store,
            unit_name="铜山生态环境局",
            unit_code="320312-HB",
            region="铜山区",
            username="admin",
            display_name="管理员",
            password="Xuzhou-2024!",
        )
        connect_store(store, central.url, central.token("320312-HB"))
        platform_id = settings(store)["unit_id"]
        assert platform_id != admin.unit_id
        with store.session() as session:
            assert session.get_one(User, admin.id).unit_id == platform_id
            unit = session.get_one(Unit, platform_id)
            assert (unit.name, unit.sync_state) == ("徐州市铜山生态环境局", "synced")
            assert session.get(Unit, admin.unit_id) is None
        new_case(store, platform_id, "首次启动后登记的案件")
        report = sync(store)
        assert (report.applied, report.rejected) == (3, 0)  # the admin, the case, its party
        with store.reading() as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()


def test_timeline_events_are_a_union_and_never_rewritten(
    central: Central, desks: dict[str, Store]
) -> None:
    from datetime import UTC, datetime

    a, a2 = desks["A"], desks["A2"]
    case_id = new_case(a, unit_id(a), "时间线")
    with a.session() as session:
        event = Event(case_id=case_id, kind="case_opened", occurred_at=datetime.now(UTC))
        session.add(event)
        session.flush()
        event_id = event.id
    assert sync(a).applied == 3
    sync(a2)
    with a2.reading() as conn:
        assert conn.execute(
            "SELECT sync_state FROM events WHERE id = ?", (event_id,)
        ).fetchone() == ("synced",)
    with closing(a2.raw_connection()) as conn:  # as if this desk had never heard back
        conn.execute("UPDATE events SET sync_state = 'pending' WHERE id = ?", (event_id,))
        conn.commit()
    report = sync(a2)
    assert (report.unchanged, report.rejected) == (1, 0)
    with a2.reading() as conn:
        assert conn.execute(
            "SELECT sync_state FROM events WHERE id = ?", (event_id,)
        ).fetchone() == ("synced",)
