"""Dashboard benchmark: every figure and the deadline board over 20,000 and 100,000 demo cases,
beside raw SQL counts of the same rows, same run, same file.

    .venv/bin/python bench/bench_dashboard.py [--sizes 20000 100000] [--runs 30]
        [--data-root DIR] [--no-write]

(a) Xianjie: ``compute_dashboard(store, query)`` (what ``xianjie dashboard`` and the window
    run): a fresh query-only connection, the unit lookup, the figures as defined in
    docs/dashboard.md (entry time, per-standard entry deadline, completeness, reply deadlines),
    the open deadlines with their node and person labels, and twelve monthly counts;
(b) baseline: the plain counts a person would type into ``sqlite3`` for the same numbers, with
    none of the definitions: cases decided in the period, events of the four kinds in the
    period, open deadlines before the horizon. Same file, a fresh connection each time.

The two alternate run by run after a warm-up, for three queries: all units over a year, one
unit over a quarter, all units over the whole demo span. The entry standards are loaded once
per process (as in the app); the first, cold call is reported separately. Goal: p95 < 500 ms
at 20,000 cases. Results go to ``bench/results/dashboard.md``. A data folder without cases is
filled first with ``demo-data`` (in-process, timed).
"""

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.paths import DataPaths  # noqa: E402
from app.services import demo_data  # noqa: E402
from app.services.dashboard import DashboardQuery, compute_dashboard  # noqa: E402
from app.services.dashboard_deadlines import horizon  # noqa: E402
from app.services.dashboard_figures import builtin_entry_rules  # noqa: E402
from app.services.dashboard_period import Period  # noqa: E402
from app.store.db import Store, open_store  # noqa: E402
from app.timeutil import format_utc  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "dashboard.md"
GOAL_MS = 500.0
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 Beijing on the demo's last day


def ensure_data(folder: Path, cases: int) -> tuple[Store, float | None]:
    store = open_store(DataPaths(folder))
    with closing(sqlite3.connect(store.paths.database)) as conn:
        present = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    if present == cases:
        return store, None
    if present:
        raise SystemExit(f"{folder} holds {present} cases, not {cases}: choose another folder")
    started = time.perf_counter()
    demo_data.generate(store, cases=cases, seed=2026)
    return store, time.perf_counter() - started


def home_code(store: Store) -> str:
    with closing(sqlite3.connect(store.paths.database)) as conn:
        row = conn.execute(
            "SELECT code FROM units WHERE name = ?", (demo_data.HOME_UNIT_NAME,)
        ).fetchone()
    return str(row[0])


def raw_counts(db: Path, query: DashboardQuery) -> tuple[int, ...]:
    """The baseline: plain counts over the same rows, without the dashboard's definitions."""
    lo, hi = query.period.utc_bounds()
    _, end = horizon(query.now, query.soon_days)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA query_only=ON")
        unit = None
        if query.unit_code is not None:
            unit = conn.execute(
                "SELECT id FROM units WHERE code = ?", (query.unit_code,)
            ).fetchone()[0]
        decided = conn.execute(
            "SELECT count(*) FROM cases WHERE decided_on >= ? AND decided_on < ?"
            " AND (? IS NULL OR unit_id = ?)",
            (query.period.start.isoformat(), query.period.end.isoformat(), unit, unit),
        ).fetchone()[0]
        events = conn.execute(
            "SELECT e.kind, count(*) FROM events e JOIN cases c ON c.id = e.case_id"
            " WHERE e.kind IN ('transferred', 'police_filed', 'police_not_filed',"
            " 'referral_received') AND e.occurred_at >= ? AND e.occurred_at < ?"
            " AND (? IS NULL OR c.unit_id = ?) GROUP BY e.kind",
            (lo, hi, unit, unit),
        ).fetchall()
        open_deadlines = conn.execute(
            "SELECT count(*) FROM deadlines d JOIN cases c ON c.id = d.case_id"
            " WHERE d.met_at IS NULL AND d.due_at < ? AND (? IS NULL OR c.unit_id = ?)",
            (format_utc(end), unit, unit),
        ).fetchone()[0]
    return (decided, *(n for _, n in sorted(events)), open_deadlines)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def bench_size(folder: Path, cases: int, runs: int) -> dict[str, object]:
    store, made = ensure_data(folder, cases)
    started = time.perf_counter()
    builtin_entry_rules.cache_clear()
    cold_query = DashboardQuery(Period(date(2025, 1, 1), date(2026, 1, 1)), now=NOW)
    cold_dashboard = compute_dashboard(store, cold_query)
    cold = (time.perf_counter() - started) * 1000
    queries = {
        "all units, 2025": cold_query,
        "home unit, 2025 Q3": DashboardQuery(
            Period(date(2025, 7, 1), date(2025, 10, 1)), home_code(store), now=NOW
        ),
        "all units, 2022-2026": DashboardQuery(Period(date(2022, 1, 1), date(2027, 1, 1)), now=NOW),
    }
    rows = []
    for name, query in queries.items():
        for _ in range(3):  # warm-up
            compute_dashboard(store, query)
            raw_counts(store.paths.database, query)
        app: list[float] = []
        raw: list[float] = []
        for n in range(runs):
            order = (0, 1) if n % 2 == 0 else (1, 0)
            for which in order:
                if which == 0:
                    app.append(timed(lambda q=query: compute_dashboard(store, q)))
                else:
                    raw.append(timed(lambda q=query: raw_counts(store.paths.database, q)))
        result = compute_dashboard(store, query)
        rows.append(
            {
                "query": name,
                "figures": result.figures,
                "items": len(result.deadlines.items),
                "app_p50": statistics.median(app),
                "app_p95": p95(app),
                "raw_p50": statistics.median(raw),
                "raw_p95": p95(raw),
            }
        )
    store.close()
    return {
        "cases": cases,
        "made": made,
        "cold": cold,
        "cold_items": len(cold_dashboard.deadlines.items),
        "rows": rows,
    }


