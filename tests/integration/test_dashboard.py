"""Dashboard figures and deadlines over 20,000 demo cases, against counts made independently.

The store is built once for the module: demo data, then a few hundred hand-made rows that
exercise what demo data never produces (platform entries, late and before the decision; cases
entered late; an interim reply; cancelled, window-type and deleted records). The expected
values are counted in Python over the raw rows, with the entry deadlines read straight from the
entry-standard JSON files: no query of the service is reused.
"""

import json
import random
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.errors import UserError
from app.paths import DataPaths
from app.services import demo_data
from app.services.dashboard import (
    ALL_UNITS,
    Dashboard,
    DashboardQuery,
    compute_dashboard,
    list_units,
    to_dict,
)
from app.services.dashboard_period import Period, this_month, this_quarter, this_year
from app.services.dashboard_xlsx import write_xlsx
from app.store.db import Store, open_store
from tests.conftest import RunCli

STANDARDS = Path(__file__).resolve().parents[2] / "app" / "resources" / "standards"
CST_OFFSET = timedelta(hours=8)
REFERENCE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 Beijing on the demo's last day


def parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def beijing_day(moment: datetime) -> date:
    return (moment.astimezone(UTC) + CST_OFFSET).date()


# --------------------------------------------------------------------------- the store


def _insert_event(
    conn: sqlite3.Connection, n: int, case_id: str, kind: str, at: datetime, data: str = "{}"
) -> None:
    text = stamp(at)
    conn.execute(
        "INSERT INTO events (id, case_id, kind, occurred_at, note, data, created_at, updated_at,"
        " version, sync_state, deleted) VALUES (?, ?, ?, ?, '', ?, ?, ?, 1, 'pending', 0)",
        (f"test-event-{n:05d}", case_id, kind, text, data, text, text),
    )


def _add_edge_cases(store: Store) -> None:
    rng = random.Random(20261129)
    with closing(store.raw_connection()) as conn:
        decided = conn.execute(
            "SELECT id, decided_on FROM cases WHERE decided_on >= '2025-01-01' ORDER BY id"
        ).fetchall()
        picked = rng.sample(decided, 420)
        n = 0
        # platform entries 0-14 days after the decision (about half late), some twice
        for case_id, decided_on in picked[:300]:
            day = date.fromisoformat(decided_on) + timedelta(days=rng.randrange(0, 15))
            at = datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)  # 10:30 Beijing
            _insert_event(conn, n := n + 1, case_id, "platform_entered", at)
            if rng.random() < 0.2:
                _insert_event(conn, n := n + 1, case_id, "platform_entered", at + timedelta(30))
        # an entry made before the decision (it does not enter the decision)
        for case_id, decided_on in picked[300:360]:
            day = date.fromisoformat(decided_on) - timedelta(days=rng.randrange(1, 5))
            at = datetime(day.year, day.month, day.day, 15, 59, tzinfo=UTC)  # 23:59 Beijing
            _insert_event(conn, n := n + 1, case_id, "platform_entered", at)
        # cases entered into the client only after the decision, some late
        for case_id, decided_on in picked[360:400]:
            day = date.fromisoformat(decided_on) + timedelta(days=rng.randrange(3, 12))
            at = datetime(day.year, day.month, day.day, 15, 30, tzinfo=UTC)  # 23:30 Beijing
            conn.execute("UPDATE cases SET created_at = ? WHERE id = ?", (stamp(at), case_id))
        # deleted cases: nothing of theirs counts
        for case_id, _ in picked[400:420]:
            conn.execute("UPDATE cases SET deleted = 1 WHERE id = ?", (case_id,))
        # an interim reply (final=false) to referrals still unanswered
        unanswered = conn.execute(
            "SELECT e.case_id, e.occurred_at FROM events e WHERE e.kind = 'referral_received' "
            "AND NOT EXISTS (SELECT 1 FROM events x WHERE x.case_id = e.case_id "
            "AND x.kind = 'reply_sent') ORDER BY e.case_id LIMIT 6"
        ).fetchall()
        assert len(unanswered) == 6
        for case_id, received in unanswered:
            at = parse(received) + timedelta(days=3)
            _insert_event(conn, n := n + 1, case_id, "reply_sent", at, '{"final": false}')
        # open deadlines: some cancelled, some "window" periods
        open_ids = [
            r[0] for r in conn.execute("SELECT id FROM deadlines WHERE met_at IS NULL ORDER BY id")
        ]
        for deadline_id in rng.sample(open_ids, 60)[:30]:
            conn.execute(
                "UPDATE deadlines SET cancelled_at = ? WHERE id = ?",
                (stamp(REFERENCE), deadline_id),
            )
        for deadline_id in rng.sample(open_ids, 60)[30:]:
            conn.execute("UPDATE deadlines SET nature = 'window' WHERE id = ?", (deadline_id,))
        # deadlines due today and soon relative to REFERENCE, owed by several parties
        cases = conn.execute(
            "SELECT id FROM cases WHERE NOT deleted ORDER BY id LIMIT 40"
        ).fetchall()
        for k, (case_id,) in enumerate(cases):
            due = REFERENCE + timedelta(hours=k * 3 - 20)
            owed = ("self", "police", "procuratorate")[k % 3]
            text = stamp(due)
            conn.execute(
                "INSERT INTO deadlines (id, case_id, rule_id, node, owed_by, due_at, source,"
                " created_at, updated_at, version, sync_state, deleted)"
                " VALUES (?, ?, 'test_rule', ?, ?, ?, '', ?, ?, 1, 'pending', 0)",
                (
                    f"test-deadline-{k:03d}",
                    case_id,
                    ("reported", "received")[k % 2],
                    owed,
                    text,
                    text,
                    text,
                ),
            )
        conn.commit()


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(DataPaths(tmp_path_factory.mktemp("dashboard") / "data"))
    demo_data.generate(store, cases=20000, seed=4)
    _add_edge_cases(store)
    yield store
    store.close()


