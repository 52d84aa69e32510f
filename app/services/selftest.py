"""``xianjie selftest``: a headless check of an install, for IT staff and for CI.

Each check reports a Chinese title, whether it passed, and a Chinese detail. Required checks
decide the result (the app cannot work without them); the others are warnings (a missing
Chinese font) or information about parts later versions use (OCR, the scanner stack). A check
that itself crashes is reported as failed with the reason, never as a traceback.

The Qt check is handed in as ``gui_probe`` by ``main.py`` (the only place outside ``app/ui``
that may import Qt), so this module stays importable without Qt.
"""

import functools
import glob
import importlib.util
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import select, text

from app import __version__
from app.errors import UserError
from app.paths import DataPaths
from app.site_config import SiteConfig
from app.store.attachments import AttachmentStore
from app.store.audit import verify_chain
from app.store.db import Store, head_revision, known_revisions, open_store, schema_of
from app.store.errors import describe_os_error
from app.store.models import Attachment

MIN_PYTHON = (3, 11)
LOW_DISK_BYTES = 200 * 1024 * 1024
APPEND_ONLY_TRIGGERS = (
    "audit_log_no_update",
    "audit_log_no_delete",
    "events_no_update",
    "events_no_delete",
)
_FONT_GLOBS = (
    "/usr/share/fonts/**/*CJK*",
    "/usr/share/fonts/**/wqy*",
    "/usr/share/fonts/**/*[Ss]ource[Hh]an*",
    "C:/Windows/Fonts/msyh*.tt?",
    "C:/Windows/Fonts/simsun.tt?",
    "C:/Windows/Fonts/simhei.ttf",
)
_TOOL_TIMEOUT = 15
QM_MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")
"""The first bytes of every compiled Qt translation (.qm)."""
LANGUAGE = "zh_CN"


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    title: str  # Chinese, e.g. "数据库完整性"
    ok: bool
    detail: str  # Chinese, what was found or what to do
    required: bool = True  # False: a warning or information, does not fail the selftest
    key: str = ""  # stable machine name, e.g. "database.integrity"


@dataclass(frozen=True)
class SelftestReport:
    ok: bool
    checks: list[Check] = field(default_factory=list)


def run_selftest(
    paths: DataPaths,
    site: SiteConfig,
    *,
    site_problem: str | None,
    gui_probe: Callable[[], str] | None,
) -> SelftestReport:
    """Run every check and return the report; never raises for a failing check."""
    checks: list[Check] = []

    def guarded(key: str, title: str, required: bool, fn: Callable[[], Check]) -> None:
        try:
            checks.append(fn())
        except Exception as exc:  # a check must report, not crash the selftest
            reason = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            checks.append(Check(title, False, f"检查时出错：{reason}", required, key))

    guarded("runtime", "运行环境", True, _check_runtime)
    guarded("site_config", "站点配置", True, lambda: _check_site(site, site_problem))
    guarded("data_folder", "数据文件夹可写", True, lambda: _check_data_folder(paths))
    guarded("disk_space", "磁盘剩余空间", False, lambda: _check_disk_space(paths))

    store: Store | None = None
    try:
        store = open_store(paths)
        migrated = (
            f"，已从架构版本 {store.migrated_from} 升级（升级前备份：{store.backup_path}）"
            if store.migrated_from and store.backup_path
            else ""
        )
        checks.append(
            Check("数据库打开与迁移", True, f"{paths.database}{migrated}", True, "database.open")
        )
    except Exception as exc:
        reason = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        checks.append(Check("数据库打开与迁移", False, reason, True, "database.open"))
    try:
        db_checks: list[tuple[str, str, bool, Callable[[Store], Check]]] = [
            ("database.integrity", "数据库完整性", True, _check_integrity),
            ("database.schema", "数据库架构版本", True, _check_schema),
            ("audit.chain", "审计日志防篡改", True, _check_audit),
            ("attachments", "附件存储完整性", True, _check_attachments),
        ]
        for key, title, required, fn in db_checks:
            if store is None:
                checks.append(Check(title, False, "未检查：数据库未能打开", required, key))
            else:
                guarded(key, title, required, functools.partial(fn, store))
    finally:
        if store is not None:
            store.close()

    guarded("fts5", "全文检索（FTS5 三元分词）", True, _check_fts5)
    guarded("fonts", "中文字体", False, _check_fonts)
    guarded("qt", "图形界面（Qt 离屏启动）", True, lambda: _check_qt(gui_probe))
    guarded("ocr", "文字识别（tesseract chi_sim）", False, _check_ocr)
    guarded("scanner", "扫描仪支持（SANE）", False, _check_scanner)
    guarded("i18n.zh_CN", "中文界面翻译", True, _check_translations)
    guarded("migrations", "数据库迁移脚本", True, _check_migrations)
    guarded("fonts.document", "文书字体", False, _check_document_font)
    return SelftestReport(ok=all(c.ok for c in checks if c.required), checks=checks)


