"""``xianjie diagnostics --out FILE.zip``: one zip that IT staff can mail or carry away.

The zip holds what is needed to understand a desk without remoting in
(research/deploy_anchors.md §5): versions, the effective site config with secrets removed,
the paths in use, the log files, the selftest report, a read-only database integrity check
with row counts, the input-method and Qt environment, and the Chinese fonts found.

Rules:

* **No personal data.** The database section holds counts, sizes and the schema revision
  only: no case contents, no party names. Log files are included as they are (they name
  actions and ids, which is what IT needs).
* **No secrets.** Every text member passes through one scrubber: values of keys that look
  like secrets (token, password, secret, key ...), ``user:password@`` in URLs, ``Bearer``
  headers, and the exact secret values found in the site config, the proxy settings and the
  device-token file are replaced by ``***``. The keyring is never queried.
* **Never gives up.** Each section is collected on its own; a section that fails (corrupt
  or missing database, read-only data folder, unreadable logs) is recorded with its reason
  in ``summary.json`` and the zip is still written. Only when the zip itself cannot be
  written does :func:`collect_diagnostics` raise :class:`StorageError`.
* **Read-only on the database** for its own check (``mode=ro``, else ``immutable=1`` on a
  read-only folder). The selftest it runs is the ``selftest`` command itself, started as a
  child process of the same program (so Qt's offscreen start is checked and a Qt crash is
  recorded, not fatal); it opens the store the usual way (creating it when missing,
  migrating after a backup when old).
"""

import glob
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import StorageError, UserError
from app.paths import DataPaths
from app.site_config import SiteConfig

log = logging.getLogger(__name__)

LOG_FILE_CAP = 2_000_000  # bytes kept from each log file (its tail)
LOG_TOTAL_CAP = 12_000_000  # bytes of logs in the whole zip
CRASH_LOGS_CAP = 10  # newest crash reports (logs/crash-*.log, app/ui/crash.py)
FONT_LINES_CAP = 400
_TOOL_TIMEOUT = 15
_SQLITE_HEADER = b"SQLite format 3\x00"
REDACTED = "***"

IM_ENV = ("QT_IM_MODULE", "QT_IM_MODULES", "XMODIFIERS", "GTK_IM_MODULE", "SDL_IM_MODULE")
QT_ENV_PREFIXES = ("QT_",)
DESKTOP_ENV = (
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP",
    "DESKTOP_SESSION",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
)
PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
_WINDOWS_FONT_GLOBS = ("msyh*.tt?", "simsun*.tt?", "simhei*.tt?", "simkai*.tt?", "*CJK*")

