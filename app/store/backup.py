"""Backups for IT staff: one ``.zip`` file holding the database *and* the attachments.

Why one file with everything: a backup that leaves out the scanned transfer files is not a
backup of a case file, and one file is what IT staff can copy to a USB stick or a share,
check and carry back. The archive is an ordinary ZIP (any tool can list it)::

    manifest.json                  format, app version, schema revision, sizes and SHA-256s
    xianjie.db                     a consistent copy made with SQLite's online backup API
    attachments/ab/abcdef…         each attachment blob, under its SHA-256 (as in the store)

* :func:`make_backup` copies the database while the app may be running (online backup API),
  checks the copy with ``PRAGMA integrity_check`` before anything is reported, stores the
  attachments that still hash to their names (a damaged blob is left out and named in the
  result), and writes the archive atomically (temp file, fsync, rename): a full disk leaves
  no half backup under the real name.
* :func:`restore_backup` accepts such an archive or a bare SQLite database (for example a
  ``backups/xianjie-before-migration-….db`` copy written by :func:`app.store.db.open_store`).
  It validates everything first — ZIP members and their hashes, SQLite header,
  ``integrity_check``, a schema revision this version knows — and a bad file is refused with a
  Chinese message before anything changes. Then the current database is copied to
  ``backups/``, missing attachments are added (attachments are content-addressed, so adding is
  safe and nothing is removed) and the database file is replaced atomically.
"""

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from app import __version__
from app.errors import StorageError
from app.paths import DataPaths
from app.store.attachments import AttachmentStore
from app.store.db import Store, copy_database, head_revision, is_known_schema, schema_of
from app.store.errors import storage_errors
from app.store.files import fsync_dir

log = logging.getLogger(__name__)

FORMAT = "xianjie-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "xianjie.db"
ATTACHMENTS_PREFIX = "attachments/"

_SQLITE_HEADER = b"SQLite format 3\x00"
_CHUNK = 1024 * 1024
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class BackupInfo:
    """What :func:`make_backup` wrote."""

    path: Path
    size: int  # bytes of the backup file
    sha256: str  # of the backup file, for checking a copy carried elsewhere
    schema_revision: str
    database_size: int
    attachments: int  # blobs stored in the archive
    attachments_size: int
    skipped_attachments: list[str] = field(default_factory=list)  # damaged blobs left out
    created_at: str = ""


@dataclass(frozen=True)
class RestoreInfo:
    """What :func:`restore_backup` did."""

    source: Path
    previous_copy: Path | None  # the database as it was before, kept in backups/
    schema_revision: str = ""
    attachments_added: int = 0
    attachments_present: int = 0


# --------------------------------------------------------------------------- helpers


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_blob_name(name: str) -> bool:
    return len(name) == 64 and set(name) <= _HEX


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


@contextmanager
def _scratch_dir(near: Path) -> Iterator[Path]:
    """A private temp folder beside ``near`` (same file system, so rename is atomic)."""
    with storage_errors(near):
        near.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".xianjie-", dir=near))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_database_file(db_file: Path, *, label: str) -> str:
    """Validate an SQLite file as a Xianjie database this version can open; return its revision.

    ``label`` names the file in messages (e.g. "备份文件 X"). Raises :class:`StorageError`.
    The file is opened read-only; call it on a private copy when the file may be in use.
    """
    try:
        with db_file.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"无法读取{label}", detail=exc.strerror or str(exc)) from exc
    if header != _SQLITE_HEADER:
        raise StorageError(f"{label}不是衔接的数据库或备份，或已损坏。未做任何改动。")
    uri = f"{db_file.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
            problems = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
            if problems != ["ok"]:
                raise StorageError(
                    f"{label}已损坏（完整性检查未通过：{_first_problem(problems)}）。未做任何改动。"
                )
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise StorageError(f"{label}不是衔接的数据库（缺少架构版本信息）。未做任何改动。")
            revision = schema_of(conn)
    except sqlite3.Error as exc:
        raise StorageError(f"{label}已损坏，无法读取（{exc}）。未做任何改动。") from exc
    if revision is None:
        raise StorageError(f"{label}不是衔接的数据库（架构版本为空）。未做任何改动。")
    if not is_known_schema(revision):
        raise StorageError(
            f"{label}由更新版本的衔接创建（架构版本 {revision}），本版本无法恢复。"
            "请先安装最新版本的衔接。未做任何改动。"
        )
    return revision


def _first_problem(problems: list[str], limit: int = 300) -> str:
    """``integrity_check``'s first finding on one line (SQLite puts several lines in one row,
    and the CLI promises one line per failure)."""
    text = "；".join(line.strip() for line in problems[0].splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _integrity_ok(db_file: Path) -> list[str]:
    with closing(sqlite3.connect(db_file, timeout=10)) as conn:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]


# --------------------------------------------------------------------------- backup


def _backup_target(out: Path) -> Path:
    if out.is_dir():
        return out / f"xianjie-backup-{datetime.now().strftime('%Y%m%d-%H%M%S')}.zip"
    return out