def report(results: list[dict[str, object]], runs: int, load: tuple[float, float]) -> str:
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    machine = (
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {len(os.sched_getaffinity(0))} CPUs"
    )
    lines = [
        "# Dashboard benchmark",
        "",
        f"Measured by `bench/bench_dashboard.py` on {when}: {runs} runs of each query through "
        f"each path, alternating, after 3 warm-up runs. Machine: {machine}. Load average "
        f"(1 min) {load[0]:.1f} at the start and {load[1]:.1f} at the end: other work on the "
        "machine slows both paths alike, so compare the ratio, not the milliseconds, between "
        "runs.",
        "",
        "App = `compute_dashboard(store, query)`: every figure of docs/dashboard.md, the open "
        "deadlines due today, soon (3 days) and overdue with their node and person, and twelve "
        "monthly counts, on a fresh query-only connection. Raw = plain `sqlite3` counts of the "
        "same rows without the definitions (cases decided in the period, events of the four "
        "kinds, open deadlines before the horizon), on a fresh connection. Deadlines as of "
        f"{NOW.isoformat()} (17:00 Beijing on the demo's last day). Times in ms.",
        "",
    ]
    verdicts = []
    for res in results:
        cases = int(str(res["cases"]))
        lines.append(f"## {cases:,} cases")
        lines.append("")
        if res["made"] is not None:
            lines.append(f"Demo data made in this run: {float(str(res['made'])):.1f} s.")
            lines.append("")
        lines.append(
            "| query | penalty cases | transfers | open deadlines listed | app p50 | app p95 "
            "| raw p50 | raw p95 | p95 ratio |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
        worst = 0.0
        rows = res["rows"]
        assert isinstance(rows, list)
        for row in rows:
            f = row["figures"]
            ratio = row["app_p95"] / row["raw_p95"] if row["raw_p95"] else float("nan")
            worst = max(worst, row["app_p95"])
            lines.append(
                f"| {row['query']} | {f.penalty_cases:,} | {f.transfers:,} | {row['items']:,} "
                f"| {row['app_p50']:.1f} | {row['app_p95']:.1f} | {row['raw_p50']:.1f} "
                f"| {row['raw_p95']:.1f} | {ratio:.2f}x |"
            )
        lines.append("")
        lines.append(
            f"First (cold) call, including loading the entry standards once: "
            f"{float(str(res['cold'])):.0f} ms."
        )
        lines.append("")
        if cases == 20000:
            met = "met" if worst < GOAL_MS else "**missed**"
            verdicts.append(
                f"**Worst p95 at 20,000 cases: {worst:.1f} ms** — goal < 500 ms: {met}."
            )
        else:
            verdicts.append(f"Worst p95 at {cases:,} cases: {worst:.1f} ms (no goal set).")
    lines.extend(verdicts)
    lines.append("")
    lines.append(
        "Migration 0006 adds the indexes these counts use: `ix_events_kind_time` (kind, "
        "occurred_at, case_id, deleted), `ix_cases_decided` (decided_on, unit_id) and the "
        "partial `ix_cases_deleted` (id) WHERE deleted; the open deadlines use "
        "`ix_deadlines_open` (met_at, due_at) from the first schema."
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--data-root", type=Path, default=ROOT / "bench" / "out" / "dashboard")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = [bench_size(args.data_root / f"{size}", size, args.runs) for size in args.sizes]
    text = report(results, args.runs, (load_before, os.getloadavg()[0]))
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
