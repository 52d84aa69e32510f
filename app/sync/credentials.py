"""Where the device token lives: the OS keyring when there is a usable one (``keyring`` is an
optional package), else a file in the data folder that only the user can read (0600)."""

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from app.errors import StorageError
from app.paths import DataPaths

log = logging.getLogger(__name__)

SERVICE = "xianjie-sync"
NO_KEYRING_ENV = "XIANJIE_NO_KEYRING"


def token_file(paths: DataPaths) -> Path:
    return paths.root / "sync-token"


def _keyring() -> Any:
    """The keyring module when a real backend is configured, else None."""
    if os.environ.get(NO_KEYRING_ENV):
        return None
    try:
        keyring = importlib.import_module("keyring")
        fail = importlib.import_module("keyring.backends.fail")
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: fall back to the file
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def save_token(paths: DataPaths, account: str, token: str) -> str:
    """Store the token; returns where ("keyring" or the file path)."""
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(SERVICE, account, token)
            token_file(paths).unlink(missing_ok=True)
            return "keyring"
        except Exception as exc:  # keyring refused (locked, no D-Bus): use the file
            log.warning("keyring unavailable, token kept in a private file: %s", exc)
    path = token_file(paths)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.chmod(partial, 0o600)
            fh.write(token)
            fh.flush()
            os.fsync(fh.fileno())
        partial.replace(path)
    except OSError as exc:
        raise StorageError(f"无法保存设备令牌到 {path}", detail=exc.strerror or str(exc)) from exc
    return str(path)


def load_token(paths: DataPaths, account: str) -> str | None:
    ring = _keyring()
    if ring is not None:
        try:
            value = ring.get_password(SERVICE, account)
            if value:
                return str(value)
        except Exception as exc:
            log.warning("keyring read failed: %s", exc)
    try:
        return token_file(paths).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"无法读取设备令牌 {token_file(paths)}", detail=str(exc)) from exc
