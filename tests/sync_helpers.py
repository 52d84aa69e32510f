"""Sync test parts: a throwaway PostgreSQL cluster, the central server on loopback (uvicorn in
a thread), a loopback fault proxy, and client stores connected to the server.

Import the fixtures by their function names (they register under the names in ``name=``)."""

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- PostgreSQL


@dataclass
class PgCluster:
    port: int
    count: int = 0

    def new_database(self) -> str:
        import psycopg

        self.count += 1
        name = f"xj_{os.getpid()}_{self.count}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@pytest.fixture(name="pg_cluster", scope="session")
def pg_cluster_fixture() -> Iterator[PgCluster]:
    """A PostgreSQL 15 cluster of its own in a temp dir, on 127.0.0.1 only; stopped after."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries missing in {PG_BIN} (tools/setup.sh installs postgresql)")
    root = Path(tempfile.mkdtemp(prefix="xianjie-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    run = _as_postgres()
    subprocess.run(
        [*run, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-N"],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
    subprocess.run(
        [
            *run,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield PgCluster(port)
    finally:
        subprocess.run(
            [*run, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


# --------------------------------------------------------------------------- the server


@dataclass
class Central:
    """A running central server and direct access to its database."""

    url: str
    db_url: str
    db: Any
    blobs: Path

    def create_unit(self, code: str, kind: str, name: str = "", division: str = "") -> str:
        from central.admin import create_unit

        with self.db.session() as session:
            return str(create_unit(session, code, name or code, kind, division=division).id)

    def token(self, code: str, user: str = "user") -> str:
        from central.admin import issue_token

        with self.db.session() as session:
            return issue_token(session, code, user)

    def api(self, token: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "X-Xianjie-Protocol": "1"}
        headers.update(kwargs.pop("headers", {}))
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )


class ServerThread:
    def __init__(self, app: Any, port: int = 0) -> None:
        import uvicorn

        from central.cli import listen_socket, server_config

        # the socket and configuration of ``xianjie-central serve`` (its receive buffer)
        self.sock = listen_socket("127.0.0.1", port)
        self.port = int(self.sock.getsockname()[1])
        self.server = uvicorn.Server(server_config(app, timeout_keep_alive=30))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("central server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


def start_central(
    db_url: str, blobs: Path, port: int = 0, extra: Callable[[Any], None] | None = None
) -> tuple[Central, ServerThread]:
    from central.app import create_app
    from central.db import Database, migrate

    db = Database(db_url)
    migrate(db.engine)
    app = create_app(db, blobs)
    if extra is not None:
        extra(app)
    thread = ServerThread(app, port)
    return Central(f"http://127.0.0.1:{thread.port}", db_url, db, blobs), thread


@pytest.fixture(name="central_db_url", params=["sqlite", "postgresql"])
def central_db_url_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture(name="central")
def central_fixture(central_db_url: str, tmp_path: Path) -> Iterator[Central]:
    server, thread = start_central(central_db_url, tmp_path / "blobs")
    try:
        yield server
    finally:
        thread.stop()
        server.db.close()


# --------------------------------------------------------------------------- the fault proxy


class FaultProxy:
    """A loopback TCP proxy in front of the server that can break connections on purpose.

    Modes: ``pass``; ``lose_responses`` (requests reach the server, answers are dropped and
    the connection closed); ``cut_after`` (the connection is cut once ``budget`` more bytes
    from the client have been forwarded, mid-request); ``refuse`` (connections are closed at
    once).
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "pass"
        self.budget = 0
        self.client_bytes = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = True
        self.loss = 0.3
        self.delay = 0.0
        self.rng = random.Random(5)
        self.faults = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            if self.mode == "chaos":
                for src, dst, loss in (
                    (client, upstream, self.loss),
                    (upstream, client, self.loss / 2),
                ):
                    threading.Thread(target=self._chaos, args=(src, dst, loss), daemon=True).start()
                continue
            threading.Thread(target=self._up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._down, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _close(*socks: socket.socket) -> None:
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _chaos(self, src: socket.socket, dst: socket.socket, loss: float) -> None:
        """Forward with a delay per block; with probability ``loss`` a block is cut at a random
        byte and the connection closed (a reset, or a truncated request or answer)."""
        try:
            while data := src.recv(65536):
                if self.delay:
                    time.sleep(self.delay)
                with self.lock:
                    cut = self.rng.random() < loss
                    at = self.rng.randrange(len(data))
                if cut:
                    self.faults += 1
                    dst.sendall(data[:at])
                    break
                dst.sendall(data)
        except OSError:
            pass
        self._close(src, dst)

    def _up(self, client: socket.socket, upstream: socket.socket) -> None:
        try:
            while data := client.recv(65536):
                if self.mode == "cut_after":
                    with self.lock:
                        allowed = max(0, self.budget)
                        self.budget -= len(data)
                    if allowed < len(data):
                        if allowed:
                            upstream.sendall(data[:allowed])
                        self._close(client, upstream)
                        return
                self.client_bytes += len(data)
                upstream.sendall(data)
        except OSError:
            pass
        self._close(client, upstream)

    def _down(self, upstream: socket.socket, client: socket.socket) -> None:
        try:
            while data := upstream.recv(65536):
                if self.mode == "lose_responses":
                    self._close(client, upstream)
                    return
                client.sendall(data)
        except OSError:
            pass
        self._close(client, upstream)

    def stop(self) -> None:
        self.running = False
        self.listener.close()


# --------------------------------------------------------------------------- client stores


def new_case(store: Any, unit_id: str, title: str) -> str:
    """A case with one party, written through the ORM (so the outbox hook sees it)."""
    from app.store.models import Party
    from tests.case_seed import add_case

    return add_case(
        store,
        title,
        unit_id=unit_id,
        category="pollution",
        opened_on=date(2026, 11, 2),
        parties=[Party(kind="organisation", name=f"{title}当事人")],
    )


def attach_bytes(
    store: Any,
    content: bytes,
    *,
    title: str = "带附件的案件",
    filename: str = "report.pdf",
    media_type: str = "application/pdf",
) -> str:
    """A new case with one 检验报告 document carrying ``content`` as its attachment (stored in
    the desk's attachment store, written through the ORM); returns the content's SHA-256."""
    from app.store.attachments import AttachmentStore
    from app.store.models import Attachment, Document
    from app.sync.setup import settings

    case_id = new_case(store, settings(store)["unit_id"], title)
    stored = AttachmentStore(store.paths.attachments).put_bytes(content)
    with store.session() as session:
        document = Document(case_id=case_id, doc_type="检验报告", title="检验报告")
        session.add(document)
        session.flush()
        session.add(
            Attachment(
                document_id=document.id,
                sha256=stored.sha256,
                filename=filename,
                media_type=media_type,
                size=len(content),
            )
        )
    return stored.sha256


def connect_store(store: Any, url: str, token: str) -> None:
    from app.site_config import SiteConfig
    from app.sync.setup import setup

    setup(store, SiteConfig(), url, token)


def sync(store: Any, url: str | None = None, **kwargs: Any) -> Any:
    """One engine run against the saved platform (or ``url``)."""
    from app.site_config import SiteConfig
    from app.sync.engine import SyncEngine
    from app.sync.setup import connected_client

    client = connected_client(store, SiteConfig())
    if url is not None:
        from app.sync.client import api_base

        client.base = api_base(url)
    try:
        return SyncEngine(store, client, **kwargs).run()
    finally:
        client.close()


# --------------------------------------------------------------------------- the server process


class CentralProcess:
    """``xianjie-central serve`` in a process of its own (the way the platform runs), on
    loopback, so that a test can SIGKILL it and start it again on the same port."""

    def __init__(self, db_url: str, blobs: Path, port: int = 0) -> None:
        self.db_url = db_url
        self.blobs = blobs
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from tests.conftest import REPO_ROOT

        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central.cli",
                "--db",
                self.db_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--blobs",
                str(self.blobs),
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"central server exited with {self.proc.returncode}")
            try:
                requests.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind; the kernel resets its connections."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


# --------------------------------------------------------------------------- bytes sent


@dataclass
class SentBytes:
    """What the client's HTTP connections handed to the kernel (see :func:`count_sent`)."""

    total: int = 0
    body_buffers: set[int] = field(default_factory=set)
    """The effective SO_SNDBUF of the sockets that were handed body blocks (> 64 KiB)."""


def count_sent(monkeypatch: pytest.MonkeyPatch) -> SentBytes:
    """Count every byte the client's connections (urllib3, under requests) hand to the
    kernel: ``sendall`` is replaced by ``send`` in a loop, and each call adds what the kernel
    accepted (its return value) — request lines, headers and bodies alike, so a reset mid-body
    counts exactly what had gone into the socket before it. The effective SO_SNDBUF of each
    socket that carries a body is noted as well."""
    import urllib3.connection

    sent = SentBytes()

    def send(self: Any, data: Any) -> None:
        if self.sock is None:
            self.connect()
        view = memoryview(data).cast("B")
        if len(view) > 64 * 1024:
            sent.body_buffers.add(self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
        while view:
            accepted = self.sock.send(view)
            sent.total += accepted
            view = view[accepted:]

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "send", send)
    return sent
