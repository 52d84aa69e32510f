"""Sync benchmark: the sync engine beside a raw HTTP transfer of the same payload, same run,
same loopback server (central on SQLite, uvicorn in a thread, 127.0.0.1 only).

    .venv/bin/python bench/bench_sync.py [--cases 10000] [--small 1000] [--big 100000]
        [--attachment-mb 200] [--upload-runs 7] [--no-write] [--only upload]

(1) Initial pull: desk A pushes ``--cases`` cases (each with one party); a fresh desk pulls
    them all. Baseline: the same pages fetched with plain ``requests`` and ``json.loads``
    (transfer and decoding only, nothing stored).
(2) Delta sync: a desk holding ``--small`` and then ``--big`` synced cases changes 10 of them
    and syncs (push then pull). Goal: time(big) / time(small) <= 1.5.
(3) Attachment upload of ``--attachment-mb`` MB through the engine (a whole sync run of an
    up-to-date desk of a unit of its own: resumable, hash-checked, the records pushed; until
    2026-11-29 the desk was new and in unit A, so the timed run also pulled the 20,000
    records of part 1) beside one raw HTTP PUT of the same bytes to
    a plain handler on loopback that writes them to a file, ``--upload-runs`` rounds with new
    content each; medians (of the times, and of the per-round ratios). Goal: throughput
    >= 0.7x the raw PUT.

Figures go to ``bench/results/sync.md``.
"""

import argparse
import hashlib
import http.server
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import requests
from results_file import write_results  # bench/results_file.py (the script's folder)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.paths import DataPaths  # noqa: E402
from app.store.db import Store, open_store  # noqa: E402
from app.store.models import Case  # noqa: E402
from app.sync.setup import settings  # noqa: E402
from tests.sync_helpers import (  # noqa: E402
    attach_bytes,
    connect_store,
    free_port,
    new_case,
    start_central,
    sync,
)

RESULTS = ROOT / "bench" / "results" / "sync.md"
upload_rounds: list[dict[str, float]] = []
"""The upload rounds of this run (for the per-round figures)."""


def _desk(root: Path, name: str, url: str, token: str) -> Store:
    store = open_store(DataPaths(root / name))
    connect_store(store, url, token)
    return store


