"""The sync engine: push the outbox, then pull the platform's changes. No Qt.

One run (:meth:`SyncEngine.run`):

1. A push that was sent but never answered (``sync_push``) is sent again with the same
   idempotency key, so the platform applies it once.
2. Pending records (the outbox: ``sync_state = 'pending'``) are pushed in batches, parents
   first. Before a batch is sent it is stored with its key and its records become
   ``sending``; the answer is applied in one transaction. A record edited while its push was
   in flight stays ``pending`` (its version moved on). Attachment content is uploaded first,
   the rest of the file streamed in one request, resuming where the platform's bytes stop.
3. Pages of changes are pulled by cursor; each page is committed together with its cursor.
   A record with local changes not yet accepted (pending, sending, error) is never
   overwritten by a pull.

The first network failure ends the run (:class:`NetworkError`); everything committed so far
stays, and the next run continues from there. A 4xx on one record marks that record
``error`` with the platform's reason; a 4xx on a whole request ends the run.
"""

import hashlib
import json
import logging
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.store.attachments import AttachmentStore
from app.store.db import Store
from app.sync.client import NetworkError, Rejected, SyncClient, SyncError
from app.sync.records import COLUMNS, changed_fields, fetch, to_sql, to_wire
from app.sync.wire import (
    APPEND_ONLY,
    CHUNK_SIZE,
    TABLES,
    Change,
    PulledRecord,
    PushResponse,
    Record,
)
from app.timeutil import format_utc, utc_now

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""(stage, done, total); total 0 when unknown. Stages: upload, push, pull."""

NOTICE_KINDS = frozenset(
    {
        "receipt_signed",
        "forwarded",
        "supplement_requested",
        "police_filed",
        "police_not_filed",
        "reconsideration_decided",
        "explanation_requested",
        "transfer_demanded",
        "filing_ordered",
        "prosecuted",
        "not_prosecuted",
        "judgment",
    }
)
_SEARCH_TABLES = frozenset({"cases", "parties", "documents"})


class Cancelled(SyncError):
    """The user stopped the sync; what was committed stays."""


class CancelToken:
    """Set from any thread; the engine stops between requests and between upload blocks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("同步已取消，已完成的部分已保存")


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    merged: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: int = 0
    resent_pushes: int = 0
    pulled: int = 0
    kept_local: int = 0
    skipped: int = 0
    pages: int = 0
    chunks_sent: int = 0
    bytes_sent: int = 0
    notices: list[str] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)
    """Reference-data files updated in this run."""
    cursor: int = 0


def meta_get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def meta_set(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO sync_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def connect(store: Store) -> sqlite3.Connection:
    """The engine's connection: manual transactions, rows by name, foreign keys off.

    A pulled page may hold a child whose parent's newest version comes on a later page; the
    server only ever holds records that were whole on some desk, so the references close
    once the pull has finished (tests/integration/test_sync_flow.py checks
    ``PRAGMA foreign_key_check`` after the runs; a whole-database check per run would make a
    delta sync cost grow with the store).
    """
    conn = sqlite3.connect(store.paths.database, timeout=10, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _update(conn: sqlite3.Connection, table: str, record_id: str, values: dict[str, Any]) -> None:
    values = {k: v for k, v in values.items() if k != "id"}
    if not values:
        return
    assignments = ", ".join(f"{k} = ?" for k in values)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), record_id])


def _set_base(
    conn: sqlite3.Connection, table: str, record_id: str, version: int, data: Record
) -> None:
    conn.execute(
        "INSERT INTO sync_base (record_id, table_name, server_version, data) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(record_id) DO UPDATE SET server_version = excluded.server_version, "
        "data = excluded.data",
        (record_id, table, version, json.dumps(data, ensure_ascii=False, sort_keys=True)),
    )


def _base(conn: sqlite3.Connection, record_id: str) -> tuple[int, Record] | None:
    row = conn.execute(
        "SELECT server_version, data FROM sync_base WHERE record_id = ?", (record_id,)
    ).fetchone()
    return None if row is None else (int(row[0]), json.loads(row[1]))