# --------------------------------------------------------------------------- raw rows, counted


@dataclass
class Raw:
    cases: dict[str, dict[str, Any]]
    events: dict[str, list[dict[str, Any]]]
    referrals: dict[str, list[dict[str, Any]]]
    deadlines: list[dict[str, Any]]
    users: dict[str, str]
    units: dict[str, dict[str, Any]]


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cur = conn.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


@pytest.fixture(scope="module")
def raw(big_store: Store) -> Raw:
    with closing(sqlite3.connect(big_store.paths.database)) as conn:
        cases = {r["id"]: r for r in _rows(conn, "SELECT * FROM cases")}
        events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in _rows(conn, "SELECT * FROM events"):
            events[r["case_id"]].append(r)
        referrals: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in _rows(conn, "SELECT * FROM referrals"):
            referrals[r["case_id"]].append(r)
        deadlines = _rows(conn, "SELECT * FROM deadlines")
        users = {r["id"]: r["display_name"] for r in _rows(conn, "SELECT * FROM users")}
        units = {r["id"]: r for r in _rows(conn, "SELECT * FROM units")}
    return Raw(cases, events, referrals, deadlines, users, units)


def entry_days() -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Entry deadlines straight from the standards' JSON files (one version each here)."""
    by_version: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    for path in STANDARDS.glob("*.json"):
        spec = json.loads(path.read_text(encoding="utf-8"))
        by_version[(spec["id"], spec["version"])] = spec["entry_deadline"]["days"]
        latest[spec["id"]] = spec["entry_deadline"]["days"]
    return by_version, latest


