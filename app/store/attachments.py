"""The content-addressed attachment store: files named by their SHA-256.

Layout: ``attachments/ab/abcdef…`` (two-character fan-out). Writes are atomic and a file
already present is never written again, so the same scan attached twice costs nothing and
an interrupted write never leaves a half file under a real name.
"""

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import StorageError
from app.store.errors import storage_errors
from app.store.files import fsync_dir

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool  # False when the content was already there


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _HEX64.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def contains(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_stream(io.BytesIO(data))

    def put_file(self, source: Path) -> StoredBlob:
        with storage_errors(source), source.open("rb") as fh:
            return self.put_stream(fh)

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy ``stream`` in, hashing as it goes; keep one copy per distinct content."""
        with storage_errors(self.root):
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
            tmp = Path(tmp_name)
            try:
                digest = hashlib.sha256()
                size = 0
                with os.fdopen(fd, "wb") as out:
                    while chunk := stream.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                sha = digest.hexdigest()
                target = self.path_for(sha)
                if target.is_file():
                    tmp.unlink()
                    return StoredBlob(sha, size, target, created=False)
                target.parent.mkdir(exist_ok=True)
                tmp.replace(target)
                fsync_dir(target.parent)
                return StoredBlob(sha, size, target, created=True)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise

    def open(self, sha256: str) -> BinaryIO:
        path = self.path_for(sha256)
        try:
            return path.open("rb")
        except FileNotFoundError as exc:
            raise StorageError(f"附件文件缺失：{sha256}") from exc

    def verify(self, sha256: str) -> bool:
        """Whether the stored file still hashes to its name."""
        digest = hashlib.sha256()
        try:
            with self.path_for(sha256).open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            return False
        return digest.hexdigest() == sha256

    def iter_hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if _HEX64.match(f.name):
                        yield f.name
