"""Sync under faults, through a loopback proxy that loses answers and cuts connections, a server
restart mid-upload, and SIGKILL of the client mid-sync: every record reaches the platform once,
uploads resume (at most one chunk again), and the store stays consistent."""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.paths import DataPaths
from app.site_config import SiteConfig
from app.store.db import Store, open_store
from app.store.models import Case
from app.sync.client import NetworkError
from app.sync.engine import Cancelled, CancelToken, SyncEngine, connect, meta_get
from app.sync.setup import connected_client, settings
from central.api import blobs as blob_api
from central.models import AuditRow, Blob, PushLog, ServerRecord
from tests.conftest import REPO_ROOT
from tests.sync_helpers import (
    Central,
    FaultProxy,
    ServerThread,
    attach_bytes,
    connect_store,
    new_case,
    start_central,
    sync,
)

CHUNK = 64 * 1024


@pytest.fixture
def desk(tmp_path: Path, server: tuple[Central, ServerThread]) -> Iterator[Store]:
    store = open_store(DataPaths(tmp_path / "desk"))
    connect_store(store, server[0].url, server[0].token("A"))
    yield store
    store.close()


@pytest.fixture
def proxy(server: tuple[Central, ServerThread]) -> Iterator[FaultProxy]:
    fault = FaultProxy(server[1].port)
    yield fault
    fault.stop()


def unit(store: Store) -> str:
    return settings(store)["unit_id"]


def server_count(central: Central, table: str) -> int:
    with central.db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ServerRecord)
                .where(ServerRecord.table_name == table)
            )
            or 0
        )


def states(store: Store, table: str) -> list[str]:
    with store.reading() as conn:
        return [r[0] for r in conn.execute(f"SELECT sync_state FROM {table} ORDER BY id")]


def test_a_push_whose_answer_is_lost_is_applied_once(
    server: tuple[Central, ServerThread], desk: Store, proxy: FaultProxy
) -> None:
    central = server[0]
    ids = [new_case(desk, unit(desk), f"案件{i}") for i in range(3)]
    proxy.mode = "lose_responses"
    with pytest.raises(NetworkError):
        sync(desk, proxy.url)
    assert states(desk, "cases") == ["sending"] * 3
    assert server_count(central, "cases") == 3  # applied; only the answer was lost
    with desk.session() as session:
        session.get_one(Case, ids[0]).facts = "在途时修改"
    proxy.mode = "pass"
    report = sync(desk, proxy.url)
    assert report.resent_pushes == 1
    with central.db.session() as session:
        assert session.scalar(select(func.count()).select_from(PushLog)) == 2
        versions = {r.id: r.version for r in session.scalars(select(ServerRecord)) if r.id in ids}
    assert versions == {ids[0]: 2, ids[1]: 1, ids[2]: 1}
    assert server_count(central, "cases") == 3
    assert states(desk, "cases") == ["synced"] * 3


def test_the_batch_stops_at_the_first_network_failure_and_resumes(
    server: tuple[Central, ServerThread], desk: Store, proxy: FaultProxy
) -> None:
    central = server[0]
    for i in range(5):
        new_case(desk, unit(desk), f"案件{i}")
    with closing(connect(desk)) as conn:
        cursor_before = meta_get(conn, "cursor")

    def progress(stage: str, done: int, _total: int) -> None:
        if stage == "push" and done == 2:
            proxy.mode, proxy.budget = "cut_after", 0

    with pytest.raises(NetworkError):
        sync(desk, proxy.url, batch_size=2, progress=progress)
    assert server_count(central, "cases") == 2
    assert (
        sorted(states(desk, "cases")) == ["pending"] * 3 + ["synced"] * 2
        or sorted(states(desk, "cases")) == ["pending"] + ["sending"] * 2 + ["synced"] * 2
    )
    with closing(connect(desk)) as conn:
        assert meta_get(conn, "cursor") == cursor_before  # no pull after the failure
    proxy.mode = "pass"
    sync(desk, proxy.url, batch_size=2)
    assert server_count(central, "cases") == 5 and server_count(central, "parties") == 5
    assert set(states(desk, "cases")) == set(states(desk, "parties")) == {"synced"}


def _second_desk(tmp_path: Path, central: Central) -> Store:
    store = open_store(DataPaths(tmp_path / "desk2"))
    connect_store(store, central.url, central.token("A", "second"))
    return store


def _received(central: Central, sha: str) -> int:
    """The platform's answer to where the upload continues."""
    response = central.api(central.token("A", "probe"), "GET", f"/blobs/{sha}/status")
    return int(response.json()["received"])


def _wait_for_uploads_to_end(central: Central, count: int) -> None:
    """Wait until the platform has finished ``count`` upload requests (each is audited once it
    has ended; a cut one may still be writing what arrived when the client gives up)."""
    deadline = time.monotonic() + 20
    while True:
        with central.db.session() as session:
            done = session.scalar(
                select(func.count()).select_from(AuditRow).where(AuditRow.method == "PUT")
            )
        if (done or 0) >= count:
            return
        if time.monotonic() > deadline:
            pytest.fail("the platform did not finish the upload request")
        time.sleep(0.02)


