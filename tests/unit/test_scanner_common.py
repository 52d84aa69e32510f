"""Code every scanner backend shares (SANE here; WIA on Windows, untested here)."""

import json
from pathlib import Path

import pytest
from PIL import Image

from app.documents.errors import ScanError
from app.documents.scanners import ScanRequest
from app.documents.scanners.common import (
    STATUS_MESSAGES,
    match_mode,
    match_source,
    save_page,
    scan_error,
    status_of_sane_message,
)
from app.documents.scanners.wia import status_of_hresult

FUJITSU_SOURCES = ["Flatbed", "ADF Front", "ADF Back", "ADF Duplex"]
TEST_SOURCES = ["Flatbed", "Automatic Document Feeder"]


@pytest.mark.parametrize(
    ("values", "wanted", "expected"),
    [
        (TEST_SOURCES, "flatbed", "Flatbed"),
        (TEST_SOURCES, "adf", "Automatic Document Feeder"),
        (TEST_SOURCES, "duplex", None),
        (FUJITSU_SOURCES, "adf", "ADF Front"),
        (FUJITSU_SOURCES, "duplex", "ADF Duplex"),
        (["Document Table", "ADF"], "flatbed", "Document Table"),
    ],
)
def test_match_source(values: list[str], wanted: str, expected: str | None) -> None:
    assert match_source(values, wanted) == expected


def test_match_mode() -> None:
    assert match_mode(["Lineart", "Halftone", "Gray", "Color"], "lineart") == "Lineart"
    assert match_mode(["Binary", "Grey", "Colour"], "gray") == "Grey"
    assert match_mode(["Gray", "Color"], "lineart") is None


def test_status_messages_are_chinese_and_complete() -> None:
    assert status_of_sane_message("Document feeder jammed") == "jammed"
    assert status_of_sane_message("Scanner cover is open") == "cover_open"
    assert status_of_sane_message("Something new") == "failed"
    error = scan_error("jammed", "Document feeder jammed")
    assert isinstance(error, ScanError) and error.status == "jammed"
    assert "卡纸" in str(error) and "Document feeder jammed" in str(error)
    assert all(any("\u4e00" <= c <= "\u9fff" for c in m) for m in STATUS_MESSAGES.values())


def test_wia_hresults_map_to_the_same_statuses() -> None:
    assert status_of_hresult(0x80210002) == "jammed"
    assert status_of_hresult(-2145320957) == "no_docs"  # 0x80210003 as a signed HRESULT
    assert status_of_hresult(0x8021000C) == "cover_open"
    assert status_of_hresult(0x1234) == "failed"


def test_save_page_lineart_gray_colour(tmp_path: Path) -> None:
    scan = Image.effect_noise((300, 200), 80).convert("L")
    line = save_page(scan, index=1, dpi=300, mode="lineart", out_dir=tmp_path)
    gray = save_page(scan, index=2, dpi=200, mode="gray", out_dir=tmp_path)
    colour = save_page(scan, index=3, dpi=150, mode="color", out_dir=tmp_path)
    assert [p.path.name for p in (line, gray, colour)] == [
        "page-0001.tif", "page-0002.jpg", "page-0003.jpg",
    ]  # fmt: skip
    with Image.open(line.path) as im:
        assert (im.mode, im.info["compression"], round(im.info["dpi"][0])) == ("1", "group4", 300)
    with Image.open(colour.path) as im:
        assert (im.mode, round(im.info["dpi"][0])) == ("RGB", 150)
    assert list(tmp_path.glob(".*")) == []  # no temp files left


def test_request_round_trips_through_json() -> None:
    request = ScanRequest("test:0", source="adf", pages=3, options={"read_delay": True})
    assert ScanRequest.from_dict(json.loads(json.dumps(request.to_dict()))) == request


def test_profiles_name_real_document_types() -> None:
    from app.documents.profiles import DEFAULT_PROFILE, PROFILES, profile_for
    from app.services.attach import document_types

    assert set(PROFILES) <= set(document_types())
    assert profile_for("test_report").mode == "color"
    assert profile_for("materials_list").mode == "lineart"
    assert profile_for("no_such_type") == DEFAULT_PROFILE
