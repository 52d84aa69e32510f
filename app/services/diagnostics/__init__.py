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

One module per part of the zip: :mod:`.redaction` (the scrubber), :mod:`.bundle` (members,
sections, the result, the README and the zip write), :mod:`.versions`, :mod:`.site_config`,
:mod:`.locations` (the paths in use), :mod:`.database`, :mod:`.selftest`,
:mod:`.environment`, :mod:`.fonts` and :mod:`.logs`; :func:`collect_diagnostics` here puts
them together.
"""

import logging
import os
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from app import __version__
from app.paths import DataPaths
from app.site_config import SiteConfig

from .bundle import (
    DiagnosticsResult,
    Section,
    SectionProblem,
    _Bundle,
    _readme,
    _target,
    _write_zip,
)
from .database import _database_section, database_report
from .environment import DESKTOP_ENV, IM_ENV, PROXY_ENV, QT_ENV_PREFIXES, _env
from .fonts import FONT_LINES_CAP, fonts_found
from .locations import _paths
from .logs import CRASH_LOGS_CAP, LOG_FILE_CAP, LOG_TOTAL_CAP, _logs_section
from .redaction import (
    REDACTED,
    Scrubber,
    _device_token,
    _secret_values,
    is_secret_key,
    redact_tree,
    url_credentials,
)
from .selftest import SELFTEST_TIMEOUT, _program, _selftest_section
from .site_config import _raw_site_secrets, _read_raw_site, _site_section
from .versions import _pyside_version_from_files, _qt_version_from_library, versions

__all__ = [
    "CRASH_LOGS_CAP",
    "DESKTOP_ENV",
    "FONT_LINES_CAP",
    "IM_ENV",
    "LOG_FILE_CAP",
    "LOG_TOTAL_CAP",
    "PROXY_ENV",
    "QT_ENV_PREFIXES",
    "REDACTED",
    "SELFTEST_TIMEOUT",
    "DiagnosticsResult",
    "Scrubber",
    "Section",
    "SectionProblem",
    "_program",
    "_pyside_version_from_files",
    "_qt_version_from_library",
    "collect_diagnostics",
    "database_report",
    "fonts_found",
    "is_secret_key",
    "redact_tree",
    "url_credentials",
    "versions",
]

log = logging.getLogger(__name__)


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
            bundle,
            paths,
            site_path,
            site,
            site_problem,
            gui_probe,
            child=child_selftest,
            program=_program,  # looked up here, so a test can replace it on the package
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
