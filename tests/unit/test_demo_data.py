"""Demo data: deterministic per seed, valid identifiers, statuses that agree with timelines."""

import json
import re
import sqlite3
from collections import defaultdict
from contextlib import closing
from datetime import date, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from stdnum.cn import ric as stdnum_ric

from app.domain.deadlines import compute_deadlines
from app.domain.workflow import WorkflowEvent, derive
from app.paths import DataPaths
from app.services.accounts import login
from app.services.demo_data import DEMO_PASSWORD, REFERENCE_DAY, generate
from app.store.db import Store, open_store
from app.store.types import format_utc, parse_utc

CASES = 400
BEIJING = timezone(timedelta(hours=8))

# --- independent check-character implementations (GB 11643, GB 11714, GB 32100) ------------


def ric_check(first17: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    value = (12 - sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    total = sum(USCC_CHARS.index(c) * (3**i % 31) for i, c in enumerate(code[:17]))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17]


def org_code_valid(code: str) -> bool:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(code[:8], weights, strict=True))
    check = 11 - total % 11
    return code[8] == {10: "X", 11: "0"}.get(check, str(check))


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths = DataPaths(tmp_path_factory.mktemp("demo") / "data")
    store = open_store(paths)
    calls: list[tuple[int, int]] = []
    summary = generate(store, cases=CASES, seed=11, progress=lambda d, t: calls.append((d, t)))
    store.close()
    assert summary.cases == CASES
    assert summary.users_created == ["admin", "inspector", "clerk", "head"]
    assert summary.password == DEMO_PASSWORD
    assert calls and calls[-1] == (CASES, CASES)
    return paths.database


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    for table in ("units", "cases", "parties", "documents", "events", "transfers", "referrals"):
        out[table] = rows(db, f"SELECT * FROM {table} ORDER BY id")
    out["deadlines"] = rows(db, "SELECT * FROM deadlines ORDER BY id")
    out["users"] = rows(db, "SELECT id, username, role, unit_id, created_at FROM users ORDER BY id")
    out["case_search"] = rows(db, "SELECT rowid, * FROM case_search ORDER BY rowid")
    return out


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path, demo: Path) -> None:
    again = DataPaths(tmp_path / "again")
    other = DataPaths(tmp_path / "other")
    for paths, seed in ((again, 11), (other, 12)):
        store = open_store(paths)
        generate(store, cases=CASES, seed=seed)
        store.close()
    assert _dump(again.database) == _dump(demo)
    assert _dump(other.database)["cases"] != _dump(demo)["cases"]


def test_resident_ids_are_valid(demo: Path) -> None:
    people = rows(demo, "SELECT id_number FROM parties WHERE kind = 'person'")
    assert len(people) > CASES // 4
    for (number,) in people:
        assert isinstance(number, str)
        assert re.fullmatch(r"\d{17}[\dX]", number), number
        assert number[:4] == "3203", number  # Xuzhou
        assert number[17] == ric_check(number[:17]), number
        assert number[17] == stdnum_ric.calc_check_digit(number), number
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert date(1950, 1, 1) < born < date(2005, 1, 1)


def test_credit_codes_are_valid(demo: Path) -> None:
    codes = rows(demo, "SELECT id_number FROM parties WHERE kind = 'organisation'")
    codes += rows(demo, "SELECT code FROM units")
    assert len(codes) > CASES // 2
    for (code,) in codes:
        assert isinstance(code, str)
        assert uscc_valid(code), code
        assert org_code_valid(code[8:17]), code
        assert code[2:6] == "3203", code


def test_many_environmental_companies_are_chemical(demo: Path) -> None:
    names = [
        n
        for (n,) in rows(
            demo,
            "SELECT p.name FROM parties p JOIN cases c ON c.id = p.case_id "
            "WHERE p.kind = 'organisation' AND c.domain = 'environment'",
        )
    ]
    assert isinstance(names[0], str)
    chemical = [n for n in names if "化工" in str(n)]
    assert len(chemical) >= len(names) * 0.2
    assert all(str(n).endswith(("公司", "店")) for n in names)


