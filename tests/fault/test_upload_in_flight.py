"""Issue #6: an upload is resumable after any interruption with at most one chunk sent again.

What a crash of the platform or a reset loses is what was in flight: the desk's socket send
buffer, the platform's socket receive buffer and what the platform had read but not yet
written. Both buffers are fixed (``SEND_BUFFER`` in the client, ``RECEIVE_BUFFER`` on the
platform's listening socket, which accepted connections inherit), so that sum stays below
``CHUNK_SIZE``. These tests count the bytes the client handed to its kernel (every ``send``
call's return value, headers included: see ``count_sent``) across the interrupted run and the
one that resumes, with the real 8 MiB chunks."""

import hashlib
import random
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.paths import DataPaths
from app.store.db import Store, open_store
from app.sync import client as sync_client
from app.sync.client import NetworkError
from app.sync.wire import CHUNK_SIZE
from central import cli
from central.db import Database, migrate
from central.models import AuditRow
from tests.sync_helpers import (
    Central,
    CentralProcess,
    ServerThread,
    attach_bytes,
    connect_store,
    count_sent,
    sync,
)

SIZE = 64 * 1024 * 1024 + 12_345
"""The attachment: eight chunks and a bit."""
KILL_AFTER = 3 * CHUNK_SIZE
"""The platform is interrupted once the client has handed this much of the body over."""


def _states(store: Store) -> set[str]:
    with store.reading() as conn:
        return {r[0] for r in conn.execute("SELECT sync_state FROM attachments")}


def _status(url: str, token: str, sha: str) -> dict[str, object]:
    import requests

    response = requests.get(
        f"{url}/api/v1/blobs/{sha}/status",
        headers={"Authorization": f"Bearer {token}", "X-Xianjie-Protocol": "1"},
        timeout=30,
    )
    return dict(response.json())


@pytest.fixture
def content() -> bytes:
    return random.Random(66).randbytes(SIZE)


def test_the_bytes_in_flight_fit_in_one_chunk() -> None:
    """The effective buffer sizes, read back from real sockets made the way the desk and the
    platform make them (Linux doubles what is asked for; an accepted socket inherits the
    listening socket's receive buffer), plus what the platform holds in memory, stay below
    one chunk."""
    listener = cli.listen_socket("127.0.0.1", 0)
    try:
        listener.listen(1)
        port = listener.getsockname()[1]
        import urllib3.util.connection

        desk = urllib3.util.connection.create_connection(
            ("127.0.0.1", port), socket_options=sync_client.SOCKET_OPTIONS
        )
        accepted, _ = listener.accept()
        with desk, accepted:
            send = desk.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
            receive = accepted.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    finally:
        listener.close()
    assert 0 < send <= 2 * sync_client.SEND_BUFFER
    assert 0 < receive <= 2 * cli.RECEIVE_BUFFER
    assert send + receive + cli.BODY_HELD <= CHUNK_SIZE
    assert 2 * sync_client.SEND_BUFFER + 2 * cli.RECEIVE_BUFFER + cli.BODY_HELD <= CHUNK_SIZE


def test_what_the_platform_holds_in_memory_is_bounded_as_counted() -> None:
    """``BODY_HELD`` follows the server stack: uvicorn's h11 protocol stops reading once more
    than HIGH_WATER_LIMIT of body waits for the application, and asyncio reads at most
    ``max_size`` per receive; the route writes each block before it asks for the next."""
    from asyncio import selector_events

    from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT

    transport = selector_events._SelectorSocketTransport
    assert HIGH_WATER_LIMIT + transport.max_size <= cli.BODY_HELD