# --------------------------------------------------------------------------- checks


def _check_runtime() -> Check:
    version = platform.python_version()
    ok = sys.version_info[:2] >= MIN_PYTHON
    detail = (
        f"衔接 {__version__}，Python {version}（{platform.system()} {platform.machine()}），"
        f"SQLite {sqlite3.sqlite_version}"
    )
    if not ok:
        detail += f"；需要 Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} 或更新版本"
    return Check("运行环境", ok, detail, True, "runtime")


def _check_site(site: SiteConfig, problem: str | None) -> Check:
    if problem:
        return Check("站点配置", False, f"{problem}（程序已按默认设置运行）", True, "site_config")
    if site.source is None:
        return Check(
            "站点配置", True, "未找到站点配置文件，使用默认设置（单机、离线）", True, "site_config"
        )
    platform_url = site.platform_url or "未设置（单机、离线）"
    unit = site.unit_name or site.unit_code or "未设置"
    return Check(
        "站点配置",
        True,
        f"{site.source}：平台 {platform_url}，单位 {unit}，界面语言 {site.language}",
        True,
        "site_config",
    )


def _check_data_folder(paths: DataPaths) -> Check:
    title = "数据文件夹可写"
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        probe = paths.root / f".selftest-{os.getpid()}"
        with probe.open("wb") as fh:
            fh.write(b"xianjie selftest\n")
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        return Check(title, False, describe_os_error(exc, paths.root), True, "data_folder")
    return Check(title, True, str(paths.root), True, "data_folder")


def _check_disk_space(paths: DataPaths) -> Check:
    title = "磁盘剩余空间"
    free = shutil.disk_usage(paths.root).free
    detail = f"数据文件夹所在磁盘剩余 {free / 1024**3:.1f} GB"
    if free < LOW_DISK_BYTES:
        return Check(
            title,
            False,
            f"{detail}，少于 {LOW_DISK_BYTES // 1024**2} MB：请清理磁盘，否则新的修改可能无法保存",
            False,
            "disk_space",
        )
    return Check(title, True, detail, False, "disk_space")


def _check_integrity(store: Store) -> Check:
    with closing(store.raw_connection()) as conn:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(10)")]
    if rows == ["ok"]:
        return Check(
            "数据库完整性", True, "PRAGMA integrity_check 通过", True, "database.integrity"
        )
    return Check(
        "数据库完整性",
        False,
        "数据库已损坏：" + "；".join(rows[:3]) + "。请用 “xianjie restore 备份文件” 恢复。",
        True,
        "database.integrity",
    )


def _check_schema(store: Store) -> Check:
    head = head_revision()
    with store.reading() as conn:
        current = schema_of(conn)
    if current == head:
        return Check("数据库架构版本", True, f"{current}（最新）", True, "database.schema")
    return Check(
        "数据库架构版本",
        False,
        f"数据库为 {current}，本版本应为 {head}",
        True,
        "database.schema",
    )