def expected_figures(
    raw: Raw, period: Period, unit_id: str | None, now: datetime
) -> dict[str, int]:
    by_version, latest = entry_days()

    def mine(case_id: str) -> bool:
        case = raw.cases[case_id]
        return not case["deleted"] and (unit_id is None or case["unit_id"] == unit_id)

    def in_period(text: str) -> bool:
        return period.start <= beijing_day(parse(text)) < period.end

    out: Counter[str] = Counter()
    for case_id, case in raw.cases.items():
        if not mine(case_id) or case["decided_on"] is None:
            continue
        decided = date.fromisoformat(case["decided_on"])
        if not period.start <= decided < period.end:
            continue
        out["penalty_cases"] += 1
        days = by_version.get((case["category"], case["spec_version"]))
        if days is None:
            days = latest.get(case["category"], 7)
        entries = [
            parse(e["occurred_at"])
            for e in raw.events[case_id]
            if e["kind"] == "platform_entered"
            and not e["deleted"]
            and beijing_day(parse(e["occurred_at"])) >= decided
        ]
        entered = min(entries) if entries else parse(case["created_at"])
        if beijing_day(entered) <= decided + timedelta(days=days):
            out["entered_on_time"] += 1
        score = json.loads(case["fields"]).get("_completeness")
        if isinstance(score, int) and score >= 100:
            out["complete"] += 1
    names = {
        "transferred": "transfers",
        "police_filed": "filed",
        "police_not_filed": "not_filed",
        "referral_received": "referrals_received",
    }
    for case_id, events in raw.events.items():
        if not mine(case_id):
            continue
        for e in events:
            if e["kind"] in names and not e["deleted"] and in_period(e["occurred_at"]):
                out[names[e["kind"]]] += 1
            if e["kind"] != "referral_received" or e["deleted"] or not in_period(e["occurred_at"]):
                continue
            received = parse(e["occurred_at"])
            candidates = sorted(
                (r for r in raw.referrals.get(case_id, []) if not r["deleted"]),
                key=lambda r: (abs((parse(r["received_at"]) - received).total_seconds()), r["id"]),
            )
            if not candidates or candidates[0]["reply_due_at"] is None:
                continue
            due = parse(candidates[0]["reply_due_at"])
            out["referrals_with_deadline"] += 1
            replies = [
                parse(x["occurred_at"])
                for x in events
                if x["kind"] == "reply_sent"
                and not x["deleted"]
                and parse(x["occurred_at"]) >= received
                and json.loads(x["data"] or "{}").get("final") is not False
            ]
            if replies and min(replies) <= due:
                out["answered_on_time"] += 1
            elif replies:
                out["answered_late"] += 1
            elif due < now:
                out["unanswered_overdue"] += 1
    return dict(out)


def expected_board(
    raw: Raw, now: datetime, soon_days: int, unit_id: str | None
) -> dict[str, Counter[tuple[str, str]]]:
    today = beijing_day(now)
    by: dict[str, Counter[tuple[str, str]]] = {"node": Counter(), "person": Counter()}
    party = {"police": "等待公安机关", "procuratorate": "等待人民检察院", "court": "等待人民法院"}
    for d in raw.deadlines:
        case = raw.cases[d["case_id"]]
        if d["met_at"] or d["cancelled_at"] or d["deleted"] or case["deleted"]:
            continue
        if unit_id is not None and case["unit_id"] != unit_id:
            continue
        due = parse(d["due_at"])
        if due < now:
            if d["nature"] == "window":
                continue
            bucket = "overdue"
        elif beijing_day(due) == today:
            bucket = "today"
        elif beijing_day(due) <= today + timedelta(days=soon_days):
            bucket = "soon"
        else:
            continue
        if d["owed_by"] == "self":
            person = raw.users.get(case["created_by"] or "", "（未记录承办人）")
        else:
            person = party[d["owed_by"]]
        by["node"][(f"{d['node']}:{d['owed_by']}", bucket)] += 1
        by["person"][(person, bucket)] += 1
    return by


