"""Connecting a profile to a platform, and building the engine from the saved settings."""

import sqlite3
from contextlib import closing

from app.errors import UserError
from app.site_config import SiteConfig
from app.store.db import Store
from app.sync.client import SyncClient, SyncError, api_base
from app.sync.credentials import load_token, save_token
from app.sync.engine import (
    SyncReport,
    apply_pulled,
    connect,
    meta_get,
    meta_set,
    transaction,
)
from app.sync.wire import Hello, PulledRecord


class NotConnected(UserError):
    """This profile has no platform yet."""


def _account(url: str) -> str:
    return api_base(url)


def client_for(store: Store, site: SiteConfig, url: str, token: str) -> SyncClient:
    return SyncClient(url, token, ca_bundle=site.ca_bundle, proxy=site.proxy)


def setup(store: Store, site: SiteConfig, url: str, token: str) -> tuple[Hello, str]:
    """Check the token with the platform, then save the URL, the unit and the token.

    Returns the platform's hello and where the token was stored.
    """
    client = client_for(store, site, url, token)
    try:
        hello = client.hello()
    finally:
        client.close()
    where = save_token(store.paths, _account(url), token)
    with closing(connect(store)) as conn, transaction(conn):
        previous = meta_get(conn, "server_url")
        if previous is not None and api_base(previous) != api_base(url):
            conn.execute("DELETE FROM sync_meta WHERE key = 'cursor'")
        meta_set(conn, "server_url", api_base(url))
        meta_set(conn, "unit_id", str(hello["unit"]["id"]))
        meta_set(conn, "unit_code", str(hello["unit"]["code"]))
        meta_set(conn, "user", hello["user"])
        unit = hello["unit"]
        _adopt_platform_unit(conn, str(unit["id"]), str(unit["code"]))
        record: PulledRecord = {
            "table": "units",
            "id": str(unit["id"]),
            "version": int(unit.get("version", 1)),
            "seq": 0,
            "deleted": False,
            "data": unit,
        }
        apply_pulled(conn, record, None, SyncReport())  # the desk's own unit, before any sync
    return hello, where


def _adopt_platform_unit(conn: sqlite3.Connection, new_id: str, code: str) -> None:
    """Give the desk's own unit (made at first start, with a desk-made id) the platform's id,
    in every column that refers to it, so this desk's records belong to the platform's unit.

    Timeline events cannot be rewritten (append-only); a desk that already recorded events
    under its own unit id is refused with a message instead.
    """
    row = conn.execute("SELECT id FROM units WHERE code = ? AND id != ?", (code, new_id)).fetchone()
    if row is None:
        return
    old_id = str(row[0])
    if conn.execute("SELECT 1 FROM events WHERE actor_unit_id = ? LIMIT 1", (old_id,)).fetchone():
        raise SyncError(
            f"本机单位（{code}）已有以本机编号记录的程序节点，无法与平台上的同一单位合并，"
            "请联系信息技术人员"
        )
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
            if fk[2] == "units" and fk[4] in ("id", None):
                conn.execute(
                    f'UPDATE "{table}" SET "{fk[3]}" = ? WHERE "{fk[3]}" = ?', (new_id, old_id)
                )
    conn.execute("UPDATE units SET id = ?, sync_state = 'synced' WHERE id = ?", (new_id, old_id))


def settings(store: Store) -> dict[str, str]:
    with closing(connect(store)) as conn:
        try:
            rows = conn.execute("SELECT key, value FROM sync_meta").fetchall()
        except sqlite3.OperationalError:
            return {}
    return {str(r[0]): str(r[1]) for r in rows}


def connected_client(store: Store, site: SiteConfig) -> SyncClient:
    """A client for the saved platform; NotConnected when setup has not run."""
    url = settings(store).get("server_url") or site.platform_url
    if not url:
        raise NotConnected("本机尚未连接平台，请先运行 xianjie setup --server 网址 --token 令牌")
    token = load_token(store.paths, _account(url))
    if not token:
        raise NotConnected("本机没有平台的设备令牌，请重新运行 xianjie setup")
    return client_for(store, site, url, token)