def make_backup(store: Store, out: Path, *, include_attachments: bool = True) -> BackupInfo:
    """Write a verified, consistent backup archive of ``store`` to ``out`` (atomically).

    ``out`` may be an existing folder; the file is then named ``xianjie-backup-<time>.zip``.
    Raises :class:`StorageError` (Chinese message) when the copy cannot be written or fails
    its integrity check; no file is then left under ``out``.
    """
    target = _backup_target(out.expanduser()).absolute()
    if target.resolve() == store.paths.database.resolve():
        raise StorageError("备份文件不能覆盖正在使用的数据库，请换一个文件名。")
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    with _scratch_dir(target.parent) as scratch:
        snapshot = scratch / DATABASE
        copy_database(store.paths.database, snapshot)
        with storage_errors(snapshot):
            problems = _integrity_ok(snapshot)
        if problems != ["ok"]:
            raise StorageError(
                f"数据库副本未通过完整性检查（{_first_problem(problems)}），备份未写入。"
                "数据库可能已损坏，请联系信息技术人员。"
            )
        revision = check_database_file(snapshot, label="数据库副本")
        db_sha = _sha256_file(snapshot)
        db_size = snapshot.stat().st_size

        blobs = AttachmentStore(store.paths.attachments)
        good: list[str] = []
        skipped: list[str] = []
        attachments_size = 0
        if include_attachments:
            for sha in blobs.iter_hashes():
                if blobs.verify(sha):
                    good.append(sha)
                    attachments_size += blobs.path_for(sha).stat().st_size
                else:
                    skipped.append(sha)
                    log.warning("attachment %s does not match its hash; left out of backup", sha)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "created_at": created_at,
            "schema_revision": revision,
            "database": {"name": DATABASE, "size": db_size, "sha256": db_sha},
            "attachments": {
                "included": include_attachments,
                "count": len(good),
                "size": attachments_size,
                "skipped_damaged": skipped,
            },
        }
        partial = scratch / (target.name + ".partial")
        with storage_errors(target):
            with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
                zf.writestr(
                    MANIFEST,
                    json.dumps(manifest, ensure_ascii=False, indent=2),
                    compress_type=zipfile.ZIP_DEFLATED,
                )
                # Fast deflate: databases compress well even at level 1, and a backup
                # that takes minutes is a backup nobody makes.
                zf.write(snapshot, DATABASE, zipfile.ZIP_DEFLATED, compresslevel=1)
                for sha in good:
                    # Scans and PDFs are compressed already: store them as they are.
                    zf.write(blobs.path_for(sha), f"{ATTACHMENTS_PREFIX}{sha[:2]}/{sha}")
            _fsync_file(partial)
            size = partial.stat().st_size
            archive_sha = _sha256_file(partial)
            partial.replace(target)
            fsync_dir(target.parent)
    log.info("backup written to %s (%d bytes, %d attachments)", target, size, len(good))
    return BackupInfo(
        path=target,
        size=size,
        sha256=archive_sha,
        schema_revision=revision,
        database_size=db_size,
        attachments=len(good),
        attachments_size=attachments_size,
        skipped_attachments=skipped,
        created_at=created_at,
    )


# --------------------------------------------------------------------------- restore


@dataclass
class _Validated:
    database: Path  # a private, validated copy ready to move into place
    revision: str
    archive: Path | None  # the zip, when attachments come with it
    blobs: dict[str, str]  # sha256 -> member name


def _validate_archive(file: Path, scratch: Path) -> _Validated:
    label = f"备份文件 {file} "
    try:
        zf = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise StorageError(f"{label}已损坏，无法读取（{exc}）。未做任何改动。") from exc
    with zf:
        names = zf.namelist()
        if MANIFEST not in names or DATABASE not in names:
            raise StorageError(
                f"{label}不是衔接的备份（缺少 {MANIFEST} 或 {DATABASE}）。未做任何改动。"
            )
        try:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise StorageError(f"{label}的清单（{MANIFEST}）已损坏。未做任何改动。") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise StorageError(f"{label}不是衔接的备份（格式标识不符）。未做任何改动。")
        version = manifest.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise StorageError(
                f"{label}由更新版本的衔接创建（备份格式 {version}），本版本无法恢复。"
                "请先安装最新版本的衔接。未做任何改动。"
            )
        blobs: dict[str, str] = {}
        for name in names:
            if name in (MANIFEST, DATABASE) or name.endswith("/"):
                continue
            parts = name.split("/")
            if (
                len(parts) != 3
                or parts[0] + "/" != ATTACHMENTS_PREFIX
                or not _is_blob_name(parts[2])
                or parts[1] != parts[2][:2]
            ):
                raise StorageError(f"{label}含有不认识的内容：{name}。未做任何改动。")
            blobs[parts[2]] = name
        database = scratch / DATABASE
        try:
            digest = hashlib.sha256()
            with zf.open(DATABASE) as src, database.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
            expected = (manifest.get("database") or {}).get("sha256")
            if expected and digest.hexdigest() != expected:
                raise StorageError(
                    f"{label}中的数据库与清单的校验值不符，备份已损坏。未做任何改动。"
                )
            for sha, name in blobs.items():
                digest = hashlib.sha256()
                with zf.open(name) as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                if digest.hexdigest() != sha:
                    raise StorageError(f"{label}中的附件 {sha} 已损坏。未做任何改动。")
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise StorageError(f"{label}已损坏（{exc}）。未做任何改动。") from exc
    revision = check_database_file(database, label=label)
    return _Validated(database, revision, file, blobs)


