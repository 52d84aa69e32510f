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
if str(ROOT) not in sys.path:  # run as a script: installer/bundle.py
    sys.path.insert(0, str(ROOT))
SPEC = ROOT / "installer" / "xianjie.spec"
NAME = "xianjie"
FONT_ENV = "XIANJIE_BUNDLE_FONT"
ICU_ENV = "XIANJIE_BUNDLE_ICUDATA"
CACHE_ENV = "XIANJIE_BUILD_CACHE"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),  # Debian fonts-noto-cjk
)
"""The regular Noto Serif CJK collection (SIL OFL 1.1), subset by installer/font.py."""
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


def cache_dir() -> Path:
    """Where built fonts are kept between builds (``XIANJIE_BUILD_CACHE`` or the user cache)."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given:
        return Path(given)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("xianjie-build"))


def trimmed_icu(work_dir: Path) -> Path | None:
    """The Chinese/English ICU data library (installer/icu.py), or None to keep Qt's own."""
    if sys.platform != "linux":
        return None
    from installer.icu import tools_missing, trim_icu_data

    missing = tools_missing()
    if missing:
        print(f"未找到 {'、'.join(missing)}，保留完整的 ICU 数据库（体积会超出上限）")
        return None
    import importlib.util

    spec = importlib.util.find_spec("PySide6")  # located, not imported (Qt stays out)
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    candidates = sorted((package / "Qt" / "lib").glob("libicudata.so.*"))
    if not candidates:
        return None
    return trim_icu_data(candidates[0], work_dir / "icu")


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
    from installer.font import subset_font

    env[FONT_ENV] = str(subset_font(document_font(), cache_dir()))
    icu = trimmed_icu(work_dir)
    if icu is not None:
        env[ICU_ENV] = str(icu)
    env.pop("PYTHONPATH", None)
    # PyInstaller's binary cache is per user by default; two builds at once (CI jobs, a test
    # session beside a .deb build) corrupt its index. Each work folder gets its own.
    env["PYINSTALLER_CONFIG_DIR"] = str(work_dir / "pyinstaller-cache")
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
