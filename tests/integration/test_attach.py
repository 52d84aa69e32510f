"""Attaching files to a case: typed documents, content-addressed dedup, OCR text in search,
integrity re-check; and the ``scan``, ``make-pdf``, ``attach``, ``verify`` commands."""

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from app.documents.errors import FileRefused
from app.errors import UserError
from app.paths import DataPaths
from app.services.attach import PAGE_SEPARATOR, attach_files, document_types, verify_attachments
from app.store.attachments import AttachmentStore
from app.store.db import Store, open_store
from app.store.search import search_case_ids
from tests.conftest import RunCli
from tests.documents_helpers import make_case, needs_sane, sane_env
from tests.integration.test_ocr import PARTY, USCC, render_page
from tests.integration.test_ocr import pytestmark as needs_ocr


def _jpeg(path: Path, shade: int = 40) -> Path:
    Image.effect_noise((200, 280), shade).convert("L").save(path, "JPEG", dpi=(100, 100))
    return path


def test_document_types_come_from_the_materials_list() -> None:
    types = document_types()
    assert {"transfer_letter", "investigation_report", "seized_items_list"} <= set(types)
    assert types["transfer_letter"]


def test_attach_dedup_and_refusals(store: Store, tmp_path: Path) -> None:
    case_id = make_case(store)
    a, b = _jpeg(tmp_path / "a.jpg", 40), _jpeg(tmp_path / "b.jpg", 90)
    first = attach_files(store, case_id, [a, b], "investigation_report", title="调查报告")
    assert first.document_id and first.page_count == 2
    assert [f.duplicate for f in first.files] == [False, False]
    copy = tmp_path / "copy-of-a.jpeg"
    copy.write_bytes(a.read_bytes())
    again = attach_files(store, case_id, [copy], "other")
    assert again.document_id is None and again.files[0].duplicate
    blobs = AttachmentStore(store.paths.attachments)
    assert sorted(blobs.iter_hashes()) == sorted(f.sha256 for f in first.files)
    with pytest.raises(UserError, match="不在移送材料清单"):
        attach_files(store, case_id, [b], "love_letter")
    with pytest.raises(UserError, match="找不到案件"):
        attach_files(store, "no-such-case", [b], "other")
    with pytest.raises(FileRefused):
        attach_files(store, case_id, [tmp_path / "absent.jpg"], "other")
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT a.filename, a.position, d.doc_type, d.title FROM attachments a "
            "JOIN documents d ON d.id = a.document_id ORDER BY a.position"
        ).fetchall()
        audit = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'document.attach'"
        ).fetchone()
    assert rows == [
        ("a.jpg", 0, "investigation_report", "调查报告"),
        ("b.jpg", 1, "investigation_report", "调查报告"),
    ]
    assert audit == (1,)


def test_verify_finds_missing_and_corrupt_files(store: Store, tmp_path: Path) -> None:
    case_id = make_case(store)
    result = attach_files(
        store, case_id, [_jpeg(tmp_path / "a.jpg", 40), _jpeg(tmp_path / "b.jpg", 90)], "other"
    )
    assert verify_attachments(store).ok
    blobs = AttachmentStore(store.paths.attachments)
    a, b = (f.sha256 for f in result.files)
    blobs.path_for(a).write_bytes(b"bit rot")
    blobs.path_for(b).unlink()
    report = verify_attachments(store)
    assert not report.ok
    assert report.corrupt == (a,) and report.missing == (b,)


@needs_ocr
def test_ocr_text_reaches_search(store: Store, tmp_path: Path) -> None:
    case_id = make_case(store, title="某案")
    page = render_page(tmp_path / "letter.png")
    result = attach_files(store, case_id, [page], "transfer_letter", ocr=True)
    assert PARTY in result.text_pages[0]
    with store.reading() as conn:
        (text,) = conn.execute("SELECT text FROM documents").fetchone()
    assert PAGE_SEPARATOR not in text and USCC in text.replace(" ", "")
    with store.session() as session:
        assert search_case_ids(session, "恒达化工") == [case_id]