def _validate_database(file: Path, scratch: Path) -> _Validated:
    label = f"备份文件 {file} "
    # Header first, so a random file is refused before SQLite looks at it.
    with file.open("rb") as fh:
        header = fh.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise StorageError(f"{label}不是衔接的备份或数据库，或已损坏。未做任何改动。")
    database = scratch / DATABASE
    uri = f"{file.resolve().as_uri()}?mode=ro"
    try:
        with (
            closing(sqlite3.connect(uri, uri=True, timeout=10)) as src,
            closing(sqlite3.connect(database)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise StorageError(f"{label}已损坏，无法读取（{exc}）。未做任何改动。") from exc
    revision = check_database_file(database, label=label)
    return _Validated(database, revision, None, {})


def _keep_current(paths: DataPaths) -> Path | None:
    """Copy the current database to ``backups/`` and make sure nobody else has it open."""
    db = paths.database
    wal = db.with_name(db.name + "-wal")
    shm = db.with_name(db.name + "-shm")
    if not db.exists():
        return None
    if db.stat().st_size == 0:
        return None
    copy = paths.backups / f"xianjie-before-restore-{_stamp()}.db"
    try:
        with closing(sqlite3.connect(db, timeout=10)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy_database(db, copy)
    except (sqlite3.Error, StorageError) as exc:
        if "locked" in str(exc) or "占用" in str(exc):
            copy.unlink(missing_ok=True)
            raise StorageError(
                "数据库正被另一个衔接程序使用。请先关闭所有衔接窗口，再恢复备份。未做任何改动。"
            ) from exc
        # The current file is damaged (often the reason to restore): keep its raw bytes.
        log.warning("current database unreadable (%s); keeping a raw copy", exc)
        copy.unlink(missing_ok=True)
        copy = copy.with_suffix(".damaged")
        with storage_errors(copy):
            paths.backups.mkdir(parents=True, exist_ok=True)
            shutil.copy2(db, copy)
            for extra in (wal, shm):
                if extra.exists():
                    shutil.copy2(extra, copy.with_name(copy.name + extra.name[len(db.name) :]))
                    extra.unlink()
        return copy
    # Closing the last connection checkpoints and deletes the WAL; if it is still there,
    # another Xianjie has the database open and replacing it under it would lose data.
    if wal.exists() or shm.exists():
        copy.unlink(missing_ok=True)
        raise StorageError(
            "数据库正被另一个衔接程序使用。请先关闭所有衔接窗口，再恢复备份。未做任何改动。"
        )
    return copy


def restore_backup(paths: DataPaths, file: Path) -> RestoreInfo:
    """Replace the database in ``paths`` with the one in ``file`` (a backup ``.zip`` or a ``.db``).

    ``file`` is validated completely before anything changes; a bad file raises
    :class:`StorageError` with a Chinese message. The current database is kept in ``backups/``.
    """
    file = file.expanduser()
    if not file.is_file():
        raise StorageError(f"找不到备份文件 {file}。未做任何改动。")
    with storage_errors(paths.root):
        paths.root.mkdir(parents=True, exist_ok=True)
    with _scratch_dir(paths.root) as scratch:
        with storage_errors(file):
            if zipfile.is_zipfile(file):
                valid = _validate_archive(file, scratch)
            else:
                valid = _validate_database(file, scratch)
        with storage_errors(paths.root):
            previous = _keep_current(paths)
            added = present = 0
            if valid.archive is not None and valid.blobs:
                store = AttachmentStore(paths.attachments)
                with zipfile.ZipFile(valid.archive) as zf:
                    for sha, name in valid.blobs.items():
                        if store.verify(sha):
                            present += 1
                            continue
                        # A damaged blob under this name would block the good copy.
                        store.path_for(sha).unlink(missing_ok=True)
                        with zf.open(name) as src:
                            stored = store.put_stream(cast(BinaryIO, src))
                        if stored.sha256 != sha:  # pragma: no cover - validated above
                            raise StorageError(f"附件 {sha} 恢复失败：内容与名称不符")
                        added += 1
            _fsync_file(valid.database)
            valid.database.replace(paths.database)
            fsync_dir(paths.root)
    log.info(
        "restored %s (revision %s, head %s); previous database kept at %s",
        file,
        valid.revision,
        head_revision(),
        previous,
    )
    return RestoreInfo(
        source=file,
        previous_copy=previous,
        schema_revision=valid.revision,
        attachments_added=added,
        attachments_present=present,
    )