def test_units_cover_xuzhou(demo: Path) -> None:
    names = {str(n) for (n,) in rows(demo, "SELECT name FROM units")}
    for place in ("鼓楼", "云龙", "贾汪", "泉山", "铜山", "丰县", "沛县", "睢宁", "新沂", "邳州"):
        assert any(place in n and "生态环境局" in n for n in names), place
        assert any(place in n and "市场监督管理局" in n for n in names), place
        assert any(place in n and "公安" in n for n in names), place
        assert any(place in n and "人民检察院" in n for n in names), place


def test_statuses_agree_with_timelines(demo: Path) -> None:
    kinds: dict[str, list[str]] = defaultdict(list)
    for case_id, kind in rows(demo, "SELECT case_id, kind FROM events ORDER BY occurred_at, id"):
        kinds[str(case_id)].append(str(kind))
    seen = set()
    for case_id, status, number, decided_on, penalty in rows(
        demo, "SELECT id, status, case_number, decided_on, penalty_fen FROM cases"
    ):
        k = kinds[str(case_id)]
        seen.add(status)
        assert "case_opened" in k
        assert ("penalty_decided" in k) == (decided_on is not None) == (penalty is not None)
        assert re.fullmatch(r"徐[^〔]*(环|市监)(罚|立)〔20\d\d〕[1-9]\d*号", str(number)), number
        assert ("罚〔" in str(number)) == ("penalty_decided" in k)
        if status == "open":
            assert "penalty_decided" not in k and "transferred" not in k
        elif status == "decided":
            assert "penalty_decided" in k and "closed" not in k
        elif status == "closed":
            assert "closed" in k or "reply_sent" in k
        elif status == "transfer_pending":
            steps = [x for x in k if x != "platform_entered"]
            assert steps[-1] == "transfer_reported" or "transfer_approved" in k
            assert "transferred" not in k
        elif status == "transferred":
            assert "transferred" in k
            assert "police_filed" not in k and "police_not_filed" not in k
        elif status == "filed":
            assert "police_filed" in k
        elif status == "not_filed":
            assert "police_not_filed" in k
        elif status == "referred_back":
            assert k[:2] == ["case_opened", "referral_received"] and "reply_sent" not in k
        else:
            pytest.fail(f"unexpected status {status}")
        if "transferred" in k:
            order = ["crime_suspected", "team_formed", "transfer_reported", "transfer_approved"]
            assert [x for x in k if x in order] == order
    assert {"open", "decided", "closed", "filed"} <= seen


def test_deadlines_met_open_and_overdue(demo: Path) -> None:
    ref = REFERENCE_DAY.isoformat()
    met = rows(demo, "SELECT count(*) FROM deadlines WHERE met_at IS NOT NULL")[0][0]
    open_ = rows(demo, f"SELECT count(*) FROM deadlines WHERE met_at IS NULL AND due_at >= '{ref}'")
    overdue = rows(
        demo, f"SELECT count(*) FROM deadlines WHERE met_at IS NULL AND due_at < '{ref}'"
    )
    assert isinstance(met, int) and met > CASES // 2
    assert open_[0][0] and overdue[0][0]
    transfers = rows(demo, "SELECT count(*) FROM transfers")[0][0]
    referrals = rows(demo, "SELECT count(*) FROM referrals")[0][0]
    assert transfers and referrals


def test_records_carry_sync_metadata_and_references_hold(demo: Path) -> None:
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
    for table in ("cases", "parties", "documents", "events", "deadlines", "units", "users"):
        for version, state, created, updated, deleted, seq in rows(
            demo,
            f"SELECT version, sync_state, created_at, updated_at, deleted, server_seq FROM {table}",
        ):
            assert (version, state, deleted, seq) == (1, "pending", 0, None)
            assert stamp.fullmatch(str(created)) and stamp.fullmatch(str(updated))
            assert str(created) <= str(updated)
    assert rows(demo, "PRAGMA foreign_key_check") == []
    assert rows(demo, "SELECT count(*) FROM case_search") == [(CASES,)]
    assert rows(demo, "SELECT count(*) FROM audit_log WHERE action = 'demo_data'") == [(1,)]


