"""``logs/``: the tails of ``xianjie.log`` and its rotated copies and the newest crash
reports, within a size budget."""

import os
from pathlib import Path

from app.paths import DataPaths

from .bundle import _Bundle

LOG_FILE_CAP = 2_000_000  # bytes kept from each log file (its tail)
LOG_TOTAL_CAP = 12_000_000  # bytes of logs in the whole zip
CRASH_LOGS_CAP = 10  # newest crash reports (logs/crash-*.log, app/ui/crash.py)


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