def figures_of(dashboard: Dashboard) -> dict[str, int]:
    f = dashboard.figures
    keys = (
        "penalty_cases",
        "entered_on_time",
        "complete",
        "transfers",
        "filed",
        "not_filed",
        "referrals_received",
        "referrals_with_deadline",
        "answered_on_time",
        "answered_late",
        "unanswered_overdue",
    )
    return {k: getattr(f, k) for k in keys if getattr(f, k)}


def board_of(dashboard: Dashboard) -> dict[str, Counter[tuple[str, str]]]:
    by: dict[str, Counter[tuple[str, str]]] = {"node": Counter(), "person": Counter()}
    for g in dashboard.deadlines.by_node:
        for bucket in ("overdue", "today", "soon"):
            if getattr(g, bucket):
                by["node"][(g.key, bucket)] = getattr(g, bucket)
    for g in dashboard.deadlines.by_person:
        for bucket in ("overdue", "today", "soon"):
            if getattr(g, bucket):
                by["person"][(g.label, bucket)] = getattr(g, bucket)
    return by


def _unit_id(raw: Raw, name: str) -> str:
    return next(u["id"] for u in raw.units.values() if u["name"] == name)


# --------------------------------------------------------------------------- the tests

PERIODS = [
    ("year-2025, all units", Period(date(2025, 1, 1), date(2026, 1, 1)), None),
    ("whole demo, all units", Period(date(2021, 1, 1), date(2027, 1, 1)), None),
    ("2025 Q2, home unit", Period(date(2025, 4, 1), date(2025, 7, 1)), demo_data.HOME_UNIT_NAME),
    ("2024, city market", Period(date(2024, 1, 1), date(2025, 1, 1)), "徐州市市场监督管理局"),
]


@pytest.mark.parametrize(
    ("period", "unit_name"), [p[1:] for p in PERIODS], ids=[p[0] for p in PERIODS]
)
def test_figures_equal_independent_counts(
    big_store: Store, raw: Raw, period: Period, unit_name: str | None
) -> None:
    unit_id = None if unit_name is None else _unit_id(raw, unit_name)
    code = None if unit_id is None else raw.units[unit_id]["code"]
    dashboard = compute_dashboard(big_store, DashboardQuery(period, code, now=REFERENCE))
    expected = expected_figures(raw, period, unit_id, REFERENCE)
    assert figures_of(dashboard) == expected
    assert dashboard.figures.unit_name == (unit_name or ALL_UNITS)
    # over all units the edge cases of 2025 make every figure non-trivial
    if unit_id is None:
        assert 0 < expected["entered_on_time"] < expected["penalty_cases"]
        assert 0 < expected["complete"] < expected["penalty_cases"]
        assert expected["transfers"] >= expected["filed"] > expected["not_filed"] > 0
        assert expected["answered_on_time"] > 0 and expected["answered_late"] > 0
        assert expected["unanswered_overdue"] > 0


@pytest.mark.parametrize(
    ("now", "soon_days", "unit_name"),
    [
        (REFERENCE, 3, None),
        (REFERENCE - timedelta(hours=7), 0, None),
        (datetime(2025, 6, 10, 3, 0, tzinfo=UTC), 7, None),
        (REFERENCE, 3, demo_data.HOME_UNIT_NAME),
    ],
)
def test_deadline_board_equals_independent_counts(
    big_store: Store, raw: Raw, now: datetime, soon_days: int, unit_name: str | None
) -> None:
    unit_id = None if unit_name is None else _unit_id(raw, unit_name)
    code = None if unit_id is None else raw.units[unit_id]["code"]
    period = Period(date(2025, 1, 1), date(2026, 1, 1))
    dashboard = compute_dashboard(
        big_store, DashboardQuery(period, code, now=now, soon_days=soon_days)
    )
    expected = expected_board(raw, now, soon_days, unit_id)
    assert board_of(dashboard) == expected
    board = dashboard.deadlines
    assert len(board.items) == sum(expected["node"].values())
    assert [i.due_at for i in board.items] == sorted(i.due_at for i in board.items)
    if now == REFERENCE and unit_id is None:
        buckets = Counter(bucket for _, bucket in expected["node"])
        assert buckets["overdue"] and buckets["today"] and buckets["soon"]
        people = {person for person, _ in expected["person"]}
        assert {"等待公安机关", "等待人民检察院", "张伟", "（未记录承办人）"} <= people


