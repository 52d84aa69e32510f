"""``fonts.txt``: the Chinese fonts found (fc-list, or the Windows font folder)."""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

FONT_LINES_CAP = 400
_TOOL_TIMEOUT = 15
_WINDOWS_FONT_GLOBS = ("msyh*.tt?", "simsun*.tt?", "simhei*.tt?", "simkai*.tt?", "*CJK*")


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