def _crash(thread: ServerThread) -> None:
    """Stop the server as a crash would: open connections are reset mid-request."""
    for connection in list(thread.server.server_state.connections):
        connection.loop.call_soon_threadsafe(connection.transport.abort)
    thread.stop()


def test_an_upload_cut_mid_chunk_resumes_with_at_most_one_chunk_again(
    server: tuple[Central, ServerThread],
    desk: Store,
    proxy: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    central = server[0]
    monkeypatch.setattr(blob_api, "FLUSH_EVERY", CHUNK)  # background flushes while it runs
    content = random.Random(7).randbytes(10 * CHUNK + 123)
    sha = attach_bytes(desk, content)
    proxy.mode, proxy.budget = "cut_after", 3 * CHUNK + CHUNK // 2
    with pytest.raises(NetworkError):
        sync(desk, proxy.url, chunk_size=CHUNK)
    first = proxy.client_bytes
    _wait_for_uploads_to_end(central, 1)
    received = _received(central, sha)  # what arrived before the cut stays on the platform
    assert 3 * CHUNK < received < 3 * CHUNK + CHUNK // 2
    with central.db.session() as session:
        assert not session.get_one(Blob, sha).complete
    assert server_count(central, "attachments") == 0 and server_count(central, "cases") == 0
    proxy.mode = "pass"
    report = sync(desk, proxy.url, chunk_size=CHUNK)
    assert report.bytes_sent == len(content) - received  # exactly the bytes that were missing
    resent = proxy.client_bytes - first - (len(content) - received)
    assert 0 < resent < CHUNK  # besides the remaining bytes, only request lines and headers
    assert server_count(central, "attachments") == 1
    assert hashlib.sha256((central.blobs / sha).read_bytes()).hexdigest() == sha
    other = _second_desk(tmp_path, central)
    try:
        sync(other)
        client = connected_client(other, SiteConfig())
        fetched = SyncEngine(other, client).fetch_attachment(sha)
        client.close()
        assert fetched.read_bytes() == content
    finally:
        other.close()


def test_a_server_restart_mid_upload_then_the_upload_completes(
    server: tuple[Central, ServerThread], desk: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform crashes with part of the content written; the restarted one (no running
    hash in memory) hashes that part from disk and takes the rest."""
    central, thread = server
    monkeypatch.setattr(blob_api, "FLUSH_EVERY", CHUNK // 2)
    content = random.Random(8).randbytes(6 * CHUNK)
    sha = attach_bytes(desk, content)
    part = central.blobs / f"{sha}.part"
    stopped: list[bool] = []

    def progress(stage: str, done: int, _total: int) -> None:
        if stage == "upload" and done >= 2 * CHUNK and not stopped:
            deadline = time.monotonic() + 20
            while not part.exists() or part.stat().st_size < CHUNK:
                assert time.monotonic() < deadline, "the platform wrote nothing"
                time.sleep(0.01)
            _crash(thread)
            stopped.append(True)

    with pytest.raises(NetworkError):
        sync(desk, chunk_size=CHUNK, progress=progress)
    _, restarted = start_central(central.db_url, central.blobs, port=thread.port)
    try:
        received = _received(central, sha)
        assert CHUNK <= received < len(content)
        report = sync(desk, chunk_size=CHUNK)
        assert report.bytes_sent == len(content) - received
        assert hashlib.sha256((central.blobs / sha).read_bytes()).hexdigest() == sha
        assert set(states(desk, "attachments")) == {"synced"}
    finally:
        restarted.stop()
        thread.server.should_exit = True


def test_a_sync_cancelled_mid_upload_stops_and_the_next_one_sends_only_the_rest(
    server: tuple[Central, ServerThread], desk: Store
) -> None:
    central = server[0]
    content = random.Random(10).randbytes(8 * CHUNK + 5)
    sha = attach_bytes(desk, content)
    token = CancelToken()

    def progress(stage: str, done: int, _total: int) -> None:
        if stage == "upload" and done >= 3 * CHUNK:
            token.cancel()

    with pytest.raises(Cancelled):
        sync(desk, chunk_size=CHUNK, progress=progress, cancel=token)
    _wait_for_uploads_to_end(central, 1)
    received = _received(central, sha)
    assert received <= 3 * CHUNK  # the run stopped between blocks
    assert server_count(central, "attachments") == 0
    report = sync(desk, chunk_size=CHUNK)
    assert report.bytes_sent == len(content) - received
    assert hashlib.sha256((central.blobs / sha).read_bytes()).hexdigest() == sha
    assert set(states(desk, "attachments")) == {"synced"}


def test_an_upload_busy_on_another_connection_is_left_for_the_next_run(
    server: tuple[Central, ServerThread], desk: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    central, thread = server
    monkeypatch.setattr(blob_api, "BUSY_WAIT", 0.2)
    content = random.Random(12).randbytes(3 * CHUNK)
    sha = attach_bytes(desk, content)
    _received(central, sha)  # the platform's registry of uploads exists from here on
    uploads = thread.server.config.app.state.uploads
    assert uploads.claim(sha)  # another connection is writing this content
    with pytest.raises(NetworkError):  # 503 busy: transient
        sync(desk, chunk_size=CHUNK)
    assert set(states(desk, "attachments")) == {"pending"}
    uploads.release(sha, None, keep=False)
    report = sync(desk, chunk_size=CHUNK)
    assert report.bytes_sent == len(content)  # nothing was written while it was busy
    assert hashlib.sha256((central.blobs / sha).read_bytes()).hexdigest() == sha
    assert set(states(desk, "attachments")) == {"synced"}


def test_sigkill_during_sync_leaves_a_consistent_store_and_the_next_sync_completes(
    server: tuple[Central, ServerThread], desk: Store, cli_env: dict[str, str]
) -> None:
    central = server[0]
    rng = random.Random(11)
    ids = [new_case(desk, unit(desk), f"案件{i}") for i in range(150)]
    command = [sys.executable, str(REPO_ROOT / "main.py"), "--data-dir", str(desk.paths.root)]
    kills = 0
    rounds = int(os.environ.get("XIANJIE_SYNC_KILL_ROUNDS", "10"))  # 50 for the long run
    for _round in range(rounds):
        with desk.session() as session:
            for case_id in rng.sample(ids, 20):
                session.get_one(Case, case_id).facts = f"修改{_round}"
        proc = subprocess.Popen(
            [*command, "sync", "--once"],
            env=cli_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.2))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
        with desk.reading() as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert kills >= 3
    done = subprocess.run(
        [*command, "sync", "--once"], env=cli_env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    assert server_count(central, "cases") == 150 and server_count(central, "parties") == 150
    assert set(states(desk, "cases")) == {"synced"}
    with central.db.session() as session:
        server_facts = {
            r.id: json.loads(r.data)["facts"]
            for r in session.scalars(select(ServerRecord).where(ServerRecord.table_name == "cases"))
        }
    with desk.session() as session:
        local_facts = {c.id: c.facts for c in session.scalars(select(Case))}
    assert server_facts == local_facts


def test_sync_converges_through_a_lossy_slow_connection(
    server: tuple[Central, ServerThread], desk: Store, proxy: FaultProxy, tmp_path: Path
) -> None:
    """30% of requests (15% of answers) cut at a random byte, every block delayed: runs are
    repeated until one completes; then every record is on the platform exactly once and the
    attachment is byte-identical."""
    central = server[0]
    ids = [new_case(desk, unit(desk), f"案件{i}") for i in range(12)]
    content = random.Random(9).randbytes(5 * CHUNK + 77)
    sha = attach_bytes(desk, content)
    delay = float(os.environ.get("XIANJIE_SYNC_CHAOS_DELAY", "0.005"))  # 0.3 for the long run
    proxy.mode, proxy.loss, proxy.delay = "chaos", 0.3, delay
    failures = 0
    for _run in range(60):
        if _run < 10:
            with desk.session() as session:  # keep editing while the network misbehaves
                session.get_one(Case, ids[_run]).facts = f"第{_run}次"
        try:
            sync(desk, proxy.url, chunk_size=CHUNK, batch_size=5, page_size=7)
        except NetworkError:
            failures += 1
            continue
        if all(s == "synced" for t in ("cases", "parties", "attachments") for s in states(desk, t)):
            break
    else:
        pytest.fail("sync did not converge in 60 runs")
    assert failures >= 3 and proxy.faults >= 3
    assert server_count(central, "cases") == 13 and server_count(central, "parties") == 13
    assert server_count(central, "attachments") == 1
    assert hashlib.sha256((central.blobs / sha).read_bytes()).hexdigest() == sha
    with central.db.session() as session:
        server_facts = {
            r.id: json.loads(r.data)["facts"]
            for r in session.scalars(select(ServerRecord).where(ServerRecord.table_name == "cases"))
        }
    with desk.session() as session:
        assert server_facts == {c.id: c.facts for c in session.scalars(select(Case))}


def test_records_left_sending_without_a_push_in_flight_are_sent_again(
    server: tuple[Central, ServerThread], desk: Store
) -> None:
    case_id = new_case(desk, unit(desk), "卡在发送中的案件")
    with closing(desk.raw_connection()) as conn:
        conn.execute("UPDATE cases SET sync_state = 'sending' WHERE id = ?", (case_id,))
        conn.commit()
    assert sync(desk).applied == 2
    assert states(desk, "cases") == ["synced"] and server_count(server[0], "cases") == 1
