"""Import checks: type by content, size, page and pixel limits (files made with Pillow)."""

from pathlib import Path

import pytest
from PIL import Image

from app.documents.errors import FileRefused
from app.documents.importer import Limits, inspect, sniff


def _image(path: Path, fmt: str, size: tuple[int, int] = (60, 40), mode: str = "RGB") -> Path:
    Image.new(mode, size, "white" if mode != "1" else 1).save(path, format=fmt)
    return path


@pytest.mark.parametrize(
    ("fmt", "kind"), [("JPEG", "jpeg"), ("PNG", "png"), ("TIFF", "tiff"), ("BMP", "bmp")]
)
def test_sniff_by_content_not_name(tmp_path: Path, fmt: str, kind: str) -> None:
    path = _image(tmp_path / "scan.pdf", fmt)  # the name lies
    assert sniff(path.read_bytes()[:1024]) == kind
    checked = inspect(path)
    assert checked.kind == kind
    assert checked.page_count == 1
    assert checked.media_type.startswith("image/")


def test_sniff_pdf_after_junk_and_unknown() -> None:
    assert sniff(b"\x00\x00junk%PDF-1.7\n") == "pdf"
    assert sniff(b"PK\x03\x04 a zip") is None
    assert sniff(b"") is None


def test_unsupported_and_empty_files(tmp_path: Path) -> None:
    doc = tmp_path / "letter.jpg"
    doc.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(FileRefused, match="不是支持的类型"):
        inspect(doc)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(FileRefused, match="空文件"):
        inspect(empty)
    with pytest.raises(FileRefused, match="无法读取"):
        inspect(tmp_path / "absent.png")


def test_size_limit(tmp_path: Path) -> None:
    path = _image(tmp_path / "a.png", "PNG", (300, 300))
    with pytest.raises(FileRefused, match="超过大小上限"):
        inspect(path, Limits(max_file_bytes=100))


def test_pixel_limit_is_checked_per_page(tmp_path: Path) -> None:
    path = _image(tmp_path / "a.png", "PNG", (200, 100))
    assert inspect(path, Limits(max_pixels=20_000)).page_count == 1
    with pytest.raises(FileRefused, match="200×100") as caught:
        inspect(path, Limits(max_pixels=19_999))
    assert "解压炸弹" in caught.value.message


def test_multipage_tiff_pages_and_page_limit(tmp_path: Path) -> None:
    frames = [Image.new("L", (50, 50), shade) for shade in (0, 128, 255, 60)]
    path = tmp_path / "stack.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert inspect(path).page_count == 4
    with pytest.raises(FileRefused, match="4 页，超过 3 页"):
        inspect(path, Limits(max_pages=3))


def test_truncated_png_is_refused(tmp_path: Path) -> None:
    whole = Image.effect_noise((300, 300), 60).convert("L")
    path = tmp_path / "cut.png"
    whole.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileRefused, match="已损坏或不完整"):
        inspect(path)