def _case_of(table: str, data: Record) -> str | None:
    if table == "cases":
        return str(data["id"])
    value = data.get("case_id") if table in _SEARCH_TABLES else None
    return str(value) if value else None


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: SyncClient,
        *,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
        batch_size: int = 200,
        page_size: int = 500,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.store = store
        self.client = client
        self.cancel = cancel or CancelToken()
        self.progress = progress or (lambda _stage, _done, _total: None)
        self.batch_size = batch_size
        self.page_size = page_size
        self.chunk_size = chunk_size
        self.blobs = AttachmentStore(store.paths.attachments)

    # --- the run ----------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Push, then pull. Raises NetworkError, Rejected or Cancelled; committed work stays."""
        report = SyncReport()
        with closing(connect(self.store)) as conn:
            self._push_all(conn, report)
            self._pull_all(conn, report)
            self._fetch_reference(conn, report)
            with transaction(conn):
                meta_set(conn, "last_success", format_utc(utc_now()))
        return report

    # --- push -------------------------------------------------------------------------------

    def _push_all(self, conn: sqlite3.Connection, report: SyncReport) -> None:
        if conn.execute("SELECT 1 FROM sync_push LIMIT 1").fetchone() is None:
            with transaction(conn):  # "sending" without a push in flight: send them again
                for table in TABLES:
                    conn.execute(
                        f"UPDATE {table} SET sync_state = 'pending' WHERE sync_state = 'sending'"
                    )
        while True:
            self.cancel.check()
            open_push = conn.execute("SELECT key, payload FROM sync_push LIMIT 1").fetchone()
            if open_push is not None:
                key, payload = str(open_push[0]), json.loads(open_push[1])
                report.resent_pushes += 1
            else:
                payload = self._collect(conn, report)
                if not payload["changes"]:
                    return
                key = uuid.uuid4().hex
                with transaction(conn):
                    conn.execute(
                        "INSERT INTO sync_push (key, payload, created_at) VALUES (?, ?, ?)",
                        (key, json.dumps(payload, ensure_ascii=False), format_utc(utc_now())),
                    )
                    for change in payload["changes"]:
                        conn.execute(  # not if it was edited since it was read
                            f"UPDATE {change['table']} SET sync_state = 'sending' "
                            "WHERE id = ? AND sync_state = 'pending' AND version = ?",
                            (change["id"], payload["versions"][change["id"]]),
                        )
            self.progress("push", report.pushed, 0)
            response = self.client.push(payload["changes"], key)
            with transaction(conn):
                self._apply_results(conn, payload, response, report)
                conn.execute("DELETE FROM sync_push WHERE key = ?", (key,))
            report.pushed += len(payload["changes"])

    def _collect(self, conn: sqlite3.Connection, report: SyncReport) -> dict[str, Any]:
        changes: list[Change] = []
        versions: dict[str, int] = {}
        for table in TABLES:
            room = self.batch_size - len(changes)
            if room <= 0:
                break
            rows = conn.execute(
                f"SELECT * FROM {table} WHERE sync_state = 'pending' ORDER BY rowid LIMIT ?",
                (room,),
            ).fetchall()
            for row in rows:
                if table == "attachments" and not self._upload(conn, row, report):
                    continue
                data = to_wire(table, row)
                base = _base(conn, row["id"])
                changes.append(
                    {
                        "table": table,
                        "id": row["id"],
                        "base_version": base[0] if base else None,
                        "changed": changed_fields(data, base[1]) if base else None,
                        "data": data,
                    }
                )
                versions[row["id"]] = int(row["version"])
        return {"changes": changes, "versions": versions}

    def _apply_results(
        self,
        conn: sqlite3.Connection,
        payload: dict[str, Any],
        response: PushResponse,
        report: SyncReport,
    ) -> None:
        by_id = {c["id"]: c for c in payload["changes"]}
        touched: set[str] = set()
        for result in response["results"]:
            change = by_id.get(result["id"])
            if change is None:
                continue
            table, record_id, outcome = change["table"], change["id"], result["outcome"]
            row = fetch(conn, table, record_id)
            if row is None:
                continue
            same = int(row["version"]) == payload["versions"].get(record_id)
            if outcome in ("applied", "merged", "unchanged"):
                data = result.get("data", change["data"])
                _set_base(conn, table, record_id, int(result.get("version", 1)), data)
                if same:
                    merged = outcome != "applied" and table not in APPEND_ONLY
                    values = to_sql(table, data) if merged else {}
                    values.update(
                        sync_state="synced", sync_error=None, server_seq=result.get("seq")
                    )
                    _update(conn, table, record_id, values)
                    if merged and (case := _case_of(table, data)):
                        touched.add(case)
                setattr(report, outcome, getattr(report, outcome) + 1)
            elif outcome == "conflict":
                fields = result.get("fields", [])
                conn.execute(
                    "INSERT INTO sync_conflicts (table_name, record_id, fields, local, server, "
                    "server_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(record_id) DO UPDATE SET fields = excluded.fields, "
                    "local = excluded.local, server = excluded.server, "
                    "server_version = excluded.server_version",
                    (
                        table,
                        record_id,
                        json.dumps(fields),
                        json.dumps(change["data"], ensure_ascii=False),
                        json.dumps(result.get("data", {}), ensure_ascii=False),
                        int(result.get("version", 0)),
                        format_utc(utc_now()),
                    ),
                )
                reason = f"与平台上的修改冲突（{'、'.join(fields)}），请选择保留哪一方"
                _update(conn, table, record_id, {"sync_state": "error", "sync_error": reason})
                report.conflicts += 1
            else:
                reason = result.get("reason", "平台拒绝了该记录")
                if same:
                    _update(conn, table, record_id, {"sync_state": "error", "sync_error": reason})
                report.rejected += 1
        self._reindex(conn, touched)

    # --- attachments ------------------------------------------------------------------------

    def _upload(self, conn: sqlite3.Connection, row: sqlite3.Row, report: SyncReport) -> bool:
        """Make sure the platform has the attachment's content; False if it cannot."""
        sha, size = str(row["sha256"]), int(row["size"])
        try:
            path = self.blobs.path_for(sha)
        except ValueError:
            path = None
        if path is None or not path.is_file():
            with transaction(conn):
                _update(
                    conn,
                    "attachments",
                    row["id"],
                    {"sync_state": "error", "sync_error": "本机缺少该附件的文件，无法上传"},
                )
            report.rejected += 1
            return False
        try:
            self._send_blob(sha, size, path, report)
        except Rejected as exc:
            with transaction(conn):
                _update(
                    conn,
                    "attachments",
                    row["id"],
                    {"sync_state": "error", "sync_error": exc.message},
                )
            report.rejected += 1
            return False
        return True

    def _send_blob(self, sha: str, size: int, path: Path, report: SyncReport) -> None:
        """One request carries the rest of the content; after an interruption the platform's
        status says where the next one starts."""
        status = self.client.blob_status(sha)
        best, stalls = -1, 0
        while not status["complete"]:
            offset = int(status["received"]) if status["size"] == size else 0
            with path.open("rb") as fh:
                fh.seek(offset)
                blocks = self._blocks(fh, offset, size, report)
                answer = self.client.put_blob(sha, offset, size, blocks, size - offset)
            status = self.client.blob_status(sha) if answer is None else answer
            received = int(status["received"])
            self.progress("upload", received, size)
            stalls = 0 if received > best else stalls + 1
            best = max(best, received)
            if stalls >= 3 and not status["complete"]:
                raise NetworkError("平台没有收下附件的数据，稍后会重试")

    def _blocks(self, fh: BinaryIO, offset: int, size: int, report: SyncReport) -> Iterator[bytes]:
        """The file from ``offset``, ``chunk_size`` at a time (the run can stop between
        blocks; progress follows what has gone out)."""
        sent = offset
        while sent < size:
            self.cancel.check()
            block = fh.read(min(self.chunk_size, size - sent))
            if not block:
                raise Rejected("本机附件文件比记录的大小短，无法上传", status=0, code="local")
            report.chunks_sent += 1
            report.bytes_sent += len(block)
            yield block
            sent += len(block)
            self.progress("upload", sent, size)

    def fetch_attachment(self, sha256: str) -> Path:
        """The attachment's file, downloaded on demand and checked against its hash."""
        if self.blobs.contains(sha256):
            return self.blobs.path_for(sha256)
        self.store.paths.attachments.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.store.paths.attachments) as tmp:
            for block in self.client.download(sha256):
                self.cancel.check()
                tmp.write(block)
            tmp.seek(0)
            stored = self.blobs.put_stream(tmp)
        if stored.sha256 != sha256:
            stored.path.unlink(missing_ok=True)
            raise SyncError("下载的附件与其哈希不符，已丢弃")
        return stored.path

    # --- pull -------------------------------------------------------------------------------

    def _pull_all(self, conn: sqlite3.Connection, report: SyncReport) -> None:
        cursor = int(meta_get(conn, "cursor") or 0)
        own_unit = meta_get(conn, "unit_id")
        while True:
            self.cancel.check()
            page = self.client.pull(cursor, self.page_size)
            with transaction(conn):
                for record in page["records"]:
                    apply_pulled(conn, record, own_unit, report)
                self._reindex(
                    conn,
                    {
                        c
                        for r in page["records"]
                        if r["table"] in _SEARCH_TABLES and (c := _case_of(r["table"], r["data"]))
                    },
                )
                meta_set(conn, "cursor", str(page["cursor"]))
            cursor = int(page["cursor"])
            report.cursor = cursor
            report.pages += 1
            self.progress("pull", report.pulled, 0)
            if not page["more"]:
                return

    # --- reference data ---------------------------------------------------------------------

    def _fetch_reference(self, conn: sqlite3.Connection, report: SyncReport) -> None:
        """Published reference files whose hash changed, into ``reference/`` (by ETag)."""
        folder = self.store.paths.root / "reference"
        for item in self.client.reference_list():
            self.cancel.check()
            name = item["name"]
            if "/" in name or "\\" in name or name.startswith("."):
                continue
            key = f"reference:{name}"
            known = meta_get(conn, key)
            target = folder / name
            if known == item["sha256"] and target.is_file():
                continue
            content, _etag = self.client.reference(name, f'"{known}"' if known else None)
            if content is None:
                continue
            if hashlib.sha256(content).hexdigest() != item["sha256"]:
                raise SyncError(f"参考数据 {name} 与平台公布的哈希不符，未采用")
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(content)
            partial.replace(target)
            with transaction(conn):
                meta_set(conn, key, item["sha256"])
            report.reference.append(name)

    @staticmethod
    def _reindex(conn: sqlite3.Connection, case_ids: set[str]) -> None:
        if case_ids:
            from app.store.search import reindex_sqlite

            reindex_sqlite(conn, sorted(case_ids))


