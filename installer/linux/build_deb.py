"""Build the .deb of 衔接 (amd64) from the PyInstaller onedir bundle, with plain ``dpkg-deb``.

    python installer/linux/build_deb.py --bundle dist/xianjie --out dist [--suffix ci42]

The package (installer/linux/README.md)::

    /opt/xianjie/                      the onedir bundle (executable ``xianjie`` + _internal/)
    /usr/bin/xianjie                   sh launcher: input-method mapping, then exec the bundle
    /usr/share/applications/xianjie.desktop
    /usr/share/icons/hicolor/{48x48,128x128,256x256}/apps/xianjie.png, scalable/apps/xianjie.svg
    /usr/share/man/man1/xianjie.1.gz
    /usr/share/doc/xianjie/{copyright,changelog.gz}
    /usr/share/lintian/overrides/xianjie
    /etc/xianjie/site.toml             conffile: an all-commented template (defaults)

``Depends`` is the list Qt's xcb platform needs plus OCR, completed from the bundle itself:
every shared library a bundled ELF file needs but the bundle does not carry must map to a
package in ``SONAME_PACKAGES`` (the build stops on one it does not know), and the newest
``GLIBC_x.y`` symbol version any of them uses becomes ``libc6 (>= x.y)``, so dpkg refuses a
machine whose glibc is too old instead of the app failing at start.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

PACKAGE = "xianjie"
ARCH = "amd64"
APP_DIR = "/opt/xianjie"
APP_ID = "xianjie"  # desktop file id and icon name
MAINTAINER = "衔接项目组 <xianjie@example.org>"
ICON_SIZES = (48, 128, 256)
SITE_TOML = "/etc/xianjie/site.toml"
IM_PLUGIN_SUBDIR = "_internal/PySide6/Qt/plugins/platforminputcontexts"

# What Qt's xcb platform plugin and the input-method plugins need from the system
# (doc.qt.io "Qt for X11 Requirements"; shared/research/deploy_anchors.md §2.2), and OCR.
BASE_DEPENDS = (
    "libxcb1",
    "libxcb-cursor0",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-randr0",
    "libxcb-xfixes0",
    "libx11-6",
    "libx11-xcb1",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libglib2.0-0",
    "tesseract-ocr",
    "tesseract-ocr-chi-sim",
    "poppler-utils",  # pdftoppm: OCR and thumbnails of imported PDFs (app/documents/ocr.py)
)
# Fonts: UOS/Kylin ship CJK fonts; fontconfig's fc-list lets selftest name them. libsane1
# carries SANE's drivers (/usr/lib/*/sane); when the bundle's python-sane links the system
# libsane.so.1 (installer/xianjie.spec leaves it out), the ELF scan below makes it a Depends
# instead, and it is dropped here.
RECOMMENDS = ("fonts-noto-cjk | fonts-wqy-microhei", "fontconfig", "libsane1", "sane-utils")
SUGGESTS = ("ibus | fcitx5",)  # the desk's input method; the app talks IBus to either

# Shared libraries the bundle may leave to the system (PyInstaller never bundles glibc, the
# GL/EGL stack or libxcb), and the Debian package that provides each.
SONAME_PACKAGES = {
    "ld-linux-x86-64.so.2": "libc6",
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
    "librt.so.1": "libc6",
    "libresolv.so.2": "libc6",
    "libutil.so.1": "libc6",
    "libanl.so.1": "libc6",
    "libcrypt.so.1": "libcrypt1",
    "libgcc_s.so.1": "libgcc-s1",
    "libstdc++.so.6": "libstdc++6",
    "libz.so.1": "zlib1g",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libgbm.so.1": "libgbm1",
    "libdrm.so.2": "libdrm2",
    "libvulkan.so.1": "libvulkan1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libsane.so.1": "libsane1",
    # what installer/xianjie.spec may leave to the system when it trims (Debian 12 names)
    "libbsd.so.0": "libbsd0",
    "libmd.so.0": "libmd0",
    "libzstd.so.1": "libzstd1",
    "liblzma.so.5": "liblzma5",
    "libbz2.so.1.0": "libbz2-1.0",
    "liblz4.so.1": "liblz4-1",
    "libexpat.so.1": "libexpat1",
    "libffi.so.8": "libffi8",
    "libuuid.so.1": "libuuid1",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libpng16.so.16": "libpng16-16",
    "libjpeg.so.62": "libjpeg62-turbo",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libXfixes.so.3": "libxfixes3",
    "libXi.so.6": "libxi6",
    "libsystemd.so.0": "libsystemd0",
    "libudev.so.1": "libudev1",
    "libcap.so.2": "libcap2",
    "libgcrypt.so.20": "libgcrypt20",
    "libgpg-error.so.0": "libgpg-error0",
    "libsqlite3.so.0": "libsqlite3-0",
    "libssl.so.3": "libssl3",
    "libcrypto.so.3": "libssl3",
    "libxml2.so.2": "libxml2",
    "libusb-1.0.so.0": "libusb-1.0-0",
}

COMPRESSIONS = ("gzip", "xz", "none")  # not zstd: dpkg before 1.21.18 (UOS 20, Kylin V10) lacks it
_OWN_LIBRARY_RE = re.compile(r"^lib(Qt6|pyside6|shiboken6|python3)")
_VERSION_RE = re.compile(r"^[0-9][A-Za-z0-9.+~]*$")
_SHARED_LIB_RE = re.compile(r"\.so(\.[0-9.]+)?$")
_GLIBC_RE = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")


class BuildError(Exception):
    """A build that cannot go on; the message is Chinese and names what to do."""


@dataclass(frozen=True)
class BundleLibraries:
    """What the bundle's ELF files need from the system."""

    packages: frozenset[str]  # Debian packages for the sonames the bundle does not carry
    glibc: tuple[int, ...]  # newest GLIBC_ symbol version needed, () if none found
    dangling: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The bundle's own libraries (Qt, PySide6) that a bundled file needs but the bundle
    left out: soname -> the files needing it. No system package can provide them; the file
    cannot load (fine for a plugin the desks never use, e.g. eglfs)."""


# --------------------------------------------------------------------------- version


def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``[project] version`` from pyproject.toml."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    version = data["project"]["version"]
    if not isinstance(version, str):
        raise BuildError(f"{pyproject} 中的 project.version 不是文本")
    return version


def package_version(base: str, suffix: str | None = None) -> str:
    """``base`` or ``base+suffix`` (sorts after ``base``), checked as a Debian native version."""
    version = f"{base}+{suffix}" if suffix else base
    if not _VERSION_RE.match(version):
        raise BuildError(f"版本号 {version!r} 不是有效的 Debian 版本号（只能含数字、字母、. + ~）")
    return version


# --------------------------------------------------------------------------- pieces


def render_launcher(app_dir: str = APP_DIR, im_plugin_subdir: str = IM_PLUGIN_SUBDIR) -> str:
    """The /usr/bin/xianjie script for a bundle at ``app_dir``."""
    text = (HERE / "xianjie.sh").read_text(encoding="utf-8")
    return text.replace("@APP_DIR@", app_dir).replace("@IM_PLUGIN_DIR@", im_plugin_subdir)


def find_im_plugin_subdir(bundle: Path) -> str:
    """Where the bundle keeps Qt's platforminputcontexts plugins, relative to the bundle."""
    found = sorted(
        p
        for p in bundle.rglob("platforminputcontexts")
        if p.is_dir() and (p / "libibusplatforminputcontextplugin.so").is_file()
    )
    if not found:
        raise BuildError(
            f"程序包 {bundle} 中没有 Qt 的 ibus 输入法插件"
            "（libibusplatforminputcontextplugin.so），Linux 上将无法输入中文"
        )
    return found[0].relative_to(bundle).as_posix()


