"""Atomic writes (app/store/files.py): durable by default, cheaper without the fsyncs."""

import os
from pathlib import Path

import pytest

from app.errors import StorageError
from app.store import files


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(files.os, "fsync", counting)
    return calls


@pytest.mark.parametrize("durable", [True, False])
def test_write_replaces_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    calls = _count_fsyncs(monkeypatch)
    target = tmp_path / "sub" / "f.bin"
    files.write_atomic(target, b"old", durable=durable)
    files.write_atomic(target, b"new", durable=durable)
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["f.bin"]  # no temp file left
    per_write = 2 if os.name != "nt" else 1  # the file, then its folder (not on Windows)
    assert len(calls) == (2 * per_write if durable else 0)


def test_unwritable_target_is_a_storage_error_either_way(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    for durable in (True, False):
        with pytest.raises(StorageError):
            files.write_atomic(blocker / "f.bin", b"x", durable=durable)
    assert blocker.read_text() == "in the way"