def _notice(table: str, data: Record, own_unit: str | None, report: SyncReport) -> None:
    if table == "referrals":
        report.notices.append(f"收到反向移送（{data.get('opinion_number') or '无文号'}）")
    elif (
        table == "events"
        and data.get("kind") in NOTICE_KINDS
        and data.get("actor_unit_id") != own_unit
    ):
        from app.domain.workflow.events import spec_of

        spec = spec_of(str(data["kind"]))
        report.notices.append(spec.label if spec else str(data["kind"]))


def apply_pulled(
    conn: sqlite3.Connection,
    record: PulledRecord,
    own_unit: str | None,
    report: SyncReport,
) -> None:
    table, record_id = record["table"], record["id"]
    if table not in COLUMNS:
        return
    row = fetch(conn, table, record_id)
    if row is not None and row["sync_state"] != "synced":
        report.kept_local += 1  # local changes not yet accepted: never overwritten
        return
    base = _base(conn, record_id)
    if row is not None and base is not None and base[0] >= record["version"]:
        return
    values = to_sql(table, record["data"])
    values.update(sync_state="synced", sync_error=None, server_seq=record["seq"])
    if row is None:
        values["version"] = record["version"]
        if table == "users":
            values.setdefault("password_hash", "!")  # a directory entry: cannot sign in
        names = list(values)
        try:
            conn.execute(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                list(values.values()),
            )
        except sqlite3.IntegrityError as exc:
            log.warning("pulled %s %s not stored: %s", table, record_id, exc)
            report.skipped += 1
            return
        _notice(table, record["data"], own_unit, report)
    else:
        _update(conn, table, record_id, values)
    _set_base(conn, table, record_id, record["version"], record["data"])
    report.pulled += 1