# --- the commands, as a clerk or IT would run them --------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> tuple[Path, str]:
    paths = DataPaths(tmp_path / "data")
    opened = open_store(paths)
    case_id = make_case(opened)
    opened.close()
    return paths.root, case_id


def test_cli_make_pdf_attach_verify(
    run_cli: RunCli, tmp_path: Path, data_dir: tuple[Path, str]
) -> None:
    root, case_id = data_dir
    a, b = _jpeg(tmp_path / "a.jpg", 40), _jpeg(tmp_path / "b.jpg", 90)
    out = tmp_path / "移送函.pdf"
    made = run_cli("make-pdf", a, b, "--out", out, "--json")
    assert made.returncode == 0, made.stderr
    assert made.json()["pages"] == 2
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
    attached = run_cli(
        "--data-dir", root, "attach", case_id, out, "--type", "transfer_letter", "--json"
    )
    assert attached.returncode == 0, attached.stderr
    assert attached.json()["pages"] == 2
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    refused = run_cli("--data-dir", root, "attach", case_id, bad, "--type", "other")
    assert refused.returncode == 1
    assert len(refused.error_lines) == 1 and "已损坏或不完整" in refused.error_lines[0]
    checked = run_cli("--data-dir", root, "verify", "--json")
    assert checked.returncode == 0 and checked.json()["checked"] == 1
    blob = next((root / "attachments").rglob("*"))
    while blob.is_dir():
        blob = next(blob.iterdir())
    blob.write_bytes(b"changed")
    broken = run_cli("--data-dir", root, "verify")
    assert broken.returncode == 1
    assert "已损坏" in broken.stdout and "附件校验未通过" in broken.stderr


@needs_sane
def test_cli_scan_keeps_pages_on_a_jam(run_cli: RunCli, tmp_path: Path) -> None:
    env = sane_env(tmp_path / "sane.d")
    sane = {"SANE_CONFIG_DIR": env["SANE_CONFIG_DIR"]}
    out = tmp_path / "scan.pdf"
    ok = run_cli(
        "scan", "--device", "test", "--source", "adf", "--dpi", "50", "--out", out, env=sane
    )
    assert ok.returncode == 0, ok.stderr
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 10
    jam = run_cli(
        "scan", "--device", "test", "--source", "adf", "--dpi", "50", "--out", tmp_path / "j.pdf",
        "--option", "read_return_value=SANE_STATUS_JAMMED", env=sane,
    )  # fmt: skip
    assert jam.returncode == 1
    assert len(jam.error_lines) == 1 and "卡纸" in jam.error_lines[0]
    assert not (tmp_path / "j.pdf").exists()


def test_encrypted_pdf_with_its_password_is_stored_decrypted(store: Store, tmp_path: Path) -> None:
    import hashlib
    import json
    import subprocess

    from app.documents.errors import PasswordRequired

    letter = tmp_path / "letter.pdf"
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={letter}",
         "-c", "showpage showpage"],
        check=True,
    )  # fmt: skip
    locked = tmp_path / "locked.pdf"
    subprocess.run(["qpdf", "--encrypt", "pw", "pw", "256", "--", letter, locked], check=True)
    case_id = make_case(store)
    with pytest.raises(PasswordRequired, match="请输入密码"):
        attach_files(store, case_id, [locked], "transfer_letter")
    result = attach_files(store, case_id, [locked], "transfer_letter", passwords={locked: "pw"})
    assert result.page_count == 2 and result.files[0].filename == "locked.pdf"
    stored = AttachmentStore(store.paths.attachments).path_for(result.files[0].sha256)
    with pikepdf.open(stored) as pdf:
        assert not pdf.is_encrypted and len(pdf.pages) == 2
    with store.reading() as conn:
        (detail,) = conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'document.attach'"
        ).fetchone()
    original = hashlib.sha256(locked.read_bytes()).hexdigest()
    assert json.loads(detail)["encrypted_originals"] == {"locked.pdf": original}
