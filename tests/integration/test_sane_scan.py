"""The SANE worker against the real SANE ``test`` backend (SANE_CONFIG_DIR, no hardware)."""

import time
from pathlib import Path

import pytest
from PIL import Image

from app.documents.errors import ScanError
from app.documents.scanners import ScannedPage, ScanRequest
from app.documents.scanners.sane_backend import SaneScanner
from tests.documents_helpers import needs_sane, sane_env

pytestmark = needs_sane


@pytest.fixture
def scanner(tmp_path: Path) -> SaneScanner:
    return SaneScanner(env=sane_env(tmp_path / "sane.d"))


def _scan(
    scanner: SaneScanner, request: ScanRequest, out: Path
) -> tuple[list[ScannedPage], ScanError | None]:
    pages: list[ScannedPage] = []
    try:
        for page in scanner.scan(request, out):
            pages.append(page)
    except ScanError as exc:
        return pages, exc
    return pages, None


def test_devices_lists_the_test_backend(scanner: SaneScanner) -> None:
    names = [d.name for d in scanner.devices()]
    assert "test:0" in names
    assert all(n.startswith("test:") for n in names)  # the system's other backends are not loaded


def test_flatbed_gray_a4_page_has_its_dpi(scanner: SaneScanner, tmp_path: Path) -> None:
    request = ScanRequest(
        "test", source="flatbed", mode="gray", dpi=100, options={"test_picture": "Grid"}
    )
    pages, error = _scan(scanner, request, tmp_path / "out")
    assert error is None
    assert len(pages) == 1
    with Image.open(pages[0].path) as im:
        assert im.format == "JPEG"
        assert im.mode == "L"
        assert im.size == (826, 1169)  # A4 at 100 dpi
        assert round(im.info["dpi"][0]) == 100


def test_flatbed_lineart_is_g4(scanner: SaneScanner, tmp_path: Path) -> None:
    request = ScanRequest("test", mode="lineart", dpi=150, options={"test_picture": "Grid"})
    pages, error = _scan(scanner, request, tmp_path / "out")
    assert error is None
    with Image.open(pages[0].path) as im:
        assert im.mode == "1"
        assert im.info["compression"] == "group4"


def test_adf_of_ten_sheets_then_empty(scanner: SaneScanner, tmp_path: Path) -> None:
    request = ScanRequest("test", source="adf", mode="color", dpi=50)
    pages, error = _scan(scanner, request, tmp_path / "out")
    assert error is None  # the feeder running empty after pages is the normal end
    assert [p.index for p in pages] == list(range(1, 11))
    assert all(p.path.is_file() for p in pages)
    with Image.open(pages[-1].path) as im:
        assert im.mode == "RGB"


def test_adf_page_limit(scanner: SaneScanner, tmp_path: Path) -> None:
    pages, error = _scan(
        scanner, ScanRequest("test", source="adf", dpi=50, pages=3), tmp_path / "o"
    )
    assert error is None and len(pages) == 3


@pytest.mark.parametrize(
    ("status", "ours", "words"),
    [
        ("SANE_STATUS_JAMMED", "jammed", "卡纸"),
        ("SANE_STATUS_COVER_OPEN", "cover_open", "盖板"),
        ("SANE_STATUS_NO_DOCS", "no_docs", "没有纸"),
        ("SANE_STATUS_DEVICE_BUSY", "busy", "正忙"),
    ],
)
def test_device_faults_give_chinese_messages(
    scanner: SaneScanner, tmp_path: Path, status: str, ours: str, words: str
) -> None:
    request = ScanRequest("test", source="adf", dpi=50, options={"read_return_value": status})
    pages, error = _scan(scanner, request, tmp_path / "out")
    assert error is not None
    assert error.status == ours
    assert words in error.message
    assert pages == []


def test_jam_keeps_the_pages_already_scanned(scanner: SaneScanner, tmp_path: Path) -> None:
    """A session: 3 sheets scanned, then the feeder jams; the 3 pages stay, and the clerk
    continues after clearing the jam."""
    out = tmp_path / "session"
    first, error = _scan(scanner, ScanRequest("test", source="adf", dpi=50, pages=3), out)
    assert error is None and len(first) == 3
    jam = ScanRequest(
        "test", source="adf", dpi=50, options={"read_return_value": "SANE_STATUS_JAMMED"}
    )
    more, error = _scan(scanner, jam, out / "continued")
    assert more == []  # the jam came on the first sheet of the new batch
    assert error is not None and error.status == "jammed"
    assert "已扫描的页面已保留" in error.message
    assert all(p.path.is_file() for p in first)
    assert sorted(f.name for f in out.glob("page-*.jpg")) == [
        f"page-{i:04d}.jpg" for i in (1, 2, 3)
    ]


def test_unknown_device(scanner: SaneScanner, tmp_path: Path) -> None:
    pages, error = _scan(scanner, ScanRequest("nonexistent:0"), tmp_path / "out")
    assert pages == []
    assert error is not None and error.status == "no_device"
    assert "找不到扫描仪" in error.message


def test_slow_device_streams_pages_as_they_arrive(scanner: SaneScanner, tmp_path: Path) -> None:
    """With a read delay per buffer, the first page is on disk long before the last."""
    request = ScanRequest(
        "test",
        source="adf",
        dpi=75,
        pages=3,
        options={
            "read_delay": True,
            "read_delay_duration": 30000,
            "read_limit": True,
            "read_limit_size": 65536,
        },
    )
    started = time.monotonic()
    arrivals: list[float] = []
    for page in scanner.scan(request, tmp_path / "out"):
        assert page.path.is_file()  # on disk when announced
        arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 3
    assert arrivals[2] - arrivals[0] > 0.4  # pages two and three were still being read
    assert arrivals[1] - arrivals[0] > 0.2  # the delay is real: each page takes time
