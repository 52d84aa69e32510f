"""The Windows installer script (installer/windows/xianjie.nsi) through the real makensis.

Every compile is ``-V2 -WX`` (warnings are errors) against a small stand-in for the
PyInstaller onedir made in a temp folder, and must give a real PE file. When ``wine64`` is
installed, the built installer also runs: silent install, site-config seeding, upgrade,
uninstall and the refusals, with the registry read back through ``reg query``. The real
Windows build and install run only on a Windows machine (.github/workflows/windows.yml,
untested here; installer/windows/README.md).
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.site_config import load_site_config
from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "installer" / "windows" / "xianjie.nsi"
MAKENSIS = shutil.which("makensis")
WINE = shutil.which("wine64") or next(
    (p for p in ("/usr/lib/wine/wine64",) if Path(p).is_file() and os.access(p, os.X_OK)), None
)
UNINST_KEY = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Xianjie"

pytestmark = pytest.mark.skipif(
    MAKENSIS is None, reason="makensis is not installed (tools/setup.sh installs the nsis package)"
)


def make_dist(folder: Path, *, version: str, extra: dict[str, bytes] | None = None) -> Path:
    """A stand-in onedir: ``xianjie.exe`` and an ``_internal`` folder (names as PyInstaller's)."""
    dist = folder / "xianjie"
    files = {
        "xianjie.exe": b"MZ fake GUI executable " + version.encode(),
        "_internal/base_library.zip": b"PK fake",
        "_internal/PySide6/plugins/platforms/qwindows.dll": b"MZ fake plugin",
        "_internal/app/resources/标准/说明.txt": "中文文件名".encode(),
        **(extra or {}),
    }
    for name, data in files.items():
        path = dist / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dist


def makensis(*defines: str, cwd: Path, script: Path = SCRIPT) -> subprocess.CompletedProcess[str]:
    assert MAKENSIS is not None
    return subprocess.run(
        [MAKENSIS, "-V2", "-WX", *(f"-D{d}" for d in defines), str(script)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def build(
    tmp: Path, version: str = "0.1.0", *defines: str, extra: dict[str, bytes] | None = None
) -> Path:
    dist = make_dist(tmp / f"dist-{version}", version=version, extra=extra)
    out = tmp / f"out-{version}" / f"xianjie-{version}-setup.exe"
    out.parent.mkdir(parents=True, exist_ok=True)
    done = makensis(f"DIST_DIR={dist}", f"VERSION={version}", f"OUTFILE={out}", *defines, cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def assert_pe(path: Path) -> None:
    data = path.read_bytes()
    assert data[:2] == b"MZ", path
    pe_offset = int.from_bytes(data[0x3C:0x40], "little")
    assert data[pe_offset : pe_offset + 4] == b"PE\0\0"
    machine = int.from_bytes(data[pe_offset + 4 : pe_offset + 6], "little")
    assert machine == 0x8664  # x86-64: the installer itself is a 64-bit program


def test_the_script_builds_a_64_bit_installer(tmp_path: Path) -> None:
    out = build(tmp_path)
    assert_pe(out)
    assert out.stat().st_size > 50_000  # the NSIS stub, the UI and the packed files


def test_default_output_name_is_beside_the_script_and_not_setup_exe(tmp_path: Path) -> None:
    """Without OUTFILE the installer is ``xianjie-VERSION-setup.exe`` (a file named just
    ``setup.exe`` gets Windows' compatibility shims: makensis warns, -WX fails)."""
    dist = make_dist(tmp_path, version="9.8.7")
    script = tmp_path / "windows" / SCRIPT.name  # a copy, so nothing is written into the repo
    script.parent.mkdir()
    shutil.copy2(SCRIPT, script)
    done = makensis(f"DIST_DIR={dist}", "VERSION=9.8.7", cwd=tmp_path, script=script)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_pe(script.parent / "xianjie-9.8.7-setup.exe")
    plain = makensis(
        f"DIST_DIR={dist}", "VERSION=9.8.7", f"OUTFILE={tmp_path / 'setup.exe'}", cwd=tmp_path
    )
    assert plain.returncode != 0 and "setup.exe" in plain.stdout + plain.stderr


def _icon(path: Path) -> Path:
    from PIL import Image

    Image.new("RGBA", (32, 32), (180, 30, 30, 255)).save(path, format="ICO", sizes=[(32, 32)])
    return path


@pytest.mark.parametrize(
    "variant",
    ["gui-exe", "vi-version", "publisher", "icon", "all"],
)
def test_optional_defines(tmp_path: Path, variant: str) -> None:
    defines: list[str] = []
    extra: dict[str, bytes] = {}
    if variant in ("gui-exe", "all"):
        extra = {"xianjie-gui.exe": b"MZ gui", "xianjie-cli.exe": b"MZ cli"}
        defines.append("GUI_EXE=xianjie-gui.exe")
    if variant in ("vi-version", "all"):
        defines.append("VI_VERSION=1.2.3.45")
    if variant in ("publisher", "all"):
        defines.append("PUBLISHER=徐州市两法衔接工作办公室")
    if variant in ("icon", "all"):
        defines.append(f"ICON={_icon(tmp_path / 'xianjie.ico')}")
    assert_pe(build(tmp_path, "1.2.3", *defines, extra=extra))


@pytest.mark.parametrize(
    ("defines", "message"),
    [
        (["VERSION=0.1.0"], "DIST_DIR"),
        (["DIST_DIR={dist}"], "VERSION"),
        (["DIST_DIR={dist}", "VERSION=0.1.0", "GUI_EXE=absent.exe"], "absent.exe not found"),
        (["DIST_DIR={dist}", "VERSION=0.1.0", "VI_VERSION=not-a-version"], "X.X.X.X"),
    ],
    ids=["no-dist-dir", "no-version", "no-gui-exe", "bad-vi-version"],
)
def test_missing_or_bad_defines_are_refused(
    tmp_path: Path, defines: list[str], message: str
) -> None:
    dist = make_dist(tmp_path, version="0.1.0")
    out = tmp_path / "x.exe"
    done = makensis(*(d.format(dist=dist) for d in defines), f"OUTFILE={out}", cwd=tmp_path)
    assert done.returncode != 0
    assert message in done.stdout + done.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- under Wine


@dataclass(frozen=True)
class Wine:
    """A private Wine prefix reporting Windows 10 (1903): C: is ``drive_c``, Z: is ``/``."""

    prefix: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "WINEPREFIX": str(self.prefix), "WINEDEBUG": "-all"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a Windows program and wait for it. An argument with spaces is passed in parts
        so the command line reaches NSIS as typed (Wine would quote it whole)."""
        assert WINE is not None
        argv: list[str] = []
        for arg in args:
            argv += arg.split(" ") if arg.startswith(("/", "_?=")) else [arg]
        return subprocess.run(
            [WINE, *argv],
            env=self.env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            check=False,
        )

    def wait(self) -> None:
        server = Path(WINE).with_name("wineserver")
        subprocess.run([str(server), "-w"], env=self.env, timeout=300, check=False)

    @property
    def c(self) -> Path:
        return self.prefix / "drive_c"

    @property
    def program_dir(self) -> Path:
        return self.c / "Program Files" / "Xianjie"

    @property
    def site_dir(self) -> Path:
        return self.c / "ProgramData" / "Xianjie"

    def reg(self, key: str) -> dict[str, str]:
        """The values of a registry key (empty when the key does not exist)."""
        done = self.run("reg", "query", key)
        values: dict[str, str] = {}
        if done.returncode == 0:
            for line in done.stdout.splitlines():
                parts = line.split(None, 2)
                if len(parts) == 3 and parts[1].startswith("REG_"):
                    values[parts[0]] = parts[2].strip()
        return values

    def windows_version(self, version: str) -> None:
        assert self.run("winecfg", "-v", version).returncode == 0

    def reset(self) -> None:
        """Forget an earlier install: program files, ProgramData, registry, shortcuts."""
        shutil.rmtree(self.program_dir, ignore_errors=True)
        shutil.rmtree(self.site_dir, ignore_errors=True)
        self.run("reg", "delete", UNINST_KEY, "/f")
        self.run("reg", "delete", r"HKLM\Software\Xianjie", "/f")
        for lnk in self.c.glob("**/衔接 Xianjie.lnk"):
            lnk.unlink()


@pytest.fixture(scope="module")
def wine_prefix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wine]:
    if WINE is None:
        pytest.skip("wine64 is not installed: the installer is only compiled, not run")
    wine = Wine(tmp_path_factory.mktemp("wine") / "prefix")
    boot = wine.run("wineboot", "-i")
    if boot.returncode != 0:
        pytest.skip(f"wineboot failed: {boot.stderr[-300:]}")
    wine.windows_version("win10")
    yield wine
    server = Path(WINE).with_name("wineserver")
    subprocess.run([str(server), "-k"], env=wine.env, timeout=60, check=False)


@pytest.fixture
def wine(wine_prefix: Wine) -> Wine:
    wine_prefix.reset()
    return wine_prefix


@pytest.fixture(scope="module")
def installers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("installers")
    return {
        "0.1.0": build(tmp, "0.1.0", extra={"_internal/old-only.txt": b"from 0.1.0"}),
        "0.2.0": build(tmp, "0.2.0", extra={"xianjie-cli.exe": b"MZ cli"}),
    }


def z(path: Path) -> str:
    """The Wine (Windows) name of a Unix path."""
    return "Z:" + str(path).replace("/", "\\")


@pytest.mark.slow
def test_silent_install_writes_files_shortcut_and_registry(
    wine: Wine, installers: dict[str, Path], tmp_path: Path
) -> None:
    done = wine.run(str(installers["0.1.0"]), "/S")
    assert done.returncode == 0, done.stderr[-500:]
    assert (wine.program_dir / "xianjie.exe").read_bytes().endswith(b"0.1.0")
    assert (wine.program_dir / "_internal" / "app" / "resources" / "标准" / "说明.txt").is_file()
    assert (wine.program_dir / "uninstall.exe").read_bytes()[:2] == b"MZ"
    start_menu = wine.c / "ProgramData" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    assert (start_menu / "衔接 Xianjie.lnk").is_file()
    assert not list(wine.c.glob("users/*/Desktop/衔接 Xianjie.lnk"))  # silent: no desktop icon
    entry = wine.reg(UNINST_KEY)
    exported = tmp_path / "entry.reg"
    assert wine.run("reg", "export", UNINST_KEY, z(exported), "/y").returncode == 0
    assert '"DisplayName"="衔接 Xianjie"' in exported.read_text(encoding="utf-16")
    assert entry["DisplayVersion"] == "0.1.0"
    assert entry["InstallLocation"] == r"C:\Program Files\Xianjie"
    assert entry["UninstallString"] == r'"C:\Program Files\Xianjie\uninstall.exe"'
    assert entry["QuietUninstallString"] == r'"C:\Program Files\Xianjie\uninstall.exe" /S'
    assert entry["NoModify"] == "0x1" and entry["NoRepair"] == "0x1"
    assert int(entry["EstimatedSize"], 16) > 0
    assert "Publisher" in entry and entry["DisplayIcon"].endswith(r"\xianjie.exe,0")
    assert wine.reg(r"HKLM\Software\Xianjie")["Version"] == "0.1.0"
    assert not (wine.site_dir / "site.toml").exists()  # nothing given: runs offline


@pytest.mark.slow
def test_desktop_switch(wine: Wine, installers: dict[str, Path]) -> None:
    assert wine.run(str(installers["0.1.0"]), "/S", "/DESKTOP").returncode == 0
    assert list(wine.c.glob("users/*/Desktop/衔接 Xianjie.lnk"))


@pytest.mark.slow
def test_platform_and_unit_parameters_write_a_site_config_the_app_reads(
    wine: Wine, installers: dict[str, Path], tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    done = wine.run(
        str(installers["0.1.0"]),
        "/S",
        "/PLATFORM=https://lfxj.example.gov.cn/api/v1?x=1",
        "/UNIT=320300-HB",
        f"/CA={z(ca)}",
    )
    assert done.returncode == 0, done.stderr[-500:]
    site = load_site_config(wine.site_dir / "site.toml")
    assert site.platform_url == "https://lfxj.example.gov.cn/api/v1?x=1"
    assert site.unit_code == "320300-HB"
    assert str(site.ca_bundle) == r"C:\ProgramData\Xianjie\ca.pem"
    assert (wine.site_dir / "ca.pem").read_bytes() == ca.read_bytes()


@pytest.mark.slow
def test_site_file_beside_the_installer_is_copied(
    wine: Wine, installers: dict[str, Path], tmp_path: Path
) -> None:
    media = tmp_path / "usb"
    media.mkdir()
    setup = media / installers["0.1.0"].name
    shutil.copy2(installers["0.1.0"], setup)
    (media / "site.toml").write_text('[unit]\ncode = "320300-SP"\nname = "徐州市市场监督管理局"\n')
    (media / "ca.pem").write_text("PEM beside")
    assert wine.run(str(setup), "/S").returncode == 0
    site = load_site_config(wine.site_dir / "site.toml")
    assert site.unit_code == "320300-SP" and site.unit_name == "徐州市市场监督管理局"
    assert (wine.site_dir / "ca.pem").read_text() == "PEM beside"


@pytest.mark.slow
def test_site_parameter_wins_over_the_file_beside(
    wine: Wine, installers: dict[str, Path], tmp_path: Path
) -> None:
    media = tmp_path / "share"
    media.mkdir()
    setup = media / installers["0.1.0"].name
    shutil.copy2(installers["0.1.0"], setup)
    (media / "site.toml").write_text('[unit]\ncode = "BESIDE"\n')
    chosen = tmp_path / "county.toml"
    chosen.write_text('[unit]\ncode = "CHOSEN"\n')
    assert wine.run(str(setup), "/S", f"/SITE={z(chosen)}").returncode == 0
    assert load_site_config(wine.site_dir / "site.toml").unit_code == "CHOSEN"


@pytest.mark.slow
def test_upgrade_replaces_program_files_and_keeps_the_site_config(
    wine: Wine, installers: dict[str, Path]
) -> None:
    assert wine.run(str(installers["0.1.0"]), "/S", "/UNIT=OLD-UNIT").returncode == 0
    site = wine.site_dir / "site.toml"
    site.write_text(site.read_text() + "# edited by IT\n")
    edited = site.read_bytes()
    assert (wine.program_dir / "_internal" / "old-only.txt").is_file()

    done = wine.run(str(installers["0.2.0"]), "/S", "/UNIT=NEW-UNIT", "/DESKTOP")
    assert done.returncode == 0, done.stderr[-500:]
    assert site.read_bytes() == edited  # neither parameters nor the upgrade replace it
    assert (wine.program_dir / "xianjie.exe").read_bytes().endswith(b"0.2.0")
    assert (wine.program_dir / "xianjie-cli.exe").is_file()
    assert not (wine.program_dir / "_internal" / "old-only.txt").exists()  # old files gone
    assert wine.reg(UNINST_KEY)["DisplayVersion"] == "0.2.0"


@pytest.mark.slow
def test_upgrade_goes_to_the_folder_of_the_earlier_install(
    wine: Wine, installers: dict[str, Path]
) -> None:
    assert wine.run(str(installers["0.1.0"]), "/S", r"/D=C:\Apps\Xianjie").returncode == 0
    assert wine.run(str(installers["0.2.0"]), "/S").returncode == 0
    moved = wine.c / "Apps" / "Xianjie"
    assert (moved / "xianjie.exe").read_bytes().endswith(b"0.2.0")
    assert not wine.program_dir.exists()
    assert wine.reg(UNINST_KEY)["InstallLocation"] == r"C:\Apps\Xianjie"


@pytest.mark.slow
def test_silent_uninstall_removes_program_files_only(
    wine: Wine, installers: dict[str, Path]
) -> None:
    assert wine.run(str(installers["0.1.0"]), "/S", "/DESKTOP", "/UNIT=320300-HB").returncode == 0
    site = (wine.site_dir / "site.toml").read_bytes()
    user_data = wine.c / "users" / "someone" / "AppData" / "Local" / "Xianjie"
    user_data.mkdir(parents=True)
    (user_data / "xianjie.db").write_bytes(b"SQLite format 3\x00 stand-in")
    done = wine.run(r"C:\Program Files\Xianjie\uninstall.exe", "/S", r"_?=C:\Program Files\Xianjie")
    assert done.returncode == 0, done.stderr[-500:]
    wine.wait()
    left = sorted(p.name for p in wine.program_dir.iterdir())
    assert left == ["uninstall.exe"]  # with _?= it cannot delete itself (README)
    assert not list(wine.c.glob("**/衔接 Xianjie.lnk"))
    assert wine.reg(UNINST_KEY) == {} and wine.reg(r"HKLM\Software\Xianjie") == {}
    assert (wine.site_dir / "site.toml").read_bytes() == site
    assert (user_data / "xianjie.db").is_file()


@pytest.mark.slow
def test_uninstall_from_a_wrong_folder_changes_nothing(
    wine: Wine, installers: dict[str, Path]
) -> None:
    assert wine.run(str(installers["0.1.0"]), "/S").returncode == 0
    done = wine.run(r"C:\Program Files\Xianjie\uninstall.exe", "/S", r"_?=C:\nowhere")
    assert done.returncode == 2
    assert wine.reg(UNINST_KEY)["DisplayVersion"] == "0.1.0"
    assert (wine.program_dir / "xianjie.exe").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["/PLATFORM=ftp://example.gov.cn"],
        ["/PLATFORM=https://example.gov.cn\\api"],
        ["/UNIT=a\\b"],
        ["/SITE=Z:\\no\\such\\site.toml"],
        ["/CA=Z:\\no\\such\\ca.pem"],
    ],
    ids=["platform-scheme", "platform-backslash", "unit-backslash", "site-missing", "ca-missing"],
)
@pytest.mark.slow
def test_bad_parameters_exit_2_and_change_nothing(
    wine: Wine, installers: dict[str, Path], args: list[str]
) -> None:
    done = wine.run(str(installers["0.1.0"]), "/S", *args)
    assert done.returncode == 2
    assert not wine.program_dir.exists() and not wine.site_dir.exists()
    assert wine.reg(UNINST_KEY) == {}


@pytest.mark.slow
def test_windows_7_is_refused_with_exit_2(wine: Wine, installers: dict[str, Path]) -> None:
    wine.windows_version("win7")
    try:
        done = wine.run(str(installers["0.1.0"]), "/S")
    finally:
        wine.windows_version("win10")
    assert done.returncode == 2
    assert not wine.program_dir.exists()


@pytest.mark.slow
def test_a_shared_install_folder_keeps_other_programs(
    wine: Wine, installers: dict[str, Path]
) -> None:
    tools = wine.c / "Tools"
    tools.mkdir(exist_ok=True)
    (tools / "other.exe").write_bytes(b"MZ someone else's program")
    (tools / "notes.txt").write_text("keep me")
    try:
        assert wine.run(str(installers["0.1.0"]), "/S", r"/D=C:\Tools").returncode == 0
        assert wine.run(str(installers["0.2.0"]), "/S").returncode == 0  # upgrade there
        done = wine.run(r"C:\Tools\uninstall.exe", "/S", r"_?=C:\Tools")
        assert done.returncode == 0
        assert sorted(p.name for p in tools.iterdir()) == [
            "notes.txt",
            "other.exe",
            "uninstall.exe",
        ]
    finally:
        shutil.rmtree(tools, ignore_errors=True)