def test_second_run_adds_cases_and_no_users(store: Store) -> None:
    first = generate(store, cases=50, seed=1)
    second = generate(store, cases=50, seed=1)
    assert first.users_created and second.users_created == []
    with store.session() as session:
        from sqlalchemy import text

        assert session.execute(text("SELECT count(*) FROM cases")).scalar() == 100
        assert session.execute(text("SELECT count(*) FROM users")).scalar() == 4
        assert session.execute(text("SELECT count(*) FROM units")).scalar() == 44
    assert login(store, "inspector", DEMO_PASSWORD).role == "inspector"


# --- the timelines fit the workflow, the deadlines are the engine's ---------------------------


def timelines(db: Path) -> dict[str, list[WorkflowEvent]]:
    out: dict[str, list[WorkflowEvent]] = defaultdict(list)
    sql = (
        "SELECT id, case_id, kind, occurred_at, actor_user_id, actor_unit_id, document_id,"
        " note, data FROM events ORDER BY case_id, occurred_at, rowid"
    )
    for eid, case_id, kind, at, user, unit, doc, note, data in rows(db, sql):
        record = SimpleNamespace(
            id=eid,
            kind=kind,
            occurred_at=parse_utc(str(at)),
            actor_user_id=user,
            actor_unit_id=unit,
            document_id=doc,
            note=note,
            data=json.loads(str(data)),
        )
        out[str(case_id)].append(WorkflowEvent.from_record(record))
    return out


def test_every_timeline_is_accepted_by_the_workflow(demo: Path) -> None:
    cases = timelines(demo)
    assert len(cases) == CASES
    kinds: set[str] = set()
    for case_id, events in cases.items():
        assert all(e.actor_role for e in events), case_id
        state = derive(events)
        assert state.anomalies == (), (case_id, [e.kind for e in events], state.anomalies)
        kinds.update(e.kind for e in events)
    assert {"team_formed", "transferred", "referral_received", "platform_entered"} <= kinds


def test_stored_deadlines_are_what_the_engine_computes(demo: Path) -> None:
    stored: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for row in rows(
        demo,
        "SELECT case_id, rule_id, trigger_event_id, due_at, met_at, cancelled_at, nature,"
        " verified, counting, label, period_source FROM deadlines",
    ):
        stored[str(row[0])].append(tuple(row[1:]))
    rules: set[str] = set()
    for case_id, events in timelines(demo).items():
        expected = [
            (
                d.rule_id,
                d.trigger_event_id,
                format_utc(d.due_at),
                format_utc(d.met_at) if d.met_at else None,
                format_utc(d.cancelled_at) if d.cancelled_at else None,
                d.nature,
                int(d.verified),
                d.counting,
                d.label,
                d.period_source,
            )
            for d in compute_deadlines(events)
        ]
        assert sorted(stored.get(case_id, []), key=str) == sorted(expected, key=str), case_id
        rules.update(d[0] for d in expected)
    assert {"platform_entry", "head_decision", "police_receipt"} <= rules


def test_platform_entry_is_sometimes_late(demo: Path) -> None:
    late = on_time = 0
    for case_id, events in timelines(demo).items():
        decided = [e.occurred_at for e in events if e.kind == "penalty_decided"]
        entered = [e.occurred_at for e in events if e.kind == "platform_entered"]
        if decided and entered:
            days = (
                entered[0].astimezone(BEIJING).date() - decided[0].astimezone(BEIJING).date()
            ).days
            assert days >= 0, case_id
            if days > 7:
                late += 1
            else:
                on_time += 1
    assert late > 0 and on_time > 3 * late
