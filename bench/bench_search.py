"""Search benchmark: Xianjie's search over 100,000 cases beside the same FTS5 query in raw
sqlite3, same run, same file.

    .venv/bin/python bench/bench_search.py [--data-dir D] [--cases 100000] [--runs 200]
        [--limit 50] [--no-exchange] [--no-write]

(a) Xianjie: ``search_case_ids(session, query, limit)`` through a ``Store.session()`` (what
    ``xianjie search`` and the case list run: a pooled SQLAlchemy connection, the statement
    built by ``app.store.search``, ids fetched);
(b) baseline: the identical SQL text and parameters (``app.store.search.search_sql``) on a
    plain ``sqlite3`` connection to the same file.

The two alternate, query by query and run by run, after a warm-up. p50/p95 per query and
over all queries, and the ratio of p95s (goal: p95 < 50 ms and <= 2x), go to
``bench/results/search.md``. Without ``--no-exchange`` it also times ``export_json``, an
``import_json`` of that export into an empty data folder, and the second export (which must
be byte-identical). If the data folder holds no cases it is made first with
``xianjie demo-data --cases N`` (timed; reported as well).
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.paths import DataPaths  # noqa: E402
from app.store.db import open_store  # noqa: E402
from app.store.exchange import export_json, import_json  # noqa: E402
from app.store.search import search_case_ids, search_sql  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "search.md"
GOAL_MS = 50.0
GOAL_RATIO = 2.0


def _cases(db: Path) -> int:
    if not db.exists():
        return 0
    with closing(sqlite3.connect(db)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
        except sqlite3.Error:
            return 0


def make_data(data_dir: Path, cases: int) -> dict[str, float]:
    cmd = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)]
    started = time.perf_counter()
    out = subprocess.run(
        [*cmd, "demo-data", "--cases", str(cases), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    return {"wall": wall, "reported": float(json.loads(out.stdout)["seconds"])}


def pick_queries(db: Path) -> list[tuple[str, str]]:
    """Realistic queries; the name, credit code and number come from the data itself."""
    with closing(sqlite3.connect(db)) as conn:
        name = conn.execute(
            "SELECT name FROM parties WHERE kind = 'person' ORDER BY id LIMIT 1 OFFSET 5000"
        ).fetchone()[0]
        uscc = conn.execute(
            "SELECT id_number FROM parties WHERE kind = 'organisation' "
            "ORDER BY id LIMIT 1 OFFSET 7000"
        ).fetchone()[0]
        number = conn.execute(
            "SELECT case_number FROM cases WHERE case_number LIKE '%罚〔%' "
            "ORDER BY id LIMIT 1 OFFSET 9000"
        ).fetchone()[0]
    fragment = number[: number.index("〕") + 1]  # 徐铜环罚〔2024〕
    return [
        ("化工", "two characters (below the trigram minimum)"),
        ("危险废物", "common phrase"),
        (name, "a person's name"),
        (uscc, "a unified social credit code"),
        (fragment, "case-number fragment"),
        ("化工 危险废物 铜山区", "three terms, AND"),
        ("总铬 超标", "two terms, AND, one of two characters"),
        ("不存在的词语", "no match"),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_search(data_dir: Path, runs: int, limit: int) -> tuple[list[dict[str, object]], int]:
    store = open_store(DataPaths(data_dir))
    raw = sqlite3.connect(data_dir / "xianjie.db")
    queries = pick_queries(data_dir / "xianjie.db")
    try:

        def app(q: str) -> list[str]:
            with store.session() as session:
                return search_case_ids(session, q, limit=limit)

        def baseline(q: str) -> list[str]:
            built = search_sql(q, limit)
            assert built is not None
            sql, params = built
            return [r[0] for r in raw.execute(sql, params)]

        timings: dict[str, dict[str, list[float]]] = {q: {"app": [], "raw": []} for q, _ in queries}
        hits: dict[str, int] = {}
        for q, _ in queries:  # warm-up, and the two must agree
            a, b = app(q), baseline(q)
            assert a == b, q
            hits[q] = len(a)
        for i in range(runs):
            for q, _ in queries:
                pair: list[tuple[str, Callable[[str], list[str]]]] = [
                    ("app", app),
                    ("raw", baseline),
                ]
                if i % 2:
                    pair.reverse()
                for kind, fn in pair:
                    started = time.perf_counter()
                    fn(q)
                    timings[q][kind].append((time.perf_counter() - started) * 1000)
        with store.session() as session:
            started = time.perf_counter()
            all_hits = len(search_case_ids(session, "化工"))
            unlimited_ms = (time.perf_counter() - started) * 1000
        rows: list[dict[str, object]] = []
        for q, what in queries:
            t = timings[q]
            rows.append(
                {
                    "query": q,
                    "what": what,
                    "hits": hits[q],
                    "app_p50": statistics.median(t["app"]),
                    "app_p95": percentile(t["app"], 0.95),
                    "raw_p50": statistics.median(t["raw"]),
                    "raw_p95": percentile(t["raw"], 0.95),
                }
            )
        everything_app = [v for q, _ in queries for v in timings[q]["app"]]
        everything_raw = [v for q, _ in queries for v in timings[q]["raw"]]
        rows.append(
            {
                "query": "(all queries)",
                "what": "",
                "hits": sum(hits.values()),
                "app_p50": statistics.median(everything_app),
                "app_p95": percentile(everything_app, 0.95),
                "raw_p50": statistics.median(everything_raw),
                "raw_p95": percentile(everything_raw, 0.95),
                "unlimited": (all_hits, unlimited_ms),
            }
        )
        return rows, _cases(data_dir / "xianjie.db")
    finally:
        raw.close()
        store.close()


def run_exchange(data_dir: Path) -> dict[str, float | int | bool]:
    store = open_store(DataPaths(data_dir))
    try:
        started = time.perf_counter()
        data = export_json(store)
        export_s = time.perf_counter() - started
    finally:
        store.close()
    target = Path(tempfile.mkdtemp(prefix="bench-import-", dir=ROOT / "bench" / "out"))
    try:
        store = open_store(DataPaths(target))
        try:
            started = time.perf_counter()
            summary = import_json(store, data)
            import_s = time.perf_counter() - started
            started = time.perf_counter()
            again = export_json(store)
            export2_s = time.perf_counter() - started
        finally:
            store.close()
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return {
        "bytes": len(data),
        "records": summary.inserted,
        "export_s": export_s,
        "import_s": import_s,
        "export2_s": export2_s,
        "identical": again == data,
    }


def machine() -> str:
    return (
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs"
    )


def report(
    rows: list[dict[str, object]],
    cases: int,
    runs: int,
    limit: int,
    demo: dict[str, float] | None,
    exchange: dict[str, float | int | bool] | None,
) -> str:
    total = rows[-1]
    app_p95 = float(total["app_p95"])  # type: ignore[arg-type]
    raw_p95 = float(total["raw_p95"])  # type: ignore[arg-type]
    ratio = app_p95 / raw_p95 if raw_p95 else float("inf")
    met = app_p95 < GOAL_MS and ratio <= GOAL_RATIO
    lines = [
        "# Search benchmark",
        "",
        f"Measured by `bench/bench_search.py` on {time.strftime('%Y-%m-%d %H:%M')}: {cases:,} "
        f"cases, {runs} runs of each query through each path, alternating, limit {limit} "
        "(the `xianjie search` default page). Machine: " + machine() + ".",
        "",
        "App = `search_case_ids` through `Store.session()`; raw = the identical SQL and "
        "parameters on a plain `sqlite3` connection to the same file. Times in ms.",
        "",
        "| query | kind | hits | app p50 | app p95 | raw p50 | raw p95 | p95 ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        a95 = float(row["app_p95"])  # type: ignore[arg-type]
        r95 = float(row["raw_p95"])  # type: ignore[arg-type]
        lines.append(
            f"| {row['query']} | {row['what']} | {row['hits']} | "
            f"{float(row['app_p50']):.2f} | {a95:.2f} | "  # type: ignore[arg-type]
            f"{float(row['raw_p50']):.2f} | {r95:.2f} | {a95 / r95 if r95 else 0:.2f}x |"  # type: ignore[arg-type]
        )
    all_hits, unlimited_ms = total["unlimited"]  # type: ignore[misc]
    lines += [
        "",
        f"**p95 over all queries: {app_p95:.2f} ms (raw sqlite3 {raw_p95:.2f} ms), ratio "
        f"{ratio:.2f}x** — goal p95 < {GOAL_MS:.0f} ms and <= {GOAL_RATIO:.0f}x: "
        + ("met." if met else "**missed**."),
        "",
        f"Without a limit, `化工` matches {all_hits:,} cases; fetching all their ids took "
        f"{unlimited_ms:.0f} ms (once). Pages of results are cheap because the search rows are "
        "numbered by opening day (`ORDER BY rowid DESC` is newest opened first, so FTS5 stops at "
        "the limit); two-character terms are answered from the trigram index through the "
        "`case_search_vocab` table (see `app/store/search.py`).",
    ]
    if demo is not None:
        lines += [
            "",
            "## Demo data",
            "",
            f"`xianjie demo-data --cases {cases}`: {demo['reported']:.1f} s (as the command "
            f"reports it), {demo['wall']:.1f} s wall including process start and migrations.",
        ]
    if exchange is not None:
        lines += [
            "",
            "## Export and import",
            "",
            f"- `export_json` of {cases:,} cases: {exchange['export_s']:.1f} s, "
            f"{int(exchange['bytes']) / 1e6:.0f} MB, {int(exchange['records']):,} records.",
            f"- `import_json` of that export into an empty data folder: "
            f"{exchange['import_s']:.1f} s (validation, inserts, search index).",
            f"- export again: {exchange['export2_s']:.1f} s; byte-identical to the first: "
            f"{'yes' if exchange['identical'] else '**NO**'}.",
        ]
    lines += [
        "",
        "Figures from a shared machine vary from run to run; compare only the figures of one "
        "run with each other.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "search-100k")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--no-exchange", action="store_true", help="skip export/import timing")
    parser.add_argument("--no-write", action="store_true", help="print, do not update results")
    args = parser.parse_args()
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    demo = None
    if _cases(args.data_dir / "xianjie.db") == 0:
        print(f"making {args.cases} demo cases in {args.data_dir} ...", flush=True)
        demo = make_data(args.data_dir, args.cases)
    rows, cases = run_search(args.data_dir, args.runs, args.limit)
    exchange = None if args.no_exchange else run_exchange(args.data_dir)
    text = report(rows, cases, args.runs, args.limit, demo, exchange)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