# --- settings and conflicts -----------------------------------------------------------------


def pending_count(store: Store) -> int:
    with closing(connect(store)) as conn:
        return sum(
            int(
                conn.execute(f"SELECT count(*) FROM {t} WHERE sync_state = 'pending'").fetchone()[0]
            )
            for t in TABLES
        )


@dataclass(frozen=True)
class SyncStatus:
    """What a sync indicator shows: connected or not, what waits, when it last worked."""

    server_url: str | None
    unit_code: str | None
    pending: int
    errors: int
    conflicts: int
    last_success: str | None


def status(store: Store) -> SyncStatus:
    with closing(connect(store)) as conn:
        counts = [
            conn.execute(
                f"SELECT sum(sync_state IN ('pending', 'sending')), sum(sync_state = 'error') "
                f"FROM {t} WHERE sync_state != 'synced'"
            ).fetchone()
            for t in TABLES
        ]
        return SyncStatus(
            server_url=meta_get(conn, "server_url"),
            unit_code=meta_get(conn, "unit_code"),
            pending=sum(int(c[0] or 0) for c in counts),
            errors=sum(int(c[1] or 0) for c in counts),
            conflicts=int(conn.execute("SELECT count(*) FROM sync_conflicts").fetchone()[0]),
            last_success=meta_get(conn, "last_success"),
        )