def test_a_sigkilled_platform_mid_upload_costs_at_most_one_chunk_again(
    tmp_path: Path, content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server process (``xianjie-central serve``) is SIGKILLed while a 64 MiB upload
    streams in 8 MiB chunks, then started again on the same port; the next run resumes from
    the partial file. Everything the client handed to its kernel over both runs, less the
    file's size, is at most one chunk; the platform's file is byte-identical."""
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    db = Database(db_url)
    migrate(db.engine)
    platform = CentralProcess(db_url, tmp_path / "blobs")
    central = Central(platform.url, db_url, db, platform.blobs)
    central.create_unit("A", "enforcement")
    token = central.token("A")
    store = open_store(DataPaths(tmp_path / "desk"))
    try:
        platform.start()
        connect_store(store, platform.url, token)
        sha = attach_bytes(
            store, content, title="大附件的案件", filename="scan.tif", media_type="image/tiff"
        )
        sent = count_sent(monkeypatch)
        killed: list[int] = []

        def progress(stage: str, done: int, _total: int) -> None:
            if stage == "upload" and done >= KILL_AFTER and not killed:
                killed.append(sent.total)
                platform.kill()  # mid-stream: the client is still sending

        with pytest.raises(NetworkError):
            sync(store, progress=progress)
        assert killed, "the upload ended before the platform was killed"
        first = sent.total
        platform.start()
        received = int(str(_status(platform.url, token, sha)["received"]))
        assert KILL_AFTER - CHUNK_SIZE <= received < SIZE
        report = sync(store)
        assert report.bytes_sent == SIZE - received
        assert _states(store) == {"synced"}
        again = sent.total - SIZE  # bytes handed over twice (and all headers)
        print(f"first run {first}, on disk {received}, again {again} of {CHUNK_SIZE}")
        assert 0 <= again <= CHUNK_SIZE
        assert sent.body_buffers and max(sent.body_buffers) <= 2 * sync_client.SEND_BUFFER
        uploaded = (platform.blobs / sha).read_bytes()
        assert hashlib.sha256(uploaded).hexdigest() == sha and uploaded == content
    finally:
        platform.kill()
        store.close()
        db.close()


def _wait_for_upload_to_end(central: Central) -> None:
    deadline = time.monotonic() + 30
    while True:
        with central.db.session() as session:
            done = session.scalar(
                select(func.count()).select_from(AuditRow).where(AuditRow.method == "PUT")
            )
        if done:
            return
        if time.monotonic() > deadline:
            pytest.fail("the platform did not finish the upload request")
        time.sleep(0.02)


def test_a_connection_reset_by_the_platform_mid_upload_costs_at_most_one_chunk_again(
    server: tuple[Central, ServerThread],
    tmp_path: Path,
    content: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The platform (in this process, started through the same listening socket as
    ``serve``) aborts the upload's connection mid-stream — a reset, no proxy in the path, so
    only the two endpoints' buffers are measured — and stays up; the next run resumes. The
    bytes handed over twice are at most one chunk."""
    central, thread = server
    store = open_store(DataPaths(tmp_path / "desk"))
    try:
        connect_store(store, central.url, central.token("A"))
        sha = attach_bytes(
            store, content, title="大附件的案件", filename="scan.tif", media_type="image/tiff"
        )
        sent = count_sent(monkeypatch)
        reset: list[bool] = []

        def progress(stage: str, done: int, _total: int) -> None:
            if stage == "upload" and done >= KILL_AFTER and not reset:
                reset.append(True)
                for connection in list(thread.server.server_state.connections):
                    connection.loop.call_soon_threadsafe(connection.transport.abort)

        with pytest.raises(NetworkError):
            sync(store, progress=progress)
        _wait_for_upload_to_end(central)
        received = int(str(_status(central.url, central.token("A", "probe"), sha)["received"]))
        assert KILL_AFTER - CHUNK_SIZE <= received < SIZE
        first = sent.total
        report = sync(store)
        assert report.bytes_sent == SIZE - received
        again = sent.total - SIZE
        print(f"first run {first}, on disk {received}, again {again} of {CHUNK_SIZE}")
        assert 0 <= again <= CHUNK_SIZE
        uploaded = (central.blobs / sha).read_bytes()
        assert hashlib.sha256(uploaded).hexdigest() == sha and uploaded == content
        assert _states(store) == {"synced"}
    finally:
        store.close()