def _check_audit(store: Store) -> Check:
    title = "审计日志防篡改"
    with store.engine.connect() as conn:
        present = {
            str(r[0])
            for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        }
    missing = [t for t in APPEND_ONLY_TRIGGERS if t not in present]
    with store.session() as session:
        report = verify_chain(session)
    if not report.intact:
        return Check(
            title,
            False,
            f"审计日志自第 {report.first_broken_seq} 条起哈希链断裂，日志可能被篡改。"
            "请保留现场并联系信息技术人员。",
            True,
            "audit.chain",
        )
    if missing:
        return Check(
            title,
            False,
            f"只追加保护触发器缺失（{'、'.join(missing)}），数据库可能被改动过。"
            "请联系信息技术人员。",
            True,
            "audit.chain",
        )
    return Check(title, True, f"{report.entries} 条记录，哈希链完整", True, "audit.chain")


def _check_attachments(store: Store) -> Check:
    title = "附件存储完整性"
    blobs = AttachmentStore(store.paths.attachments)
    damaged: list[str] = []
    count = 0
    size = 0
    for sha in blobs.iter_hashes():
        count += 1
        size += blobs.path_for(sha).stat().st_size
        if not blobs.verify(sha):
            damaged.append(sha)
    with store.session() as session:
        referenced = set(
            session.scalars(select(Attachment.sha256).where(Attachment.deleted.is_(False)))
        )
    missing = sorted(sha for sha in referenced if not blobs.contains(sha))
    problems = []
    if damaged:
        problems.append(f"{len(damaged)} 个附件文件内容与其校验值不符（如 {damaged[0][:12]}…）")
    if missing:
        problems.append(f"{len(missing)} 个附件文件缺失（如 {missing[0][:12]}…）")
    if problems:
        return Check(
            title,
            False,
            "；".join(problems) + "。请从备份恢复附件，或联系信息技术人员。",
            True,
            "attachments",
        )
    return Check(
        title,
        True,
        f"{count} 个附件文件（{size / 1024**2:.1f} MB），均与校验值一致",
        True,
        "attachments",
    )


def _check_fts5() -> Check:
    title = "全文检索（FTS5 三元分词）"
    with closing(sqlite3.connect(":memory:")) as conn:
        try:
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        except sqlite3.Error as exc:
            return Check(
                title,
                False,
                f"SQLite {sqlite3.sqlite_version} 不支持 FTS5 三元分词（{exc}），需要 3.34 以上",
                True,
                "fts5",
            )
        conn.execute("INSERT INTO t (x) VALUES ('徐州某化工有限公司')")
        found = conn.execute("SELECT count(*) FROM t WHERE t MATCH '化工有限'").fetchone()[0]
    if found != 1:
        return Check(title, False, "三元分词检索中文未得到预期结果", True, "fts5")
    return Check(title, True, f"SQLite {sqlite3.sqlite_version}，中文检索正常", True, "fts5")


def _run(args: list[str]) -> str:
    done = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=_TOOL_TIMEOUT,
        check=False,
        encoding="utf-8",
        errors="replace",
    )
    return done.stdout + done.stderr


def _check_fonts() -> Check:
    title = "中文字体"
    if shutil.which("fc-list"):
        families = sorted(
            {
                line.split(",")[0].strip()
                for line in _run(["fc-list", ":lang=zh", "family"]).splitlines()
                if line.strip()
            },
            key=lambda name: (" SC" not in name and "SC " not in name, name),
        )
        if families:
            shown = "、".join(families[:3]) + ("等" if len(families) > 3 else "")
            return Check(title, True, f"已安装 {len(families)} 种：{shown}", False, "fonts")
    files = [f for pattern in _FONT_GLOBS for f in glob.glob(pattern, recursive=True)]
    if files:
        return Check(title, True, f"找到字体文件 {Path(files[0]).name} 等", False, "fonts")
    return Check(
        title,
        False,
        "未找到中文字体，界面文字可能显示为方块。Debian/统信/麒麟请安装 fonts-noto-cjk。",
        False,
        "fonts",
    )


