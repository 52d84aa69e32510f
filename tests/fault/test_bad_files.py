"""Real-world bad files made by other tools (ImageMagick, Ghostscript, qpdf, Pillow):
each imports with the right page count or is refused with a clear message; nothing crashes;
nothing already attached is lost."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from app.documents.errors import FileRefused, PasswordRequired
from app.documents.importer import inspect
from app.paths import DataPaths
from app.services.attach import attach_files, verify_attachments
from app.store.db import Store, open_store
from tests.documents_helpers import make_case, needs_tools

pytestmark = needs_tools


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    f: dict[str, Path] = {}
    f["three_pdf"] = d / "gs-three.pdf"  # Ghostscript, 3 pages of text
    _run(
        "gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={f['three_pdf']}",
        "-c", "/Helvetica findfont 24 scalefont setfont "
        "1 1 3 { 72 700 moveto (Transfer letter page) show showpage } for",
    )  # fmt: skip
    f["jpeg"] = d / "im.jpg"  # ImageMagick gray JPEG with its density
    _run(
        "convert",
        "-size",
        "600x800",
        "plasma:",
        "-colorspace",
        "Gray",
        "-density",
        "200",
        f["jpeg"],
    )
    f["tiff3"] = d / "im-stack.tif"  # ImageMagick multi-page G4 TIFF
    _run(
        "convert", "-size", "400x500", "xc:white", "xc:gray", "xc:black",
        "-monochrome", "-compress", "Group4", f["tiff3"],
    )  # fmt: skip
    f["mislabelled"] = d / "really-a-png.pdf"  # a PNG with a PDF name
    _run("convert", "-size", "300x200", "gradient:", f"PNG:{f['mislabelled']}")
    f["encrypted"] = d / "qpdf-encrypted.pdf"
    _run("qpdf", "--encrypt", "user-pw", "owner-pw", "256", "--", f["three_pdf"], f["encrypted"])
    f["zero"] = d / "qpdf-empty.pdf"
    _run("qpdf", "--empty", f["zero"])
    data = f["three_pdf"].read_bytes()
    f["truncated_pdf"] = d / "truncated.pdf"
    f["truncated_pdf"].write_bytes(data[: len(data) // 2])
    jpeg = f["jpeg"].read_bytes()
    f["truncated_jpeg"] = d / "truncated.jpg"
    f["truncated_jpeg"].write_bytes(jpeg[: len(jpeg) // 2])
    f["bomb_png"] = d / "bomb.png"  # 30,000 x 30,000 pixels in a few hundred KB
    Image.new("1", (30_000, 30_000), 1).save(f["bomb_png"])
    f["bomb_pdf"] = d / "bomb.pdf"  # a PDF whose one image claims 30,000 x 30,000 pixels
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        image = pikepdf.Stream(pdf, b"\x00" * 16)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = 30_000, 30_000
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
        pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        pdf.save(f["bomb_pdf"])
    return f


@pytest.mark.parametrize(
    ("name", "kind", "pages"),
    [("three_pdf", "pdf", 3), ("jpeg", "jpeg", 1), ("tiff3", "tiff", 3), ("mislabelled", "png", 1)],
)
def test_good_files_import_with_their_page_count(
    files: dict[str, Path], name: str, kind: str, pages: int
) -> None:
    checked = inspect(files[name])
    assert (checked.kind, checked.page_count) == (kind, pages)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("zero", "没有任何页面"),
        ("truncated_pdf", "已损坏或不完整"),
        ("truncated_jpeg", "已损坏或不完整"),
        ("bomb_png", "解压炸弹"),
        ("bomb_pdf", "30000×30000"),
    ],
)
def test_bad_files_are_refused_clearly(files: dict[str, Path], name: str, words: str) -> None:
    with pytest.raises(FileRefused) as caught:
        inspect(files[name])
    assert words in caught.value.message
    assert files[name].name in caught.value.message


def test_encrypted_pdf_asks_for_its_password(files: dict[str, Path]) -> None:
    with pytest.raises(PasswordRequired, match="已加密，请输入密码"):
        inspect(files["encrypted"])
    with pytest.raises(PasswordRequired, match="密码不正确"):
        inspect(files["encrypted"], password="wrong")
    opened = inspect(files["encrypted"], password="user-pw")
    assert opened.page_count == 3 and opened.encrypted


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(DataPaths(tmp_path / "data"))
    yield opened
    opened.close()


def test_bad_files_never_touch_what_is_attached(store: Store, files: dict[str, Path]) -> None:
    case_id = make_case(store)
    first = attach_files(store, case_id, [files["three_pdf"]], "transfer_letter")
    assert first.page_count == 3
    bad = ["zero", "truncated_pdf", "truncated_jpeg", "bomb_png", "bomb_pdf", "encrypted"]
    for name in bad:
        # a good file first in the same call: the whole attach is refused, nothing half-done
        with pytest.raises(FileRefused):
            attach_files(store, case_id, [files["jpeg"], files[name]], "investigation_report")
    with store.reading() as conn:
        docs = conn.execute(
            "SELECT doc_type, page_count FROM documents WHERE case_id=?", (case_id,)
        )
        assert docs.fetchall() == [("transfer_letter", 3)]
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    report = verify_attachments(store)
    assert report.ok and report.checked == 1
