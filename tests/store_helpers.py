"""Small helpers for tests that check a data folder's files: hashes and a filled database."""

import hashlib
from pathlib import Path

from app.paths import DataPaths
from app.store import audit
from app.store.db import open_store


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (hex): "left untouched" is checked by comparing these."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill_audit_log(paths: DataPaths, entries: int) -> None:
    """A real, migrated database with ``entries`` audit rows (enough pages to damage one)."""
    store = open_store(paths)
    try:
        with store.session() as session:
            for i in range(entries):
                audit.record(session, "filler", entity_id=str(i), detail={"说明": "徐州" * 40})
    finally:
        store.close()
