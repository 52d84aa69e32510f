"""Build the PyInstaller onedir bundle of the desktop app: ``installer/xianjie.spec``.

One command (installer/README.md)::

    .venv/bin/python installer/bundle.py --dist dist --work build

The .deb and Windows builders call :func:`build_bundle`. The build is reproducible as far as
PyInstaller allows: a fixed ``PYTHONHASHSEED`` and ``SOURCE_DATE_EPOCH`` (the last commit's
time), and the Chinese document font copied from a fixed system path.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "xianjie.spec"
NAME = "xianjie"
FONT_ENV = "XIANJIE_BUNDLE_FONT"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),  # Debian fonts-noto-cjk
)
"""The regular Noto Serif CJK collection (SIL OFL 1.1); bold falls back to it (README)."""
SIZE_BUDGET = 120 * 1000 * 1000
"""The unpacked bundle may not be larger (issue #7: 120 MB)."""


class BundleError(RuntimeError):
    """The bundle could not be built; the message says why."""


def executable_name() -> str:
    return f"{NAME}.exe" if sys.platform == "win32" else NAME


def document_font() -> Path:
    """The font file to bundle: ``XIANJIE_BUNDLE_FONT`` or the system's Noto Serif CJK."""
    given = os.environ.get(FONT_ENV, "").strip()
    candidates = [Path(given)] if given else list(FONT_CANDIDATES)
    for path in candidates:
        if path.is_file():
            return path
    raise BundleError(
        "找不到要打包的中文文书字体："
        + "、".join(str(p) for p in candidates)
        + f"。请安装 fonts-noto-cjk，或用环境变量 {FONT_ENV} 指定字体文件。"
    )


def source_date_epoch() -> str:
    """The last commit's time (reproducible), or the given ``SOURCE_DATE_EPOCH``."""
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if given:
        return given
    git = shutil.which("git")
    if git is not None:
        done = subprocess.run(
            [git, "-C", str(ROOT), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return done.stdout.strip()
    return "1700000000"


def tree_size(folder: Path) -> int:
    """Bytes of all regular files under ``folder`` (symlinks not followed or counted)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build_bundle(dist_dir: Path, work_dir: Path) -> Path:
    """Build the onedir bundle into ``dist_dir/xianjie`` and return that folder.

    The folder holds the executable ``xianjie`` (``xianjie.exe`` on Windows) and
    ``_internal/``. An older bundle in the same place is replaced. Raises
    :class:`BundleError` when PyInstaller fails.
    """
    dist_dir = dist_dir.resolve()
    work_dir = work_dir.resolve()
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "1"
    env["SOURCE_DATE_EPOCH"] = source_date_epoch()
    env[FONT_ENV] = str(document_font())
    env.pop("PYTHONPATH", None)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist_dir),
        "--workpath",
        str(work_dir),
        str(SPEC),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, check=False)
    bundle = dist_dir / NAME
    if done.returncode != 0 or not (bundle / executable_name()).is_file():
        raise BundleError(f"PyInstaller 打包失败（退出码 {done.returncode}）：{' '.join(command)}")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="打包衔接桌面程序（PyInstaller 单目录）")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="输出文件夹")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="临时构建文件夹")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        bundle = build_bundle(args.dist, args.work)
    except BundleError as exc:
        print(exc, file=sys.stderr)
        return 1
    size = tree_size(bundle)
    print(
        f"{bundle}：{size / 1e6:.1f} MB（上限 {SIZE_BUDGET / 1e6:.0f} MB），"
        f"用时 {time.monotonic() - started:.0f} 秒"
    )
    if size > SIZE_BUDGET:
        print("超出体积上限", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
