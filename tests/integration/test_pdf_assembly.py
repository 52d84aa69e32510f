"""Lossless PDF assembly checked with pikepdf: JPEG bytes unchanged, bilevel as CCITT G4,
page size from the real resolution, imported PDFs merged page for page."""

import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from app.documents.errors import FileRefused
from app.documents.pdf_assembly import PageSource, assemble


def _jpeg(path: Path, size: tuple[int, int], dpi: int | None, mode: str = "L") -> Path:
    im = Image.effect_noise(size, 40).convert(mode)
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    im.save(path, format="JPEG", quality=80, **extra)
    return path


def _bilevel_png(path: Path, size: tuple[int, int], dpi: int) -> Path:
    im = Image.new("1", size, 1)
    for x in range(0, size[0], 7):
        for y in range(0, size[1], 11):
            im.putpixel((x, y), 0)
    im.save(path, format="PNG", dpi=(dpi, dpi))
    return path


def _images(pdf: pikepdf.Pdf, index: int) -> list[pikepdf.Stream]:
    page = pdf.pages[index]
    return [page.Resources.XObject[k] for k in page.Resources.XObject]


def _filters(image: pikepdf.Stream) -> list[str]:
    f = image.Filter
    return [str(x) for x in f] if isinstance(f, pikepdf.Array) else [str(f)]


def _parms(image: pikepdf.Stream) -> pikepdf.Dictionary:
    p = image.DecodeParms
    return p[0] if isinstance(p, pikepdf.Array) else p


def _mediabox(pdf: pikepdf.Pdf, index: int) -> tuple[float, float]:
    box = [float(v) for v in pdf.pages[index].MediaBox]
    return box[2] - box[0], box[3] - box[1]


def test_jpeg_bytes_are_embedded_unchanged(tmp_path: Path) -> None:
    gray = _jpeg(tmp_path / "gray.jpg", (620, 877), 75)
    colour = _jpeg(tmp_path / "colour.jpg", (620, 877), 75, mode="RGB")
    result = assemble([PageSource(gray), PageSource(colour)], tmp_path / "out.pdf")
    assert result.pages == 2
    with pikepdf.open(result.out) as pdf:
        for index, source in enumerate((gray, colour)):
            (image,) = _images(pdf, index)
            assert _filters(image) == ["/DCTDecode"]
            assert image.read_raw_bytes() == source.read_bytes()


def test_page_size_comes_from_the_dpi(tmp_path: Path) -> None:
    a4_at_75 = _jpeg(tmp_path / "a4.jpg", (620, 877), 75)  # 210 x 297 mm
    no_dpi = _jpeg(tmp_path / "nodpi.jpg", (600, 600), None)
    scanner_says = _jpeg(tmp_path / "scanner.jpg", (1200, 1200), 72)
    sources = [PageSource(a4_at_75), PageSource(no_dpi), PageSource(scanner_says, dpi=600)]
    result = assemble(sources, tmp_path / "out.pdf", default_dpi=200)
    with pikepdf.open(result.out) as pdf:
        width, height = _mediabox(pdf, 0)
        assert width == pytest.approx(620 / 75 * 72, abs=0.01)  # 595.2 pt, A4
        assert height == pytest.approx(877 / 75 * 72, abs=0.01)
        assert _mediabox(pdf, 1) == pytest.approx((600 / 200 * 72, 600 / 200 * 72))
        assert _mediabox(pdf, 2) == pytest.approx((144.0, 144.0))  # 2 inches at 600 dpi


def test_bilevel_pages_become_ccitt_g4(tmp_path: Path) -> None:
    png = _bilevel_png(tmp_path / "text.png", (800, 1000), 200)
    g4 = tmp_path / "scan.tif"
    with Image.open(png) as im:
        im.save(g4, format="TIFF", compression="group4", dpi=(200, 200))
    result = assemble([PageSource(png), PageSource(g4)], tmp_path / "out.pdf")
    with pikepdf.open(result.out) as pdf:
        for index in (0, 1):
            (image,) = _images(pdf, index)
            assert _filters(image) == ["/CCITTFaxDecode"]
            assert int(_parms(image).K) == -1  # group 4
            assert int(image.BitsPerComponent) == 1
            assert _mediabox(pdf, index) == pytest.approx((800 / 200 * 72, 1000 / 200 * 72))
        decoded = pikepdf.PdfImage(_images(pdf, 0)[0]).as_pil_image()
        with Image.open(png) as original:
            assert decoded.convert("1").tobytes() == original.convert("1").tobytes()


def test_imported_pdfs_are_merged_with_images(tmp_path: Path) -> None:
    letter = tmp_path / "letter.pdf"
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={letter}",
         "-c", "showpage showpage"],
        check=True,
    )  # fmt: skip
    jpeg = _jpeg(tmp_path / "p.jpg", (300, 400), 100)
    encrypted = tmp_path / "locked.pdf"
    subprocess.run(["qpdf", "--encrypt", "pw", "pw", "256", "--", letter, encrypted], check=True)
    sources = [PageSource(jpeg), PageSource(letter), PageSource(encrypted, password="pw")]
    result = assemble(sources, tmp_path / "merged.pdf")
    assert result.pages == 5
    with pikepdf.open(result.out) as pdf:
        assert len(pdf.pages) == 5
        assert not pdf.is_encrypted
        (image,) = _images(pdf, 0)
        assert image.read_raw_bytes() == jpeg.read_bytes()


def test_rotation_is_a_page_attribute_not_new_pixels(tmp_path: Path) -> None:
    jpeg = _jpeg(tmp_path / "p.jpg", (300, 400), 100)
    result = assemble([PageSource(jpeg, rotation=90)], tmp_path / "r.pdf")
    with pikepdf.open(result.out) as pdf:
        assert int(pdf.pages[0].Rotate) == 90
        assert _images(pdf, 0)[0].read_raw_bytes() == jpeg.read_bytes()


def test_bmp_and_multipage_tiff(tmp_path: Path) -> None:
    bmp = tmp_path / "p.bmp"
    Image.effect_noise((120, 80), 30).convert("RGB").save(bmp, dpi=(100, 100))
    tiff = tmp_path / "stack.tif"
    frames = [Image.new("L", (100, 100), v) for v in (10, 200, 90)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(100, 100))
    result = assemble([PageSource(bmp), PageSource(tiff)], tmp_path / "out.pdf")
    assert result.pages == 4
    with pikepdf.open(result.out) as pdf:
        decoded = pikepdf.PdfImage(_images(pdf, 0)[0]).as_pil_image()
        with Image.open(bmp) as original:
            assert decoded.convert("RGB").tobytes() == original.convert("RGB").tobytes()


def test_a_bad_source_leaves_no_output(tmp_path: Path) -> None:
    good = _jpeg(tmp_path / "p.jpg", (100, 100), 100)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(good.read_bytes()[:200])
    out = tmp_path / "out.pdf"
    with pytest.raises(FileRefused):
        assemble([PageSource(good), PageSource(bad)], out)
    assert not out.exists()
    assert list(tmp_path.glob(".out.pdf*")) == []