_SECRET_KEY = re.compile(
    r"token|passw|pwd|secret|(?<![a-z])key(?![a-z])|api_?key|private|credential|auth|cookie",
    re.IGNORECASE,
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@'\"]+@")
_ASSIGNED_SECRET = re.compile(
    r"(?i)\b([\w.\-]*(?:token|passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?key)[\w.\-]*)"
    r"(\"?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&'\"]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|token|basic)(\s+)[A-Za-z0-9._~+/=\-]{8,}")


# --------------------------------------------------------------------------- redaction


class Scrubber:
    """Removes secrets from text: known secret values first, then secret-looking patterns."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: set[str] = set()
        for value in secrets:
            self.add(value)

    def add(self, value: str | None) -> None:
        if value and len(value.strip()) >= 3:
            self.secrets.add(value.strip())

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
        text = _ASSIGNED_SECRET.sub(_keep_quotes, text)
        return _BEARER.sub(rf"\1\2{REDACTED}", text)


def _keep_quotes(match: "re.Match[str]") -> str:
    """``key = "value"`` -> ``key = "***"`` (quotes kept, so JSON and TOML stay valid)."""
    value = match.group(3)
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group(1)}{match.group(2)}{quote}{REDACTED}{quote}"


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def url_credentials(url: str) -> list[str]:
    """The user and password parts of ``scheme://user:password@host`` (may be empty)."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [p for p in (parts.username, parts.password) if p]
    return found + [unquote(p) for p in found if unquote(p) != p]


def redact_tree(value: Any, scrub: Scrubber, *, key: str = "") -> Any:
    """A copy of a parsed config: whatever sits under a secret-looking key is ``***``
    (a whole table too), and every other text is scrubbed."""
    if key and is_secret_key(key):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact_tree(v, scrub, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_tree(v, scrub) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value


def _secret_values(value: Any, *, secret: bool = False) -> list[str]:
    """Every value under a secret-looking key, and every URL credential, in a parsed config."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(_secret_values(v, secret=secret or is_secret_key(str(k))))
    elif isinstance(value, list):
        for v in value:
            found.extend(_secret_values(v, secret=secret))
    elif isinstance(value, str | int | float):
        text = str(value)
        if secret:
            found.append(text)
        if "://" in text:
            found.extend(url_credentials(text))
    return found


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Section:
    """One part of the zip: its member names, and the reason when it failed."""

    name: str
    title: str  # Chinese
    ok: bool
    members: list[str] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class DiagnosticsResult:
    path: Path
    size: int
    sha256: str
    created_at: str
    sections: list[Section]

    @property
    def problems(self) -> list[Section]:
        return [s for s in self.sections if not s.ok]

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "created_at": self.created_at,
            "complete": not self.problems,
            "sections": [asdict(s) for s in self.sections],
        }


# --------------------------------------------------------------------------- the collector


class SectionProblem(Exception):
    """A section that was collected but found a problem (a damaged database, a failed
    selftest): its members are kept and the problem is reported."""

    def __init__(self, message: str, members: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.members = members


class _Bundle:
    """The members collected so far (text, already scrubbed) and what each section did."""

    def __init__(self, scrub: Scrubber) -> None:
        self.scrub = scrub
        self.members: dict[str, bytes] = {}
        self.sections: list[Section] = []

    def text(self, name: str, text: str) -> str:
        self.members[name] = self.scrub(text).encode("utf-8")
        return name

    def json(self, name: str, data: Any) -> str:
        return self.text(name, json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def section(self, name: str, title: str, collect: Callable[[], list[str]]) -> None:
        try:
            members = collect()
        except SectionProblem as problem:
            error = self.scrub(problem.message)
            self.sections.append(Section(name, title, False, problem.members, error))
        except Exception as exc:  # a section reports its failure; the zip is still written
            reason = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            error = self.scrub(reason)
            member = self.text(f"errors/{name}.txt", f"{title}：收集失败：{error}\n")
            self.sections.append(Section(name, title, False, [member], error))
        else:
            self.sections.append(Section(name, title, True, members))


def collect_diagnostics(
    paths: DataPaths,
    *,
    site_path: Path,
    site: SiteConfig,
    site_problem: str | None,
    out: Path,
    gui_probe: Callable[[], str] | None = None,
    child_selftest: bool = True,
) -> DiagnosticsResult:
    """Collect everything into the zip at ``out`` (a file name, or an existing folder).

    ``child_selftest``: run the selftest as a child process of this program (with the Qt
    check); otherwise, or when the child gives no report, in this process with ``gui_probe``.

    Raises :class:`StorageError` with a Chinese message only when the zip cannot be written.
    """
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    target = _target(out.expanduser())
    log.info("collecting diagnostics into %s", target)
    scrub = Scrubber()
    raw_site = _read_raw_site(site_path)
    for value in _secret_values(raw_site.get("parsed") or {}):
        scrub.add(value)
    for value in _raw_site_secrets(raw_site.get("text") or ""):
        scrub.add(value)
    if site.proxy:
        for value in url_credentials(site.proxy):
            scrub.add(value)
    for name in PROXY_ENV:
        for variant in (name, name.lower()):
            for value in url_credentials(os.environ.get(variant, "")):
                scrub.add(value)
    scrub.add(_device_token(paths))

    bundle = _Bundle(scrub)
    bundle.section("versions", "版本", lambda: [bundle.json("versions.json", versions())])
    bundle.section(
        "site_config",
        "站点配置（已去除密钥）",
        lambda: _site_section(bundle, site_path, site, site_problem, raw_site),
    )
    bundle.section(
        "paths", "使用的路径", lambda: [bundle.json("paths.json", _paths(paths, site_path))]
    )
    bundle.section(
        "database", "数据库完整性与计数（只读）", lambda: _database_section(bundle, paths)
    )
    bundle.section(
        "selftest",
        "自检",
        lambda: _selftest_section(
            bundle, paths, site_path, site, site_problem, gui_probe, child=child_selftest
        ),
    )
    bundle.section(
        "environment", "输入法与 Qt 环境", lambda: [bundle.json("environment.json", _env())]
    )
    bundle.section("fonts", "中文字体", lambda: [bundle.text("fonts.txt", fonts_found())])
    bundle.section("logs", "日志文件", lambda: _logs_section(bundle, paths))

    readme = _readme(created_at, bundle.sections)
    bundle.text("README.txt", readme)
    summary = {
        "format": "xianjie-diagnostics",
        "format_version": 1,
        "app_version": __version__,
        "created_at": created_at,
        "complete": all(s.ok for s in bundle.sections),
        "sections": [asdict(s) for s in bundle.sections],
    }
    bundle.json("summary.json", summary)
    size, digest = _write_zip(target, bundle.members)
    return DiagnosticsResult(target, size, digest, created_at, bundle.sections)


def _target(out: Path) -> Path:
    if out.is_dir():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return (out / f"xianjie-diagnostics-{stamp}.zip").absolute()
    return out.absolute()


def _write_zip(target: Path, members: dict[str, bytes]) -> tuple[int, str]:
    """Write the zip atomically; :class:`StorageError` (Chinese) when it cannot be written."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(members):
                zf.writestr(name, members[name])
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        partial.replace(target)
    except OSError as exc:
        _remove_quietly(partial)
        reason = exc.strerror or str(exc)
        raise StorageError(
            f"无法写入诊断包 {target}：{reason}。请换一个可写的位置，例如 --out 桌面上的文件。"
        ) from exc
    data = target.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def _remove_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- versions


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


# --------------------------------------------------------------------------- site config


def _read_raw_site(site_path: Path) -> dict[str, Any]:
    """The site file as text and, if it parses, as a table (for redaction and display)."""
    result: dict[str, Any] = {"path": str(site_path), "exists": False}
    try:
        raw = site_path.read_bytes()
    except FileNotFoundError:
        return result
    except OSError as exc:
        result["error"] = exc.strerror or str(exc)
        return result
    result["exists"] = True
    text = raw.decode("utf-8", errors="replace")
    result["text"] = text
    import tomllib

    try:
        result["parsed"] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result["parse_error"] = str(exc)
    return result


_RAW_ASSIGNMENT = re.compile(r"""^\s*["']?([\w.\-]+)["']?\s*=\s*["']?([^"'#\n]*)""", re.M)


def _raw_site_secrets(text: str) -> list[str]:
    """Secret values from a site file that does not parse (line by line, best effort)."""
    found: list[str] = []
    for key, value in _RAW_ASSIGNMENT.findall(text):
        value = value.strip()
        if is_secret_key(key):
            found.append(value)
        if "://" in value:
            found.extend(url_credentials(value))
    return found


def _site_section(
    bundle: _Bundle,
    site_path: Path,
    site: SiteConfig,
    site_problem: str | None,
    raw: dict[str, Any],
) -> list[str]:
    scrub = bundle.scrub
    effective = {
        "platform_url": scrub(site.platform_url) if site.platform_url else None,
        "ca_bundle": str(site.ca_bundle) if site.ca_bundle else None,
        "proxy": scrub(site.proxy) if site.proxy else None,
        "unit_code": site.unit_code,
        "unit_name": site.unit_name,
        "language": site.language,
        "source": str(site.source) if site.source else None,
    }
    report: dict[str, Any] = {
        "path": str(site_path),
        "exists": raw.get("exists", False),
        "problem": site_problem,
        "effective": effective,
        "note": "密钥、令牌、密码和代理地址中的用户名与密码已替换为 ***",
    }
    if "error" in raw:
        report["read_error"] = raw["error"]
    if "parsed" in raw:
        report["file"] = redact_tree(raw["parsed"], scrub)
    elif "parse_error" in raw:
        report["parse_error"] = raw["parse_error"]
    if site.ca_bundle is not None:
        report["ca_bundle"] = _ca_summary(site.ca_bundle)
    members = [bundle.json("site-config.json", report)]
    if raw.get("exists") and "parsed" not in raw:
        # An unparseable file is shown line by line, each line scrubbed.
        members.append(bundle.text("site.toml.redacted.txt", _redact_lines(raw.get("text", ""))))
    return members


def _redact_lines(text: str) -> str:
    lines = []
    for line in text.splitlines():
        match = _RAW_ASSIGNMENT.match(line)
        if match and is_secret_key(match.group(1)):
            lines.append(f"{match.group(1)} = {REDACTED}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def _ca_summary(ca: Path) -> dict[str, Any]:
    try:
        data = ca.read_bytes()
    except OSError as exc:
        return {"path": str(ca), "readable": False, "error": exc.strerror or str(exc)}
    return {
        "path": str(ca),
        "readable": True,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "certificates": data.count(b"-----BEGIN CERTIFICATE-----"),
    }


# --------------------------------------------------------------------------- paths


def _paths(paths: DataPaths, site_path: Path) -> dict[str, Any]:
    def describe(path: Path) -> dict[str, Any]:
        try:
            exists = path.exists()
            writable = os.access(path, os.W_OK) if exists else None
        except OSError as exc:
            return {"path": str(path), "error": exc.strerror or str(exc)}
        return {"path": str(path), "exists": exists, "writable": writable}

    return {
        "data_folder": describe(paths.root),
        "database": describe(paths.database),
        "attachments": describe(paths.attachments),
        "backups": describe(paths.backups),
        "logs": describe(paths.logs),
        "site_config": describe(site_path),
        "program": sys.executable,
        "program_folder": str(Path(sys.executable).resolve().parent),
        "working_folder": os.getcwd(),
        "environment": {k: v for k, v in os.environ.items() if k.startswith("XIANJIE_")},
    }


# --------------------------------------------------------------------------- database


def _open_read_only(db_file: Path) -> tuple[sqlite3.Connection, str]:
    """A read-only connection; ``immutable=1`` when the folder cannot hold the WAL index."""
    base = db_file.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{base}?mode=ro", uri=True, timeout=10)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, "mode=ro"
    except sqlite3.Error:
        conn = sqlite3.connect(f"{base}?immutable=1", uri=True, timeout=10)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, "immutable=1（文件夹只读，按只读快照读取）"


def database_report(paths: DataPaths) -> dict[str, Any]:
    """Integrity, schema revision, sizes and row counts, read without writing.

    Never raises for a bad database: the problem goes into the report (``ok`` false).
    """
    from app.store.db import head_revision

    db = paths.database
    report: dict[str, Any] = {"path": str(db), "head_revision": head_revision()}
    sizes: dict[str, int | None] = {}
    for suffix in ("", "-wal", "-shm"):
        f = db.with_name(db.name + suffix)
        try:
            sizes[f.name] = f.stat().st_size
        except OSError:
            sizes[f.name] = None
    report["file_sizes"] = sizes
    report["attachments"] = _attachment_totals(paths.attachments)
    if sizes[db.name] is None:
        report.update(
            ok=False, exists=False, problem="数据库文件不存在（尚未使用，或数据文件夹不对）"
        )
        return report
    report["exists"] = True
    try:
        with db.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        report.update(ok=False, problem=f"无法读取数据库文件：{exc.strerror or exc}")
        return report
    if header != _SQLITE_HEADER:
        report.update(
            ok=False,
            problem="文件头不是 SQLite 数据库（已损坏，或不是衔接的数据库）",
            header_hex=header.hex(),
        )
        return report
    with _no_leftover_wal(db):
        try:
            conn, how = _open_read_only(db)
        except sqlite3.Error as exc:
            report.update(ok=False, problem=f"数据库无法以只读方式打开：{exc}")
            return report
        report["opened_as"] = how
        with closing(conn):
            problems = _read_checks(conn, report)
    report["ok"] = not problems
    if problems:
        report["problem"] = "；".join(problems)
    return report


def _read_checks(conn: sqlite3.Connection, report: dict[str, Any]) -> list[str]:
    """Integrity check, a few pragmas, the schema revision and row counts into ``report``."""
    from app.store.db import is_known_schema

    problems: list[str] = []
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.Error as exc:
        rows = [f"无法执行完整性检查：{exc}"]
    report["integrity_check"] = rows
    if rows != ["ok"]:
        lines = [line.strip() for row in rows for line in row.splitlines() if line.strip()]
        problems.append("完整性检查未通过：" + "；".join(lines[:4]))
    for pragma in ("page_size", "page_count", "freelist_count", "journal_mode", "user_version"):
        try:
            report[pragma] = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        except sqlite3.Error as exc:
            report[pragma] = f"错误：{exc}"
    try:
        revisions = sorted(
            str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")
        )
    except sqlite3.Error as exc:
        report["schema_revision"] = None
        problems.append(f"无法读取架构版本：{exc}")
    else:
        signature = "+".join(revisions) or None
        report["schema_revision"] = signature
        report["schema_known"] = signature is not None and is_known_schema(signature)
        report["schema_at_head"] = signature == report["head_revision"]
        if signature is not None and not report["schema_known"]:
            problems.append(f"数据库由更新版本的衔接创建（架构版本 {signature}）")
    report["row_counts"] = _row_counts(conn)
    return problems


@contextmanager
def _no_leftover_wal(db: Path) -> Iterator[None]:
    """A read-only reader of a WAL database creates ``-wal``/``-shm`` files and cannot remove
    them; remove them afterwards when they were not there before and the WAL stayed empty
    (then no other program had the database open)."""
    extras = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
    existed = [p.exists() for p in extras]
    try:
        yield
    finally:
        wal, shm = extras
        if not any(existed):
            with suppress(OSError):
                if wal.exists() and wal.stat().st_size == 0:
                    wal.unlink()
                    shm.unlink(missing_ok=True)


def _database_section(bundle: _Bundle, paths: DataPaths) -> list[str]:
    report = database_report(paths)
    members = [bundle.json("database.json", report)]
    if not report.get("ok"):
        raise SectionProblem(str(report.get("problem") or "数据库检查未通过"), members)
    return members


def _row_counts(conn: sqlite3.Connection) -> dict[str, int | str]:
    """Rows per table (counts only; no row is read)."""
    try:
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
    except sqlite3.Error as exc:
        return {"*": f"错误：{exc}"}
    counts: dict[str, int | str] = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            counts[table] = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
        except sqlite3.Error as exc:
            counts[table] = f"错误：{exc}"
    return counts


def _attachment_totals(folder: Path) -> dict[str, Any]:
    count = size = 0
    try:
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                count += 1
                size += path.stat().st_size
    except OSError as exc:
        return {"folder": str(folder), "error": exc.strerror or str(exc)}
    return {"folder": str(folder), "files": count, "bytes": size}


# --------------------------------------------------------------------------- selftest


def _selftest_section(
    bundle: _Bundle,
    paths: DataPaths,
    site_path: Path,
    site: SiteConfig,
    site_problem: str | None,
    gui_probe: Callable[[], str] | None,
    *,
    child: bool,
) -> list[str]:
    """The report of ``xianjie selftest --json``: run as a child process of this same program
    (so Qt's offscreen start is checked too, and a Qt crash cannot take the diagnostics with
    it), else in this process without the Qt check. Also as text."""
    members: list[str] = []
    data: dict[str, Any] | None = None
    child_failed = ""
    if child:
        data, note, child_failed = _selftest_in_child(paths, site_path)
        if note:
            members.append(bundle.text("selftest-process.txt", note))
    if data is None:
        from app.services.selftest import run_selftest

        report = run_selftest(paths, site, site_problem=site_problem, gui_probe=gui_probe)
        data = {"ok": report.ok, "checks": [asdict(c) for c in report.checks]}
    checks = [c for c in data.get("checks", []) if isinstance(c, dict)]
    lines = []
    for check in checks:
        mark = "通过" if check.get("ok") else ("警告" if not check.get("required") else "失败")
        lines.append(f"[{mark}] {check.get('title')}：{check.get('detail')}")
    lines.append("自检通过" if data.get("ok") else "自检未通过")
    members[:0] = [
        bundle.json("selftest.json", data),
        bundle.text("selftest.txt", "\n".join(lines) + "\n"),
    ]
    failed = [str(c.get("title")) for c in checks if c.get("required") and not c.get("ok")]
    problems = [child_failed] if child_failed else []
    if failed or not data.get("ok"):
        problems.append("自检未通过：" + "、".join(failed))
    if problems:
        raise SectionProblem("；".join(problems), members)
    return members


SELFTEST_TIMEOUT = 180
_TELLING = re.compile(r"(?i)fail|could not|cannot|error|abort")


def _program() -> list[str] | None:
    """How to start this program again: the frozen executable, or Python with ``main.py``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    spec = importlib.util.find_spec("main")
    if spec is None or not spec.origin:
        return None
    return [sys.executable, spec.origin]


def _decode(data: bytes) -> str:
    """A child's output: UTF-8, else the locale's encoding (a frozen app on Windows)."""
    import locale

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(locale.getpreferredencoding(False), errors="replace")


def _selftest_in_child(paths: DataPaths, site_path: Path) -> tuple[dict[str, Any] | None, str, str]:
    """``selftest --json`` in a child process: (its report or None, a note for the zip, and
    a one-line problem when the child ended without a report, e.g. Qt aborted)."""
    program = _program()
    if program is None:
        return None, "找不到程序入口，自检改为在本进程内运行（不含 Qt 检查）。\n", ""
    command = [
        *program,
        "--data-dir",
        str(paths.root),
        "--site-config",
        str(site_path),
        "selftest",
        "--json",
    ]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "XIANJIE_NO_CRASH_DIALOG": "1"}
    fallback = "改为在本进程内运行（不含 Qt 检查）"
    try:
        done = subprocess.run(
            command, capture_output=True, env=env, timeout=SELFTEST_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        problem = f"自检子进程超过 {SELFTEST_TIMEOUT} 秒未结束（可能卡在 Qt 启动）"
        return None, f"{problem}，{fallback}。\n", problem
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"自检子进程无法运行（{exc}），{fallback}。\n", ""
    stderr = _decode(done.stderr)[-20_000:]
    try:
        data = json.loads(_decode(done.stdout))
    except ValueError:
        data = None
    if not isinstance(data, dict) or "checks" not in data:
        lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
        telling = [ln for ln in lines if _TELLING.search(ln)]  # Qt's "failed to start ..."
        last = (telling or lines or [""])[-1]
        problem = f"自检子进程异常结束（退出码 {done.returncode}）" + (f"：{last}" if last else "")
        note = f"{problem}，{fallback}。\n它的错误输出：\n{stderr}\n"
        return None, note, problem[:300]
    note = f"自检子进程退出码 {done.returncode}。\n"
    if stderr.strip():
        note += f"错误输出：\n{stderr}\n"
    return data, note, ""


# --------------------------------------------------------------------------- environment


def _env() -> dict[str, Any]:
    env = os.environ
    qt = {k: v for k, v in sorted(env.items()) if k.startswith(QT_ENV_PREFIXES)}
    proxies = {k: v for k, v in sorted(env.items()) if k.upper() in PROXY_ENV}  # scrubbed on write
    return {
        "input_method": {k: env.get(k) for k in IM_ENV},
        "qt": qt,
        "desktop": {k: env.get(k) for k in DESKTOP_ENV},
        "proxy": proxies,
        "input_method_programs": {
            name: shutil.which(name) for name in ("fcitx5", "fcitx", "ibus-daemon")
        },
        "qt_plugins": _qt_plugins(),
    }


def _qt_plugins() -> dict[str, list[str]]:
    """The platform and input-context plugins PySide6 carries (found without importing it)."""
    spec = importlib.util.find_spec("PySide6")
    roots: list[Path] = []
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            roots += [Path(location) / "Qt" / "plugins", Path(location) / "plugins"]
    found: dict[str, list[str]] = {}
    for root in roots:
        for kind in ("platforms", "platforminputcontexts", "platformthemes"):
            folder = root / kind
            if folder.is_dir():
                found.setdefault(kind, []).extend(sorted(p.name for p in folder.iterdir()))
    return found


def fonts_found() -> str:
    """Chinese font families (fc-list) or font files (Windows), one per line."""
    lines: list[str] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            done = subprocess.run(
                [fc_list, ":lang=zh", "family", "file"],
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=_TOOL_TIMEOUT,
                check=False,
            )
            lines = sorted({line.strip() for line in done.stdout.splitlines() if line.strip()})
        except (OSError, subprocess.SubprocessError) as exc:
            lines = [f"fc-list 运行失败：{exc}"]
    if sys.platform == "win32":
        fonts = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        for pattern in _WINDOWS_FONT_GLOBS:
            lines += sorted(glob.glob(str(fonts / pattern)))
    if not lines:
        return "未找到中文字体。Debian/统信/麒麟请安装 fonts-noto-cjk。\n"
    shown = lines[:FONT_LINES_CAP]
    more = f"\n……另有 {len(lines) - len(shown)} 行未列出" if len(lines) > len(shown) else ""
    return f"找到 {len(lines)} 项：\n" + "\n".join(shown) + more + "\n"


# --------------------------------------------------------------------------- logs


def _logs_section(bundle: _Bundle, paths: DataPaths) -> list[str]:
    """``xianjie.log`` and its rotated copies, newest first, then the newest crash reports;
    each file capped to its tail, all of them to :data:`LOG_TOTAL_CAP`."""
    folder = paths.logs
    if not folder.is_dir():
        return [bundle.text("logs/README.txt", f"日志文件夹 {folder} 不存在（尚无日志）。\n")]
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.name.startswith("xianjie.log")),
        key=_log_order,
    )
    crashes = sorted(
        (p for p in folder.glob("crash-*.log") if p.is_file()), key=lambda p: p.name, reverse=True
    )
    files += crashes[:CRASH_LOGS_CAP]  # the crash handler's reports, newest first
    members: list[str] = []
    budget = LOG_TOTAL_CAP
    skipped: list[str] = []
    for path in files:
        if budget <= 0:
            skipped.append(path.name)
            continue
        cap = min(LOG_FILE_CAP, budget)
        data, size = _tail(path, cap)
        budget -= len(data)
        text = data.decode("utf-8", errors="replace")
        if size > len(data):
            text = f"[只保留了最后 {len(data)} 字节，原文件 {size} 字节]\n" + text
        members.append(bundle.text(f"logs/{path.name}", text))
    if skipped:
        note = "超出大小上限未收入：" + "、".join(skipped) + "\n"
        members.append(bundle.text("logs/README.txt", note))
    if not members:
        members.append(bundle.text("logs/README.txt", f"日志文件夹 {folder} 中没有日志文件。\n"))
    return members


def _log_order(path: Path) -> tuple[int, str]:
    suffix = path.name[len("xianjie.log") :].lstrip(".")
    return (int(suffix), path.name) if suffix.isdigit() else (0, path.name)


def _tail(path: Path, cap: int) -> tuple[bytes, int]:
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - cap))
        return fh.read(cap), size


# --------------------------------------------------------------------------- token, readme


def _device_token(paths: DataPaths) -> str | None:
    """The device token from its file, only to scrub it (the keyring is never asked)."""
    from app.sync.credentials import token_file

    try:
        return token_file(paths).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _readme(created_at: str, sections: list[Section]) -> str:
    lines = [
        f"衔接 {__version__} 诊断包（{created_at}，UTC）",
        "",
        "内容：版本、站点配置（已去除密钥和密码）、使用的路径、数据库完整性与计数（不含案件内容）、",
        "自检结果、输入法与 Qt 环境、中文字体、日志文件。summary.json 记录每一项是否收集成功。",
        "",
    ]
    for s in sections:
        state = "已收集" if s.ok else f"未能收集：{s.error}"
        lines.append(f"- {s.title}：{state}（{'、'.join(s.members)}）")
    return "\n".join(lines) + "\n"