def test_monthly_counts_equal_independent_counts(big_store: Store, raw: Raw) -> None:
    period = Period(date(2024, 1, 1), date(2026, 1, 1))
    dashboard = compute_dashboard(big_store, DashboardQuery(period, now=REFERENCE))
    assert [m.month for m in dashboard.months][:2] == [date(2024, 1, 1), date(2024, 2, 1)]
    assert len(dashboard.months) == 24
    expected: Counter[tuple[date, str]] = Counter()
    for case_id, events in raw.events.items():
        if raw.cases[case_id]["deleted"]:
            continue
        for e in events:
            day = beijing_day(parse(e["occurred_at"]))
            if e["kind"] in ("transferred", "police_filed") and not e["deleted"]:
                expected[(day.replace(day=1), e["kind"])] += 1
    assert [(m.month, m.transfers, m.filed) for m in dashboard.months] == [
        (m.month, expected[(m.month, "transferred")], expected[(m.month, "police_filed")])
        for m in dashboard.months
    ]
    assert sum(m.transfers for m in dashboard.months) == dashboard.figures.transfers
    assert sum(m.filed for m in dashboard.months) == dashboard.figures.filed
    # a short period still charts twelve months
    month = compute_dashboard(
        big_store, DashboardQuery(this_month(date(2025, 3, 15)), now=REFERENCE)
    )
    assert [m.month for m in month.months] == [
        date(2024, 4 + k, 1) if k < 9 else date(2025, k - 8, 1) for k in range(12)
    ]