def _check_qt(gui_probe: Callable[[], str] | None) -> Check:
    title = "图形界面（Qt 离屏启动）"
    if gui_probe is None:
        return Check(title, True, "未检查（未提供界面探测，仅命令行环境）", False, "qt")
    try:
        detail = gui_probe()
    except Exception as exc:
        return Check(
            title,
            False,
            f"Qt 无法启动：{type(exc).__name__}: {exc}。"
            "请安装 Qt 运行库（libegl1、libxkbcommon0、libxcb-cursor0 等）。",
            True,
            "qt",
        )
    return Check(title, True, detail or "Qt 离屏启动正常", True, "qt")


def _check_ocr() -> Check:
    title = "文字识别（tesseract chi_sim）"
    exe = shutil.which("tesseract")
    if exe is None:
        return Check(title, False, "未安装 tesseract（扫描件文字识别将不可用）", False, "ocr")
    langs = {line.strip() for line in _run([exe, "--list-langs"]).splitlines()}
    if "chi_sim" not in langs:
        return Check(
            title,
            False,
            "已安装 tesseract，但缺少简体中文语言包 chi_sim（tesseract-ocr-chi-sim）",
            False,
            "ocr",
        )
    return Check(title, True, f"{exe}，含简体中文语言包", False, "ocr")


def _check_scanner() -> Check:
    title = "扫描仪支持（SANE）"
    found = []
    scanimage = shutil.which("scanimage")
    if scanimage:
        found.append(f"scanimage（{scanimage}）")
    if importlib.util.find_spec("sane") is not None:
        found.append("python-sane")
    if not found:
        return Check(
            title,
            False,
            "未找到 scanimage 或 python-sane（可用文件导入代替扫描）",
            False,
            "scanner",
        )
    return Check(title, True, "已安装 " + "、".join(found), False, "scanner")


def _is_qm(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(QM_MAGIC)) == QM_MAGIC
    except OSError:
        return False


def _qt_translations_dir() -> Path | None:
    """PySide6's Qt/translations folder, found without importing Qt (this module stays Qt-free)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt" / "translations"


def _check_translations() -> Check:
    title = "中文界面翻译"
    ours = Path(str(resources.files("app").joinpath(f"ui/i18n/xianjie_{LANGUAGE}.qm")))
    qt_dir = _qt_translations_dir()
    qt_base = qt_dir / f"qtbase_{LANGUAGE}.qm" if qt_dir is not None else None
    problems = []
    if not _is_qm(ours):
        problems.append(f"缺少本程序的中文翻译 {ours}")
    if qt_base is None or not _is_qm(qt_base):
        problems.append(
            f"缺少 Qt 自带的中文翻译 {qt_base or 'qtbase_zh_CN.qm'}（标准按钮和对话框将显示英文）"
        )
    if problems:
        return Check(title, False, "；".join(problems) + "。请重新安装本程序。", True, "i18n.zh_CN")
    return Check(title, True, f"{ours}；{qt_base}", True, "i18n.zh_CN")


def _check_migrations() -> Check:
    title = "数据库迁移脚本"
    folder = Path(str(resources.files("app.store").joinpath("migrations")))
    missing = [name for name in ("env.py", "script.py.mako") if not (folder / name).is_file()]
    revisions = known_revisions()
    if missing or not revisions:
        what = "、".join(missing) if missing else "迁移脚本（versions/）"
        return Check(
            title,
            False,
            f"{folder} 中缺少 {what}：无法创建或升级数据库。请重新安装本程序。",
            True,
            "migrations",
        )
    return Check(
        title,
        True,
        f"{folder}：{len(revisions)} 个迁移，最新架构版本 {head_revision()}",
        True,
        "migrations",
    )


def _check_document_font() -> Check:
    title = "文书字体"
    from app.documents.generated.fonts import FontMissing, document_fonts

    try:
        fonts = document_fonts()
    except FontMissing as exc:
        return Check(title, False, exc.message, False, "fonts.document")
    bold = "" if fonts.bold == fonts.regular else f"，粗体 {fonts.bold.path.name}"
    return Check(
        title,
        True,
        f"{fonts.regular.path}（第 {fonts.regular.index} 款）{bold}",
        False,
        "fonts.document",
    )
