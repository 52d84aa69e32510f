"""Fixtures shared by the fault tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync_helpers import Central, ServerThread, start_central


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Central, ServerThread]]:
    """The central platform on loopback (SQLite, blobs in ``tmp_path``) with unit A."""
    central, thread = start_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "blobs")
    central.create_unit("A", "enforcement")
    try:
        yield central, thread
    finally:
        thread.stop()
        central.db.close()