def render_icons(svg: Path, sizes: Iterable[int] = ICON_SIZES) -> dict[int, bytes]:
    """PNG renderings of ``svg`` at each size, with Qt's SVG renderer (no display needed)."""
    from PySide6.QtCore import Qt  # noqa: TID251
    from PySide6.QtGui import QImage, QPainter  # noqa: TID251
    from PySide6.QtSvg import QSvgRenderer  # noqa: TID251

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise BuildError(f"图标 {svg} 不是有效的 SVG 文件")
    out: dict[int, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="xianjie-icons-") as tmp:
        for size in sizes:
            image = QImage(size, size, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
            painter.end()
            png = Path(tmp) / f"{size}.png"
            if not image.save(str(png)):
                raise BuildError(f"无法生成 {size}×{size} 的 PNG 图标")
            out[size] = png.read_bytes()
    return out


def changelog(version: str, when: float) -> str:
    """A Debian changelog with one entry for ``version`` (lintian wants one in a native .deb)."""
    return (
        f"{PACKAGE} ({version}) unstable; urgency=medium\n\n"
        f"  * 衔接 {version}：UOS/麒麟/Debian amd64 安装包（PyInstaller 单目录程序）。\n\n"
        f" -- {MAINTAINER}  {formatdate(when, usegmt=False)}\n"
    )


def control(
    version: str, depends: Sequence[str], installed_kib: int, *, description: str | None = None
) -> str:
    """DEBIAN/control."""
    long = description or (
        " 衔接 (Xianjie) records, tracks and transfers administrative enforcement\n"
        " cases to the criminal justice side (两法衔接). It works offline with a\n"
        " local SQLite store and synchronises with the sharing platform when one\n"
        " is configured in /etc/xianjie/site.toml.\n"
        " .\n"
        " The application is frozen with PyInstaller and carries its own Python\n"
        " and Qt in /opt/xianjie. Check an install with: xianjie selftest"
    )
    required = {d.split()[0] for d in depends}
    recommends = [r for r in RECOMMENDS if r.split()[0] not in required]
    fields = [
        ("Package", PACKAGE),
        ("Version", version),
        ("Architecture", ARCH),
        ("Maintainer", MAINTAINER),
        ("Installed-Size", str(installed_kib)),
        ("Depends", ", ".join(depends)),
        ("Recommends", ", ".join(recommends)),
        ("Suggests", ", ".join(SUGGESTS)),
        ("Section", "misc"),
        ("Priority", "optional"),
        ("Description", "desktop client for 两法衔接 case linkage (衔接)\n" + long),
    ]
    return "".join(f"{key}: {value}\n" for key, value in fields)


# --------------------------------------------------------------------------- the bundle's ELF files


def _is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(4) == b"\x7fELF"


def _objdump(files: Sequence[Path]) -> dict[Path, str]:
    """``objdump -p`` of each file, in batches."""
    if shutil.which("objdump") is None:
        raise BuildError("找不到 objdump：请安装 binutils（tools/setup.sh 会安装）")
    out: dict[Path, str] = {}
    for start in range(0, len(files), 200):
        batch = files[start : start + 200]
        done = subprocess.run(
            ["objdump", "-p", *map(str, batch)],
            capture_output=True,
            text=True,
            check=False,
            errors="replace",
        )
        current: Path | None = None
        by_name = {str(f): f for f in batch}
        for line in done.stdout.splitlines():
            head = line.partition(":")[0]
            if head in by_name and "file format" in line:
                current = by_name[head]
                out[current] = ""
            elif current is not None:
                out[current] += line + "\n"
    return out


def bundle_libraries(bundle: Path) -> BundleLibraries:
    """The system packages and glibc version the bundle's ELF files need."""
    elves = sorted(p for p in bundle.rglob("*") if _is_elf(p))
    carried = {p.name for p in bundle.rglob("*") if p.is_file() or p.is_symlink()}
    needed_by: dict[str, list[str]] = {}
    glibc: tuple[int, ...] = ()
    for path, dump in _objdump(elves).items():
        for line in dump.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "NEEDED" and parts[1] not in carried:
                needed_by.setdefault(parts[1], []).append(path.relative_to(bundle).as_posix())
        for match in _GLIBC_RE.finditer(dump):
            glibc = max(glibc, tuple(int(g) for g in match.groups() if g is not None))
    dangling = {n: tuple(files) for n, files in needed_by.items() if _OWN_LIBRARY_RE.match(n)}
    unknown = sorted(n for n in needed_by if n not in SONAME_PACKAGES and n not in dangling)
    if unknown:
        lines = "\n".join(f"  {name}（{needed_by[name][0]} 需要）" for name in unknown)
        raise BuildError(
            "程序包需要以下系统库，但不知道它们属于哪个 Debian 软件包；"
            f"请把它们加入 installer/linux/build_deb.py 的 SONAME_PACKAGES：\n{lines}"
        )
    packages = frozenset(SONAME_PACKAGES[n] for n in needed_by if n not in dangling)
    return BundleLibraries(packages, glibc, dangling)


def depends_for(libraries: BundleLibraries) -> list[str]:
    """``Depends``: the base list, the bundle's system libraries, and the glibc floor."""
    names = list(BASE_DEPENDS)
    names += sorted(p for p in libraries.packages if p not in BASE_DEPENDS and p != "libc6")
    if libraries.glibc:
        names.insert(0, f"libc6 (>= {'.'.join(map(str, libraries.glibc))})")
    elif "libc6" in libraries.packages:
        names.insert(0, "libc6")
    return names


# --------------------------------------------------------------------------- staging


def _write(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    path.chmod(mode)


def _gzip(data: str) -> bytes:
    # -9n: maximum compression, no name or time stamp (reproducible; lintian checks both)
    return gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0)


def _normalise_modes(root: Path) -> None:
    """Directories 0755; shared libraries 0644; other files 0755 if executable, else 0644."""
    for dirpath, _dirnames, filenames in os.walk(root):  # os.walk does not follow symlinks
        base = Path(dirpath)
        base.chmod(0o755)
        for name in filenames:
            path = base / name
            if not path.is_symlink():
                executable = path.stat().st_mode & 0o111 and not _SHARED_LIB_RE.search(name)
                path.chmod(0o755 if executable else 0o644)


def _installed_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.is_relative_to(root / "DEBIAN"):
            continue
        if path.is_symlink() or path.is_dir():
            total += 1
        else:
            total += max(1, math.ceil(path.stat().st_size / 1024))
    return total


def stage(bundle: Path, root: Path, version: str, *, when: float | None = None) -> None:
    """Lay out the package tree of ``version`` under ``root`` (which must not exist yet)."""
    executable = bundle / "xianjie"
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        raise BuildError(f"{bundle} 不是衔接的单目录程序包：缺少可执行文件 xianjie")
    when = time.time() if when is None else when
    im_subdir = find_im_plugin_subdir(bundle)
    libraries = bundle_libraries(bundle)
    for name, files in sorted(libraries.dangling.items()):
        log.warning("程序包缺少自带的 %s，以下文件无法加载：%s", name, "、".join(files))

    root.mkdir(parents=True)
    shutil.copytree(bundle, root / APP_DIR.lstrip("/"), symlinks=True)
    _write(root / "usr/bin/xianjie", render_launcher(APP_DIR, im_subdir), 0o755)
    share = root / "usr/share"
    _write(share / f"applications/{APP_ID}.desktop", (HERE / "xianjie.desktop").read_bytes())
    for size, png in render_icons(HERE / "xianjie.svg").items():
        _write(share / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png", png)
    _write(share / f"icons/hicolor/scalable/apps/{APP_ID}.svg", (HERE / "xianjie.svg").read_bytes())
    _write(share / "man/man1/xianjie.1.gz", _gzip((HERE / "xianjie.1").read_text("utf-8")))
    doc = share / f"doc/{PACKAGE}"
    _write(doc / "copyright", (HERE / "copyright").read_bytes())
    _write(doc / "changelog.gz", _gzip(changelog(version, when)))
    _write(share / f"lintian/overrides/{PACKAGE}", (HERE / "lintian-overrides").read_bytes())
    _write(root / SITE_TOML.lstrip("/"), (HERE / "site.toml").read_bytes())

    _normalise_modes(root)
    debian = root / "DEBIAN"
    _write(debian / "conffiles", SITE_TOML + "\n")
    _write(debian / "postinst", (HERE / "postinst").read_bytes(), 0o755)
    _write(debian / "postrm", (HERE / "postrm").read_bytes(), 0o755)
    debian.chmod(0o755)
    _write(debian / "control", control(version, depends_for(libraries), _installed_kib(root)))


def build_deb(
    bundle: Path,
    out_dir: Path,
    version: str,
    *,
    compression: str = "gzip",
    level: int | None = None,
    work_dir: Path | None = None,
) -> Path:
    """Build ``xianjie_<version>_amd64.deb`` in ``out_dir`` from the onedir ``bundle``."""
    if compression not in COMPRESSIONS:
        raise BuildError(f"不支持的压缩方式 {compression}，可选：{'、'.join(COMPRESSIONS)}")
    package_version(version)
    if shutil.which("dpkg-deb") is None:
        raise BuildError("找不到 dpkg-deb：请在 Debian/统信/麒麟 上构建（软件包 dpkg）")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{ARCH}.deb"
    with tempfile.TemporaryDirectory(prefix="xianjie-deb-", dir=work_dir) as tmp:
        root = Path(tmp) / "root"
        stage(bundle.resolve(), root, version)
        args = ["dpkg-deb", "--root-owner-group", f"-Z{compression}"]
        if level is not None:
            args.append(f"-z{level}")
        done = subprocess.run(
            [*args, "--build", str(root), str(target)],
            capture_output=True,
            text=True,
            check=False,
            errors="replace",
        )
        if done.returncode != 0:
            raise BuildError(f"dpkg-deb 打包失败：{(done.stderr or done.stdout).strip()}")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build_deb.py", description="由 PyInstaller 单目录程序包生成衔接的 .deb 安装包"
    )
    parser.add_argument("--bundle", required=True, type=Path, help="单目录程序包（含 xianjie）")
    parser.add_argument("--out", required=True, type=Path, help="输出文件夹")
    parser.add_argument("--version", help="完整版本号（默认：pyproject.toml 中的版本）")
    parser.add_argument("--suffix", help="构建后缀：版本号变为 <版本>+<后缀>，如 ci42")
    parser.add_argument("--compression", choices=COMPRESSIONS, default="gzip")
    parser.add_argument("--level", type=int, help="压缩级别（dpkg-deb -z）")
    args = parser.parse_args(argv)
    logging.basicConfig(format="警告：%(message)s", level=logging.WARNING)
    try:
        version = package_version(args.version or project_version(), args.suffix)
        started = time.monotonic()
        deb = build_deb(
            args.bundle, args.out, version, compression=args.compression, level=args.level
        )
    except BuildError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    size = deb.stat().st_size / 1024**2
    print(f"{deb}（{size:.1f} MB，用时 {time.monotonic() - started:.0f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
