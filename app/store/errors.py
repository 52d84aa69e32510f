"""Turn SQLite and file-system failures into :class:`StorageError` with a Chinese message.

Environment problems (full disk, read-only folder, corrupt file, locked database) are
expected and reach the user as a notice; anything else stays an exception for the crash
handler. Modelled on qutebrowser's ``misc/sql.py`` error split.
"""

import errno
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import StorageError

_BY_SQLITE_NAME = {
    "SQLITE_FULL": "磁盘空间已满，本次修改未保存（之前保存的数据不受影响）。请清理磁盘后重试。",
    "SQLITE_READONLY": "数据库为只读，无法保存修改。请检查数据文件夹的写入权限。",
    "SQLITE_READONLY_DIRECTORY": "数据文件夹为只读，无法保存修改。请检查写入权限。",
    "SQLITE_CANTOPEN": "无法打开数据库文件。请检查数据文件夹是否存在且可写。",
    "SQLITE_CORRUPT": "数据库文件已损坏。请用 “xianjie restore” 从备份恢复，并联系信息技术人员。",
    "SQLITE_NOTADB": "该文件不是衔接的数据库，或已损坏。请用 “xianjie restore” 从备份恢复。",
    "SQLITE_IOERR": "读写数据库时发生磁盘错误（可能磁盘已满或已损坏），本次修改未保存。",
    "SQLITE_BUSY": "数据库正被另一个程序占用，请稍后再试。",
    "SQLITE_LOCKED": "数据库正被另一个程序占用，请稍后再试。",
    "SQLITE_PERM": "没有访问数据库文件的权限。",
}


def describe_sqlite_error(error: sqlite3.Error) -> str | None:
    """The Chinese message for an environment failure, or None for a bug."""
    name = getattr(error, "sqlite_errorname", "") or ""
    for prefix, message in _BY_SQLITE_NAME.items():
        if name == prefix or name.startswith(prefix + "_"):
            return message
    text = str(error).lower()
    if "database or disk is full" in text:
        return _BY_SQLITE_NAME["SQLITE_FULL"]
    if "readonly" in text or "read-only" in text:
        return _BY_SQLITE_NAME["SQLITE_READONLY"]
    if "file is not a database" in text:
        return _BY_SQLITE_NAME["SQLITE_NOTADB"]
    if "malformed" in text:
        return _BY_SQLITE_NAME["SQLITE_CORRUPT"]
    if "disk i/o error" in text:
        return _BY_SQLITE_NAME["SQLITE_IOERR"]
    if "unable to open database" in text:
        return _BY_SQLITE_NAME["SQLITE_CANTOPEN"]
    if "database is locked" in text:
        return _BY_SQLITE_NAME["SQLITE_BUSY"]
    return None


def describe_os_error(error: OSError, path: Path | None = None) -> str:
    where = f"：{path}" if path else ""
    if error.errno == errno.ENOSPC:
        return f"磁盘空间已满{where}。本次修改未保存，之前保存的数据不受影响。"
    if error.errno == errno.EFBIG:
        return f"文件超过了系统允许的大小{where}。本次修改未保存。"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有写入权限{where}。请检查文件夹权限或联系信息技术人员。"
    return f"读写文件失败{where}：{error.strerror or error}"


@contextmanager
def storage_errors(path: Path | None = None) -> Iterator[None]:
    """Re-raise environment failures inside the block as :class:`StorageError`."""
    try:
        yield
    except StorageError:
        raise
    except sqlite3.Error as exc:
        message = describe_sqlite_error(exc)
        if message is None:
            raise
        raise StorageError(message, detail=str(path) if path else "") from exc
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path)) from exc
    except Exception as exc:
        original = _dbapi_original(exc)
        message = describe_sqlite_error(original) if original is not None else None
        if message is None:
            raise
        raise StorageError(message, detail=str(path) if path else "") from exc


def _dbapi_original(exc: Exception) -> sqlite3.Error | None:
    """The sqlite3 error inside an SQLAlchemy DBAPIError (without importing SQLAlchemy)."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.DBAPIError):
        return None
    original = exc.orig
    return original if isinstance(original, sqlite3.Error) else None
