"""The frozen app (PyInstaller onedir) works on its own: selftest, data, search, documents,
an upgrade from the first schema, the scan worker, and the size budget.

Every test runs the real bundle's ``xianjie`` headless in a fresh data folder.
"""

import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from app.paths import DataPaths
from installer.bundle import SIZE_BUDGET, executable_name, tree_size
from tests.documents_helpers import sane_env
from tests.installer.conftest import RunFrozen
from tests.integration.test_migrations import make_first_schema_database

pytestmark = pytest.mark.slow

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _checks(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in data["checks"]}


def test_selftest_finds_translations_migrations_and_ocr(
    run_frozen: RunFrozen, tmp_path: Path
) -> None:
    result = run_frozen("--data-dir", tmp_path / "data", "selftest", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = result.json()
    checks = _checks(data)
    assert data["ok"]
    for key in ("i18n.zh_CN", "migrations", "database.open", "database.schema", "qt", "fts5"):
        assert checks[key]["ok"], checks[key]
    assert "qtbase_zh_CN.qm" in checks["i18n.zh_CN"]["detail"]
    assert "_internal" in checks["migrations"]["detail"]  # the bundle's own scripts
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed on this machine (the .deb depends on it)")
    assert checks["ocr"]["ok"], checks["ocr"]
    assert "简体中文" in checks["ocr"]["detail"]


def test_demo_data_then_search(run_frozen: RunFrozen, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    made = run_frozen("--data-dir", data_dir, "demo-data", "--cases", "50", "--seed", "7")
    assert made.returncode == 0, made.stderr
    found = run_frozen("--data-dir", data_dir, "search", "化工", "--json")
    assert found.returncode == 0, found.stderr
    result = found.json()
    assert result["count"] > 0
    assert all("化工" in c["title"] + c["parties"] for c in result["cases"])


def test_generated_document_with_the_bundled_font(
    run_frozen: RunFrozen, bundle_dir: Path, tmp_path: Path
) -> None:
    fonts = sorted((bundle_dir / "_internal" / "app" / "resources" / "fonts").glob("*.otf"))
    assert fonts, "no document font in the bundle"
    assert (fonts[0].parent / "OFL.txt").is_file()
    data_dir = tmp_path / "data"
    assert run_frozen("--data-dir", data_dir, "demo-data", "--cases", "20").returncode == 0
    case_id = run_frozen("--data-dir", data_dir, "search", "案", "--json").json()["cases"][0]["id"]
    out = tmp_path / "materials.pdf"
    made = run_frozen(
        "--data-dir",
        data_dir,
        "make-document",
        case_id,
        "materials_list",
        "--user",
        "clerk",
        "--out",
        out,
        env={"XIANJIE_PDF_FONT": str(fonts[0])},
    )
    assert made.returncode == 0, made.stderr
    reader = PdfReader(out)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "材料" in text
    embedded = str(reader.pages[0]["/Resources"]["/Font"])
    assert embedded  # fpdf2 embedded the font subset


def test_scanned_pdf_attached_with_ocr_is_searchable(run_frozen: RunFrozen, tmp_path: Path) -> None:
    """Pillow, img2pdf and pikepdf (make-pdf), lxml (the PDF carries XMP metadata, which
    pikepdf rewrites on save), tesseract chi_sim (attach --ocr) and search, all frozen."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed on this machine (the .deb depends on it)")
    image = Image.new("L", (1240, 600), 255)
    font = ImageFont.truetype(CJK_FONT, 72, index=2)
    ImageDraw.Draw(image).text((80, 200), "样张核对记录", font=font, fill=0)
    image.save(tmp_path / "page.png", dpi=(300, 300))
    data_dir = tmp_path / "data"
    assert run_frozen("--data-dir", data_dir, "demo-data", "--cases", "5").returncode == 0
    pdf = tmp_path / "scan.pdf"
    made = run_frozen("--data-dir", data_dir, "make-pdf", tmp_path / "page.png", "--out", pdf)
    assert made.returncode == 0, made.stderr
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        with doc.open_metadata() as meta:
            meta["dc:title"] = "扫描件"
        doc.save(pdf)
    case_id = run_frozen("--data-dir", data_dir, "search", "案", "--json").json()["cases"][0]["id"]
    attached = run_frozen(
        "--data-dir", data_dir, "attach", case_id, pdf, "--type", "other", "--ocr", "--json"
    )
    assert attached.returncode == 0, attached.stderr
    found = run_frozen("--data-dir", data_dir, "search", "样张核对", "--json").json()
    assert [c["id"] for c in found["cases"]] == [case_id]


def test_first_schema_database_upgrades_frozen(run_frozen: RunFrozen, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    make_first_schema_database(paths)  # revision 0001, made with the source tree's Alembic
    result = run_frozen("--data-dir", paths.root, "selftest", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = _checks(result.json())
    assert "已从架构版本 0001 升级" in checks["database.open"]["detail"]
    assert checks["database.schema"]["ok"]
    found = run_frozen("--data-dir", paths.root, "search", "化工", "--json").json()
    assert [c["id"] for c in found["cases"]] == ["c1"]


def test_scan_worker_runs_frozen(bundle_dir: Path, run_frozen: RunFrozen, tmp_path: Path) -> None:
    """``xianjie -m`` runs the SANE worker (the bundle has no Python to start it with)."""
    env = sane_env(tmp_path / "sane.d")
    listed = run_frozen(
        "-m",
        "app.documents.scanners.sane_worker",
        "--list-devices",
        env={"SANE_CONFIG_DIR": env["SANE_CONFIG_DIR"]},
    )
    assert listed.returncode == 0, listed.stderr
    assert any(row[0].startswith("test") for row in listed.json())
    out = tmp_path / "scan.pdf"
    scanned = run_frozen(
        "--data-dir",
        tmp_path / "data",
        "scan",
        "--device",
        "test:0",
        "--pages",
        "1",
        "--out",
        out,
        env={"SANE_CONFIG_DIR": env["SANE_CONFIG_DIR"]},
    )
    assert scanned.returncode == 0, scanned.stderr
    assert len(PdfReader(out).pages) == 1


def test_worker_mode_runs_only_worker_modules(run_frozen: RunFrozen) -> None:
    refused = run_frozen("-m", "http.server")
    assert refused.returncode == 2
    assert "不支持" in refused.stderr


def test_bundle_is_trimmed(bundle_dir: Path) -> None:
    internal = bundle_dir / "_internal"
    translations = sorted(p.name for p in (internal / "PySide6" / "Qt" / "translations").iterdir())
    assert translations == ["qt_zh_CN.qm", "qtbase_zh_CN.qm"]
    libs = [p.name for p in internal.rglob("libQt6*")]
    for unused in ("Qml", "Quick", "Pdf", "Designer", "Network", "Sql"):
        assert not [n for n in libs if n.startswith(f"libQt6{unused}")], unused
    assert not (internal / "central").exists()
    assert (internal / "app" / "store" / "migrations" / "env.py").is_file()


def test_bundle_holds_no_central_or_dev_packages(bundle_dir: Path, tmp_path: Path) -> None:
    """xianjie-central and the development tools stay out of the desktop app's archive."""
    readers = pytest.importorskip("PyInstaller.archive.readers")
    archive = tmp_path / "PYZ.pyz"
    program = readers.CArchiveReader(str(bundle_dir / executable_name()))
    archive.write_bytes(program.extract("PYZ.pyz"))
    tops = {name.split(".")[0] for name in readers.ZlibArchiveReader(str(archive)).toc}
    assert {"app", "alembic", "sqlalchemy", "fpdf", "pikepdf"} <= tops
    unwanted = {"central", "fastapi", "uvicorn", "psycopg", "pytest", "hypothesis", "mypy"}
    assert not tops & unwanted


def test_unpacked_size_within_budget(bundle_dir: Path) -> None:
    size = tree_size(bundle_dir)
    assert size <= SIZE_BUDGET, f"bundle is {size / 1e6:.1f} MB, budget {SIZE_BUDGET / 1e6:.0f} MB"