def _seed_synced_cases(store: Store, unit_id: str, count: int) -> None:
    """Bulk rows already synced (what a desk holds after a long life), raw sqlite3."""
    stamp = "2026-11-02T08:00:00.000000Z"
    rows = [
        (
            str(uuid.uuid4()),
            unit_id,
            f"存量案件{i}",
            "environment",
            "pollution",
            "open",
            "",
            "2026-11-02",
            "",
            "{}",
            "",
            stamp,
            stamp,
            1,
            "synced",
            0,
        )
        for i in range(count)
    ]
    with closing(store.raw_connection()) as conn:
        conn.executemany(
            "INSERT INTO cases (id, unit_id, title, domain, category, status, facts, opened_on, "
            "case_number, fields, spec_version, created_at, updated_at, version, sync_state, "
            "deleted) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
        conn.execute("ANALYZE")


def bench_initial_pull(root: Path, central: Any, cases: int) -> dict[str, float]:
    token_a = central.token("A", "seed")
    seed = _desk(root, "seed", central.url, token_a)
    unit_id = settings(seed)["unit_id"]
    t0 = time.perf_counter()
    with seed.session() as session:
        from datetime import date

        from app.store.models import Party

        for i in range(cases):
            case = Case(
                unit_id=unit_id,
                title=f"案件{i}",
                domain="environment",
                category="pollution",
                opened_on=date(2026, 11, 2),
            )
            session.add(case)
            session.flush()
            session.add(Party(case_id=case.id, kind="person", name=f"当事人{i}"))
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    sync(seed, batch_size=500)
    t_push = time.perf_counter() - t0
    seed.close()

    fresh = _desk(root, "fresh", central.url, central.token("A", "fresh"))
    t0 = time.perf_counter()
    report = sync(fresh, page_size=1000)
    t_pull = time.perf_counter() - t0
    fresh.close()

    headers = {"Authorization": f"Bearer {token_a}", "X-Xianjie-Protocol": "1"}
    t0 = time.perf_counter()
    cursor, records = 0, 0
    with requests.Session() as http:
        while True:
            page = http.get(
                f"{central.url}/api/v1/pull",
                params={"cursor": cursor, "limit": 1000},
                headers=headers,
                timeout=60,
            ).json()
            records += len(page["records"])
            cursor = page["cursor"]
            if not page["more"]:
                break
    t_raw = time.perf_counter() - t0
    return {
        "records": float(report.pulled),
        "raw_records": float(records),
        "local_write": t_local,
        "push": t_push,
        "pull": t_pull,
        "raw_pull": t_raw,
    }


def bench_delta(root: Path, central: Any, size: int, runs: int = 5) -> float:
    store = _desk(root, f"delta-{size}", central.url, central.token("A", f"delta-{size}"))
    unit_id = settings(store)["unit_id"]
    _seed_synced_cases(store, unit_id, size)
    ids = [new_case(store, unit_id, f"变更案件{i}") for i in range(10)]
    sync(store)
    times = []
    for run in range(runs):
        with store.session() as session:
            for case_id in ids:
                session.get_one(Case, case_id).facts = f"第{run}次修改"
        t0 = time.perf_counter()
        report = sync(store)
        times.append(time.perf_counter() - t0)
        assert report.applied == 10, report
    store.close()
    return statistics.median(times)


class _SinkHandler(http.server.BaseHTTPRequestHandler):
    target: Path = Path(os.devnull)

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        with self.target.open("wb") as out:
            remaining = length
            while remaining:
                block = self.rfile.read(min(1024 * 1024, remaining))
                if not block:
                    break
                out.write(block)
                remaining -= len(block)
            out.flush()
            os.fsync(out.fileno())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def add_raw_put(app: Any, target: Path) -> None:
    """A bench-only route on the same server: one PUT streamed to a file, fsynced."""
    from fastapi import Request, Response

    async def raw_put(request: Request) -> Response:
        with target.open("wb") as out:
            async for block in request.stream():
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        return Response(status_code=200)

    app.add_api_route("/bench/raw-put", raw_put, methods=["PUT"])


def _upload_once(root: Path, central: Any, megabytes: int) -> dict[str, float]:
    content = os.urandom(megabytes * 1024 * 1024)
    store = _desk(root, "upload", central.url, central.token("U", f"upload-{root.name}"))
    sync(store)  # an up-to-date desk (of its own unit: none of the other parts' cases to pull)
    sha = attach_bytes(
        store,
        content,
        title="附件上传",
        filename="big.bin",
        media_type="application/octet-stream",
    )
    t0, c0 = time.perf_counter(), time.process_time()
    report = sync(store)
    t_sync, c_sync = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    uploaded = central.blobs / sha
    assert hashlib.sha256(uploaded.read_bytes()).digest().hex() == sha
    uploaded.unlink()  # keeps the page cache and the disk as they were for the next run

    t0, c0 = time.perf_counter(), time.process_time()
    response = requests.put(f"{central.url}/bench/raw-put", data=content, timeout=600)
    t_same, c_same = time.perf_counter() - t0, time.process_time() - c0
    assert response.status_code == 200

    _SinkHandler.target = root / "raw-put.bin"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    t0 = time.perf_counter()
    response = requests.put(
        f"http://127.0.0.1:{server.server_port}/blob", data=content, timeout=600
    )
    t_raw = time.perf_counter() - t0
    server.shutdown()
    assert response.status_code == 200
    shutil.rmtree(root)  # the round's desk, its copy of the content and the sink's file
    return {
        "sync": t_sync,
        "same_server": t_same,
        "raw": t_raw,
        "chunks": float(report.chunks_sent),
        "cpu_sync": c_sync,
        "cpu_same": c_same,
    }


def bench_upload(root: Path, central: Any, megabytes: int, runs: int) -> dict[str, float]:
    """``runs`` rounds of (the engine's upload, one raw PUT to the same server, one to
    http.server), each with new content and a new desk of a unit of its own, synced before
    the case and its attachment are added: the timed run is status, upload, push of the case,
    document and attachment, and a pull of (almost) nothing. Medians of the times and of the
    per-round ratios."""
    central.create_unit("U", "enforcement")
    rounds = [_upload_once(root / f"upload{i}", central, megabytes) for i in range(runs)]
    print(f"upload rounds: {rounds}", flush=True)
    result = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    result["ratio_same"] = statistics.median(r["same_server"] / r["sync"] for r in rounds)
    result["ratio_raw"] = statistics.median(r["raw"] / r["sync"] for r in rounds)
    result["runs"] = float(runs)
    upload_rounds.extend(rounds)
    return result


def bench_gui_stall(root: Path, central: Any, cases: int) -> dict[str, float]:
    """The longest gap between 5 ms ticks of a GUI-thread timer while the sync indicator runs
    a sync of ``cases`` new cases (plus parties) in the background, beside the same window
    idle for as long."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from app.site_config import SiteConfig
    from app.ui.notices import NoticeBar
    from app.ui.sync.indicator import SyncIndicator
    from app.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    # the platform in its own process, as in the field (in-process it would share the GIL)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "central.cli",
            "--db",
            central.db_url,
            "serve",
            "--port",
            str(port),
            "--blobs",
            str(central.blobs),
        ],
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/api/v1/openapi.json", timeout=1)
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    store = _desk(root, "gui", url, central.token("A", "gui"))
    unit_id = settings(store)["unit_id"]
    for i in range(cases):
        new_case(store, unit_id, f"界面同步案件{i}")
    window: Any = QMainWindow()
    window.store, window.site, window.runner = store, SiteConfig(), TaskRunner()
    window.notices = NoticeBar(window)
    indicator = SyncIndicator(window)
    window.show()

    def longest_gap(start: Any, until: Any) -> tuple[float, float]:
        clock, gaps = QElapsedTimer(), []
        last = [0.0]
        tick = QTimer()
        tick.setInterval(5)

        def on_tick() -> None:
            now = clock.nsecsElapsed() / 1e6
            gaps.append(now - last[0])
            last[0] = now

        tick.timeout.connect(on_tick)
        loop = QEventLoop()
        clock.start()
        tick.start()
        start(loop)
        loop.exec()
        tick.stop()
        return max(gaps), clock.nsecsElapsed() / 1e9

    def run_sync(loop: Any) -> None:
        indicator.synced.connect(lambda _r: loop.quit())
        indicator.sync_now()

    stall, seconds = longest_gap(run_sync, None)
    idle, _ = longest_gap(lambda loop: QTimer.singleShot(int(seconds * 1000), loop.quit), None)
    window.runner.wait_idle()
    window.close()
    store.close()
    server.terminate()
    server.wait(timeout=30)
    del app
    return {"stall_ms": stall, "idle_ms": idle, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--attachment-mb", type=int, default=200)
    parser.add_argument("--gui-cases", type=int, default=1000)
    parser.add_argument("--upload-runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--only",
        choices=["upload"],
        help="run only this part and print its figures (nothing is written)",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    root = Path(tempfile.mkdtemp(prefix="xianjie-bench-sync-"))
    central, thread = start_central(
        f"sqlite:///{root / 'central.db'}",
        root / "blobs",
        extra=lambda app: add_raw_put(app, root / "same.bin"),
    )
    central.create_unit("A", "enforcement")
    try:
        if args.only == "upload":
            upload = bench_upload(root, central, args.attachment_mb, args.upload_runs)
            mb = args.attachment_mb
            print(
                f"upload (medians): {upload}; {mb / upload['sync']:.0f} MB/s, "
                f"{upload['ratio_same']:.2f}x the same server's raw PUT, "
                f"{upload['ratio_raw']:.2f}x http.server's",
                flush=True,
            )
            return 0
        pull = bench_initial_pull(root, central, args.cases)
        print(f"initial pull: {pull}", flush=True)
        small = bench_delta(root, central, args.small)
        big = bench_delta(root, central, args.big)
        print(f"delta: {small:.3f}s vs {big:.3f}s", flush=True)
        upload = bench_upload(root, central, args.attachment_mb, args.upload_runs)
        print(f"upload: {upload}", flush=True)
        gui = bench_gui_stall(root, central, args.gui_cases)
        print(f"gui: {gui}", flush=True)
    finally:
        thread.stop()
        central.db.close()
        shutil.rmtree(root, ignore_errors=True)  # a few GB with the upload rounds

    ratio = big / small
    mb = args.attachment_mb
    speed, raw_speed = mb / upload["sync"], mb / upload["raw"]
    same_speed = mb / upload["same_server"]
    lines = [
        "# Sync benchmark",
        "",
        f"`bench/bench_sync.py`, {started}, on {platform.platform()}, "
        f"Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs; central on SQLite, uvicorn on "
        "127.0.0.1 in the same process; baselines measured in the same run. Load average "
        f"(1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end: other "
        "work on the machine shifts these figures; the ratios are what to compare.",
        "",
        "| measurement | Xianjie | baseline | ratio | goal |",
        "|---|---|---|---|---|",
        f"| initial pull of {args.cases:,} cases + {args.cases:,} parties "
        f"({int(pull['records']):,} records incl. units) | {pull['pull']:.2f} s | raw GET+json of "
        f"the same pages {pull['raw_pull']:.2f} s | {pull['pull'] / pull['raw_pull']:.2f}x | — |",
        f"| delta sync, 10 changed cases, {args.small:,} vs {args.big:,} cases in the store "
        f"(median of 5) | {big * 1000:.0f} ms ({args.big:,}) | {small * 1000:.0f} ms "
        f"({args.small:,}) | {ratio:.2f} | <= 1.5 {'met' if ratio <= 1.5 else 'MISSED'} |",
        f"| {mb} MB attachment upload: a whole sync run of an up-to-date desk (status, one "
        f"streamed PUT of {int(upload['chunks'])} blocks, hash-checked, the push of the case, "
        "its document and the attachment record, a pull); "
        f"median of {int(upload['runs'])} rounds | {upload['sync']:.2f} s = {speed:.0f} MB/s | "
        "one raw HTTP PUT of the same bytes to a plain route on the same uvicorn server, in "
        f"the same round {upload['same_server']:.2f} s = {same_speed:.0f} MB/s | "
        f"{upload['ratio_same']:.2f}x | >= 0.7x "
        f"{'met' if upload['ratio_same'] >= 0.7 else 'MISSED'} |",
        f"| the same upload | {speed:.0f} MB/s | one raw HTTP PUT to Python's http.server "
        f"(no ASGI stack) {upload['raw']:.2f} s = {raw_speed:.0f} MB/s | "
        f"{upload['ratio_raw']:.2f}x | (for reference) |",
        f"| GUI event-loop stall while the status-bar indicator syncs {args.gui_cases:,} new "
        f"cases + parties in the background ({gui['seconds']:.1f} s; platform in its own "
        f"process; longest gap between 5 ms timer ticks) | {gui['stall_ms']:.0f} ms | the "
        f"same window idle as long: {gui['idle_ms']:.0f} ms | — | < 100 ms "
        f"{'met' if gui['stall_ms'] < 100 else 'MISSED'} |",
        "",
        f"Upload CPU time (all threads of the process: desk and platform; median): the sync "
        f"run {upload['cpu_sync']:.2f} s, the raw PUT to the same server "
        f"{upload['cpu_same']:.2f} s. Per-round wall times: "
        + ", ".join(f"{r['sync']:.2f}/{r['same_server']:.2f} s" for r in upload_rounds)
        + " (sync run/raw PUT).",
        "",
        f"Seeding: {args.cases:,} cases written locally through the ORM in "
        f"{pull['local_write']:.1f} s, pushed in {pull['push']:.1f} s (batches of 500).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results(RESULTS, text)  # keeps the dated before/after sections
    return 0


if __name__ == "__main__":
    sys.exit(main())
