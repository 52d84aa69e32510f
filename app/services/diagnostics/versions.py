"""``versions.json``: app, Python, SQLite, PySide6/Qt, OS and packaging (Qt is not loaded)."""

import importlib.metadata
import importlib.util
import json
import platform
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

from app import __version__


def _dist_version(*names: str) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _pyside_dirs() -> list[Path]:
    """PySide6's package folders, found without importing it (also in the frozen bundle)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def _pyside_version_from_files() -> str | None:
    """PySide6's version from its ``_config`` module without importing PySide6: found by
    path (no parent package import), read as source or, in a bundle, from the archive."""
    import importlib.machinery

    folders = [str(p) for p in _pyside_dirs()]
    if not folders:
        return None
    try:
        spec = importlib.machinery.PathFinder.find_spec("PySide6._config", folders)
        get_code = getattr(spec.loader, "get_code", None) if spec else None
        code = get_code(spec.name) if spec and get_code else None
        namespace: dict[str, Any] = {}
        if code is not None:
            exec(code, namespace)  # assignments only: version strings and a module list
    except Exception:  # an unexpected layout: the version stays unknown
        return None
    version = namespace.get("version")
    return str(version) if version else None


_QT_BUILD = re.compile(rb"Qt (6\.\d+\.\d+) \(")


def _qt_version_from_library() -> str | None:
    """Qt's version from the build string inside its core library (no Qt is loaded)."""
    for folder in _pyside_dirs():
        for candidate in (
            folder / "Qt" / "lib" / "libQt6Core.so.6",
            folder / "Qt6Core.dll",
            folder / "Qt" / "bin" / "Qt6Core.dll",
        ):
            try:
                match = _QT_BUILD.search(candidate.read_bytes())
            except OSError:
                continue
            if match:
                return match.group(1).decode("ascii")
    return None


def _module_version(name: str) -> str | None:
    """A package's ``__version__`` (imports it: for packages the app loads anyway)."""
    try:
        return str(getattr(importlib.import_module(name), "__version__", "")) or None
    except Exception:
        return None


def versions() -> dict[str, Any]:
    """App, Python, SQLite, PySide6/Qt, OS and how the app is packaged (no Qt import)."""
    pyside = _dist_version("PySide6-Essentials", "PySide6") or _pyside_version_from_files()
    qt = _qt_version_from_library()
    # PySide6's wheels carry the Qt of their own version, so one stands in for the other.
    inferred = pyside is None and qt is not None
    pyside, qt = pyside or qt, qt or pyside
    frozen = bool(getattr(sys, "frozen", False))
    libc, libc_version = platform.libc_ver()
    info: dict[str, Any] = {
        "app": __version__,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "sqlite": sqlite3.sqlite_version,
        "pyside6": pyside,
        "pyside6_inferred_from_qt": inferred,
        "qt": qt,
        "shiboken6": _dist_version("shiboken6"),
        "sqlalchemy": _dist_version("SQLAlchemy") or _module_version("sqlalchemy"),
        "alembic": _dist_version("alembic") or _module_version("alembic"),
        "os": {
            "platform": platform.platform(),
            "system": platform.system(),
            "release": platform.release(),
            "version": platform.version(),
            "machine": platform.machine(),
            "libc": f"{libc} {libc_version}".strip() or None,
        },
        "frozen": frozen,
    }
    if sys.platform == "win32":
        release, version, csd, ptype = platform.win32_ver()
        info["os"]["windows"] = {
            "release": release,
            "version": version,
            "service_pack": csd,
            "type": ptype,
            "edition": platform.win32_edition(),
        }
    elif sys.platform.startswith("linux"):
        try:
            info["os"]["os_release"] = platform.freedesktop_os_release()
        except OSError:
            info["os"]["os_release"] = None
    if frozen:
        bundle_dir = getattr(sys, "_MEIPASS", None)
        info["bundle_dir"] = bundle_dir
        info["pyinstaller"] = _dist_version("pyinstaller") or _build_info_value(
            bundle_dir, "pyinstaller"
        )
    return info


def _build_info_value(bundle_dir: str | None, key: str) -> str | None:
    """A value from a build-info JSON the bundle may carry (if the spec writes one)."""
    if not bundle_dir:
        return None
    for candidate in sorted(Path(bundle_dir).glob("*build*.json")):
        try:
            data = json.loads(candidate.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get(key):
            return str(data[key])
    return "未记录（打包时未写入版本信息）"