def conflicts(store: Store) -> list[dict[str, Any]]:
    """Open conflicts: record, overlapping fields, both sides' values."""
    with closing(connect(store)) as conn:
        rows = conn.execute(
            "SELECT table_name, record_id, fields, local, server FROM sync_conflicts ORDER BY id"
        ).fetchall()
    result = []
    for row in rows:
        fields = json.loads(row["fields"])
        local, server = json.loads(row["local"]), json.loads(row["server"])
        result.append(
            {
                "table": row["table_name"],
                "id": row["record_id"],
                "fields": {f: {"local": local.get(f), "server": server.get(f)} for f in fields},
            }
        )
    return result


def resolve_conflict(store: Store, record_id: str, keep: dict[str, str]) -> None:
    """Settle a conflict: for each overlapping field ``keep[field]`` is ``local`` or
    ``server`` (default server). The record becomes the server's version with the local
    changes that did not overlap plus the chosen fields, and goes out again as pending."""
    with closing(connect(store)) as conn, transaction(conn):
        row = conn.execute(
            "SELECT table_name, fields, local, server, server_version FROM sync_conflicts "
            "WHERE record_id = ?",
            (record_id,),
        ).fetchone()
        if row is None:
            raise SyncError("该记录没有待处理的冲突")
        table = str(row["table_name"])
        fields = set(json.loads(row["fields"]))
        local, server = json.loads(row["local"]), json.loads(row["server"])
        old = _base(conn, record_id)
        local_changes = set(changed_fields(local, old[1])) if old else set(local)
        merged = dict(server)
        for name in local_changes - fields:
            if name in local:
                merged[name] = local[name]
        for name in fields:
            if keep.get(name, "server") == "local":
                merged[name] = local.get(name)
        _set_base(conn, table, record_id, int(row["server_version"]), server)
        values = to_sql(table, merged)
        values.update(sync_state="pending", sync_error=None)
        _update(conn, table, record_id, values)
        conn.execute("UPDATE " + table + " SET version = version + 1 WHERE id = ?", (record_id,))
        conn.execute("DELETE FROM sync_conflicts WHERE record_id = ?", (record_id,))
        if case := _case_of(table, merged):
            SyncEngine._reindex(conn, {case})
