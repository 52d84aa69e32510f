"""The content-addressed attachment store: one copy per content, atomic, verifiable."""

import hashlib
import io
from pathlib import Path

import pytest

from app.errors import StorageError
from app.store.attachments import AttachmentStore


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_names_the_file_by_its_sha256(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    data = "移送书第一页".encode()
    blob = store.put_bytes(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.path == tmp_path / "att" / blob.sha256[:2] / blob.sha256
    assert blob.path.read_bytes() == data
    assert blob.created and blob.size == len(data)
    with store.open(blob.sha256) as fh:
        assert fh.read() == data


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    first = store.put_bytes(b"page" * 1000)
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"page" * 1000)
    second = store.put_file(source)
    assert second.sha256 == first.sha256 and not second.created
    assert _files(tmp_path / "att") == [first.path]
    assert list(store.iter_hashes()) == [first.sha256]


def test_large_stream_in_chunks(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    data = bytes(range(256)) * 20_000  # ~5 MB, several chunks
    blob = store.put_stream(io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert store.verify(blob.sha256)


class _FailingStream(io.RawIOBase):
    """Gives one chunk, then fails like a scanner or a USB stick pulled mid-copy."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return b"x" * 1024 * 1024
        raise OSError(5, "Input/output error")


def test_failure_mid_write_leaves_no_file_under_a_real_name(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    store.put_bytes(b"kept")
    with pytest.raises(StorageError):
        store.put_stream(_FailingStream())  # type: ignore[arg-type]
    names = [p.name for p in _files(tmp_path / "att")]
    assert names == [hashlib.sha256(b"kept").hexdigest()]  # no temp file, no partial blob
    assert all(store.verify(sha) for sha in store.iter_hashes())


def test_verify_detects_a_corrupted_blob(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    blob = store.put_bytes(b"original scan")
    assert store.verify(blob.sha256)
    blob.path.write_bytes(b"altered scan")
    assert not store.verify(blob.sha256)


def test_verify_of_a_missing_blob_is_false(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    missing = "0" * 64
    assert not store.verify(missing) and not store.contains(missing)
    with pytest.raises(StorageError, match="附件文件缺失"):
        store.open(missing)


@pytest.mark.parametrize("bad", ["", "abc", "../" + "0" * 61, "G" * 64, "A" * 64])
def test_names_that_are_not_sha256_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        AttachmentStore(tmp_path / "att").path_for(bad)


def test_iter_hashes_ignores_strays(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    blob = store.put_bytes(b"a")
    (tmp_path / "att" / "README").write_text("x")
    (tmp_path / "att" / blob.sha256[:2] / ".incoming-123").write_text("x")
    assert list(store.iter_hashes()) == [blob.sha256]
    assert list(AttachmentStore(tmp_path / "absent").iter_hashes()) == []
