"""Page editor operations: rotate, delete, move, reorder, split, manual duplex, blank pages,
deskew; and the watched folder's stability rule."""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.documents import pages as ops
from app.documents.pages import Page
from app.documents.watch_folder import WatchFolder
from app.errors import UserError


def _pages(n: int) -> tuple[Page, ...]:
    return tuple(Page(Path(f"p{i}.jpg")) for i in range(n))


def _names(pages: tuple[Page, ...]) -> list[str]:
    return [p.path.stem for p in pages]


def test_rotate_accumulates_and_wraps() -> None:
    pages = ops.rotate(_pages(3), [0, 2], 90)
    pages = ops.rotate(pages, [0], 270)
    assert [p.rotation for p in pages] == [0, 0, 90]
    assert ops.rotate(pages, [1], -90)[1].rotation == 270
    with pytest.raises(UserError, match="90 度"):
        ops.rotate(pages, [0], 45)
    with pytest.raises(UserError, match="第 4 页"):
        ops.rotate(pages, [3], 90)


def test_delete_and_move_like_a_drag() -> None:
    pages = _pages(5)
    assert _names(ops.delete(pages, [1, 3])) == ["p0", "p2", "p4"]
    assert _names(ops.move(pages, [3, 4], 1)) == ["p0", "p3", "p4", "p1", "p2"]
    assert _names(ops.move(pages, [0], 5)) == ["p1", "p2", "p3", "p4", "p0"]
    assert _names(ops.move(pages, [1, 2], 2)) == _names(pages)  # dropped onto itself


def test_reorder_needs_every_page_once() -> None:
    assert _names(ops.reorder(_pages(3), [2, 0, 1])) == ["p2", "p0", "p1"]
    with pytest.raises(UserError):
        ops.reorder(_pages(3), [0, 0, 1])


def test_split_into_documents() -> None:
    docs = ops.split(_pages(6), [0, 2, 5])
    assert [_names(d) for d in docs] == [["p0", "p1"], ["p2", "p3", "p4"], ["p5"]]
    assert ops.split(_pages(2), []) == (_pages(2),)


def test_manual_duplex_interleave() -> None:
    # fronts 1..3 scanned, then the stack turned: backs arrive 3, 2, 1
    scanned = tuple(Page(Path(n)) for n in ("f1", "f2", "f3", "b3", "b2", "b1"))
    assert [p.path.name for p in ops.interleave_duplex(scanned)] == [
        "f1", "b1", "f2", "b2", "f3", "b3",
    ]  # fmt: skip
    with pytest.raises(UserError, match="偶数页"):
        ops.interleave_duplex(scanned[:5])


def _page_image(path: Path, *, text: bool, angle: float = 0.0) -> Path:
    im = Image.new("L", (1240, 1754), 255)
    if text:
        draw = ImageDraw.Draw(im)
        for y in range(150, 1600, 40):
            draw.rectangle((120, y, 1100, y + 12), fill=0)
    im = im.rotate(angle, fillcolor=255)
    im.save(path, format="JPEG", dpi=(150, 150))
    return path


def test_blank_pages_are_suggested(tmp_path: Path) -> None:
    blank = _page_image(tmp_path / "blank.jpg", text=False)
    speck = tmp_path / "speck.jpg"
    with Image.open(blank) as im:
        ImageDraw.Draw(im).rectangle((600, 800, 606, 806), fill=0)  # a dust speck
        im.save(speck, dpi=(150, 150))
    text = _page_image(tmp_path / "text.jpg", text=True)
    pdf = tmp_path / "imported.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    pages = (Page(text), Page(blank), Page(pdf), Page(speck))
    assert ops.suggest_blank(pages) == [1, 3]
    assert ops.ink_fraction(text) > 0.1


def test_deskew_finds_and_removes_the_tilt(tmp_path: Path) -> None:
    tilted = _page_image(tmp_path / "tilted.jpg", text=True, angle=2.0)
    assert ops.skew_angle(tilted) == pytest.approx(-2.0, abs=0.3)
    straight = ops.deskew(Page(tilted), tmp_path / "straight.jpg")
    assert abs(ops.skew_angle(straight.path)) <= 0.3
    with Image.open(straight.path) as im:
        assert round(im.info["dpi"][0]) == 150


def test_watch_folder_waits_for_a_stable_complete_file(tmp_path: Path) -> None:
    now = [0.0]
    watch = WatchFolder(tmp_path, stable_seconds=2.0, clock=lambda: now[0])
    scan = tmp_path / "scan0001.jpg"
    Image.new("L", (50, 50)).save(scan, format="JPEG")
    data = scan.read_bytes()
    scan.write_bytes(data[:100])  # the scanner is still writing
    (tmp_path / "scan0002.pdf.part").write_bytes(b"%PDF-1.4")
    (tmp_path / "notes.txt").write_bytes(b"hello")
    assert watch.poll() == []
    now[0] = 1.0
    scan.write_bytes(data)  # grew
    assert watch.poll() == []
    now[0] = 2.5
    assert watch.poll() == []  # only 1.5 s stable
    now[0] = 3.5
    assert watch.poll() == [scan]
    now[0] = 10.0
    assert watch.poll() == []  # handed over once