def test_xlsx_round_trip(big_store: Store, raw: Raw, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    unit_id = _unit_id(raw, demo_data.HOME_UNIT_NAME)
    query = DashboardQuery(
        Period(date(2025, 1, 1), date(2026, 1, 1)), raw.units[unit_id]["code"], now=REFERENCE
    )
    dashboard = compute_dashboard(big_store, query)
    target = write_xlsx(dashboard, tmp_path / "看板.xlsx")
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == ["统计数据", "按节点", "按承办人", "期限明细", "月度统计"]
    rows = list(book["统计数据"].iter_rows(values_only=True))
    assert rows[0] == ("统计期间", "2025-01-01 至 2025-12-31", None, None, None)
    header = rows.index(("指标", "数值", "占", "比例（%）", "说明"))
    values = {r[0]: r[1] for r in rows[header + 1 :]}
    assert values == {f.label: f.value for f in dashboard.figures.figures()}
    by_person = list(book["按承办人"].iter_rows(values_only=True))
    assert by_person[0] == ("承办人／等待方", "已逾期", "今日到期", "即将到期", "合计")
    assert by_person[-1][4] == len(dashboard.deadlines.items)
    assert book["期限明细"].max_row == len(dashboard.deadlines.items) + 1
    book.close()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dashboard-")]


def test_xlsx_to_a_missing_folder_is_a_user_error(big_store: Store, tmp_path: Path) -> None:
    dashboard = compute_dashboard(
        big_store, DashboardQuery(Period(date(2025, 1, 1), date(2025, 2, 1)), now=REFERENCE)
    )
    with pytest.raises(UserError, match="无法写入表格文件"):
        write_xlsx(dashboard, tmp_path / "no-such-folder" / "x.xlsx")


def test_bad_queries_are_user_errors(big_store: Store) -> None:
    with pytest.raises(UserError, match="截止日期"):
        Period(date(2025, 2, 1), date(2025, 2, 1))
    with pytest.raises(UserError, match="未找到单位代码"):
        compute_dashboard(big_store, DashboardQuery(this_year(date(2025, 1, 1)), "NO-SUCH-CODE"))
    with pytest.raises(UserError, match="即将到期"):
        compute_dashboard(big_store, DashboardQuery(this_year(date(2025, 1, 1)), soon_days=-1))


def test_periods_and_units() -> None:
    assert this_quarter(date(2025, 11, 30)) == Period(date(2025, 10, 1), date(2026, 1, 1))
    assert this_quarter(date(2025, 4, 1)) == Period(date(2025, 4, 1), date(2025, 7, 1))
    assert this_month(date(2024, 12, 31)) == Period(date(2024, 12, 1), date(2025, 1, 1))
    assert this_year(date(2024, 2, 29)).label() == "2024-01-01 至 2024-12-31"
    # 00:00 Beijing is 16:00 UTC the day before
    assert Period(date(2025, 1, 1), date(2025, 2, 1)).utc_bounds() == (
        "2024-12-31T16:00:00.000000Z",
        "2025-01-31T16:00:00.000000Z",
    )


def test_unit_choices(big_store: Store, raw: Raw) -> None:
    units = list_units(big_store)
    with_cases = {c["unit_id"] for c in raw.cases.values()}
    assert {u.id for u in units} == with_cases
    assert units[0].kind == "enforcement"


def test_cli_json_and_xlsx(tmp_path: Path, run_cli: RunCli) -> None:
    data_dir = tmp_path / "cli"
    assert (
        run_cli("--data-dir", data_dir, "demo-data", "--cases", "400", "--seed", "3").returncode
        == 0
    )
    out = tmp_path / "cli.xlsx"
    args = ("--from", "2024-01-01", "--to", "2026-01-01", "--at", "2026-11-27T17:00:00+08:00")
    done = run_cli("--data-dir", data_dir, "dashboard", *args, "--json", "--xlsx", out)
    assert done.returncode == 0, done.stderr
    data = done.json()
    store = open_store(DataPaths(data_dir))
    try:
        query = DashboardQuery(
            Period(date(2024, 1, 1), date(2026, 1, 1)),
            now=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        )
        expected = to_dict(compute_dashboard(store, query))
    finally:
        store.close()
    assert data.pop("xlsx") == str(out)
    assert data == json.loads(json.dumps(expected))
    assert data["figures"]["penalty_cases"]["value"] > 0
    assert out.stat().st_size > 0
    text = run_cli("--data-dir", data_dir, "dashboard", *args)
    assert text.returncode == 0
    assert "督办看板：全部单位，2024-01-01 至 2025-12-31" in text.stdout
    assert f"移送涉嫌犯罪案件数：{data['figures']['transfers']['value']}" in text.stdout
    bad = run_cli("--data-dir", data_dir, "dashboard", "--unit", "NOPE")
    assert bad.returncode == 1 and bad.error_lines == ["错误：未找到单位代码为 NOPE 的单位"]
    usage = run_cli("--data-dir", data_dir, "dashboard", "--from", "2025-02-30")
    assert usage.returncode == 2
    bad_time = run_cli("--data-dir", data_dir, "dashboard", "--at", "yesterday")
    assert bad_time.returncode == 1 and len(bad_time.error_lines) == 1
    assert "不是 ISO 格式" in bad_time.stderr


def test_every_rule_node_has_a_chinese_name() -> None:
    from app.services.dashboard_labels import awaiting_label, node_label

    rules_dir = STANDARDS.parent / "deadlines"
    for path in rules_dir.glob("*.json"):
        for rule in json.loads(path.read_text(encoding="utf-8"))["rules"]:
            name = node_label(rule["node"], rule["owed_by"])
            assert name != rule["node"] and not name.isascii(), (path.name, rule["id"])
            if rule["owed_by"] != "self":
                assert awaiting_label(rule["owed_by"]).startswith("等待")
    # a code that is both a state and a step: the owing party tells them apart
    assert node_label("transferred", "self") == "移送公安机关"
    assert node_label("transferred", "police") == "已移送待公安签收"
