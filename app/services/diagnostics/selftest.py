"""``selftest.json``/``.txt``: the ``selftest`` command run as a child process of this
program, else in this process without the Qt check."""

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.paths import DataPaths
from app.site_config import SiteConfig

from .bundle import SectionProblem, _Bundle


def _selftest_section(
    bundle: _Bundle,
    paths: DataPaths,
    site_path: Path,
    site: SiteConfig,
    site_problem: str | None,
    gui_probe: Callable[[], str] | None,
    *,
    child: bool,
    program: Callable[[], list[str] | None],
) -> list[str]:
    """The report of ``xianjie selftest --json``: run as a child process of this same program
    (so Qt's offscreen start is checked too, and a Qt crash cannot take the diagnostics with
    it), else in this process without the Qt check. Also as text."""
    members: list[str] = []
    data: dict[str, Any] | None = None
    child_failed = ""
    if child:
        data, note, child_failed = _selftest_in_child(paths, site_path, program())
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


def _selftest_in_child(
    paths: DataPaths, site_path: Path, program: list[str] | None
) -> tuple[dict[str, Any] | None, str, str]:
    """``selftest --json`` in a child process started with ``program`` (:func:`_program`):
    (its report or None, a note for the zip, and a one-line problem when the child ended
    without a report, e.g. Qt aborted)."""
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
