"""Killing the SANE scan worker mid-scan: reported, pages kept, the caller carries on."""

import os
import signal
from pathlib import Path

import pytest

from app.documents.errors import ScanWorkerDied
from app.documents.scanners import OptionValue, ScannedPage, ScanRequest
from app.documents.scanners.sane_backend import SaneScanner
from tests.documents_helpers import needs_sane, sane_env

pytestmark = needs_sane

SLOW: dict[str, OptionValue] = {
    "read_delay": True,
    "read_delay_duration": 20000,
    "read_limit": True,
    "read_limit_size": 65536,
}


def test_sigkill_after_the_first_page(tmp_path: Path) -> None:
    scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
    request = ScanRequest("test", source="adf", dpi=75, options=SLOW)
    pages: list[ScannedPage] = []
    with pytest.raises(ScanWorkerDied) as caught:
        for page in scanner.scan(request, tmp_path / "out"):
            pages.append(page)
            if len(pages) == 2:
                pid = scanner.worker_pid
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
    assert caught.value.status == "worker_died"
    assert "扫描进程意外退出" in caught.value.message
    assert "-9" in caught.value.detail
    assert len(pages) == 2
    assert all(p.path.is_file() and p.path.stat().st_size > 0 for p in pages)
    # the caller lives on: the next scan works
    again = list(scanner.scan(ScanRequest("test", dpi=50), tmp_path / "again"))
    assert len(again) == 1


def test_cancel_ends_quietly_and_keeps_pages(tmp_path: Path) -> None:
    scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
    pages = []
    for page in scanner.scan(
        ScanRequest("test", source="adf", dpi=75, options=SLOW), tmp_path / "o"
    ):
        pages.append(page)
        scanner.cancel()
    assert len(pages) == 1
    assert pages[0].path.is_file()
