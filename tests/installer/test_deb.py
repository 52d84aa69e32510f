"""The .deb for UOS/Kylin/Debian (installer/linux/build_deb.py, README.md beside it).

Real parts throughout: the frozen bundle (``bundle_dir``), dpkg-deb, lintian, the extracted
executable, ibus-daemon on a private D-Bus session under Xvfb, and, as root, dpkg itself
installing, upgrading, removing and purging the package.
"""

import io
import os
import re
import shutil
import sqlite3
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.site_config import SiteConfig, load_site_config
from installer.linux.build_deb import (
    BASE_DEPENDS,
    HERE,
    IM_PLUGIN_SUBDIR,
    BuildError,
    build_deb,
    bundle_libraries,
    package_version,
    project_version,
    render_icons,
    render_launcher,
)
from tests.conftest import CliResult

SITE_TOML = Path("/etc/xianjie/site.toml")
WANTED_DEPENDS = (
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-randr0",
    "libxcb-xfixes0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0",
    "tesseract-ocr",
    "tesseract-ocr-chi-sim",
)


def _run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kw)


def _frozen_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XIANJIE_", "PYTHON", "VIRTUAL_ENV", "QT_", "LD_"))
    }
    env["XIANJIE_SITE_CONFIG"] = str(tmp / "no-site.toml")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _package_list(field: str) -> list[str]:
    return [item.strip() for item in field.split(",") if item.strip()]


# --------------------------------------------------------------------------- no bundle needed


def test_site_template_parses_to_the_defaults() -> None:
    template = HERE / "site.toml"
    assert load_site_config(template) == SiteConfig(source=template)


def test_site_template_examples_are_real_keys(tmp_path: Path) -> None:
    """Uncommenting every example line gives a valid config that sets every documented key."""
    example = re.compile(r"^# (\[\w+\]|\w+ = .+)$")
    lines = (HERE / "site.toml").read_text(encoding="utf-8").splitlines()
    enabled = [line[2:] if example.match(line) else line for line in lines]
    path = tmp_path / "site.toml"
    path.write_text("\n".join(enabled) + "\n", encoding="utf-8")
    site = load_site_config(path)
    assert site.platform_url and site.platform_url.startswith("https://")
    assert site.ca_bundle == Path("/etc/xianjie/ca.pem")
    assert site.proxy and site.unit_code and site.unit_name
    assert site.language == "zh_CN"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no desktop-file-utils")
def test_desktop_entry_validates() -> None:
    desktop = HERE / "xianjie.desktop"
    done = _run(["desktop-file-validate", str(desktop)])
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    text = desktop.read_text(encoding="utf-8")
    assert "\nName[zh_CN]=衔接\n" in text and "\nExec=xianjie\n" in text
    assert "\nIcon=xianjie\n" in text


def test_icons_render_at_every_size() -> None:
    from PIL import Image

    pngs = render_icons(HERE / "xianjie.svg", (48, 128, 256))
    for size, data in pngs.items():
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (size, size) and image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0  # transparent corner
            assert image.getpixel((size // 2, size // 8))[3] == 255  # the tile


def test_versions() -> None:
    assert project_version() == "0.1.0"
    assert package_version("0.1.0") == "0.1.0"
    assert package_version("0.1.0", "ci42") == "0.1.0+ci42"
    for bad in ("0.1.0-1", "v0.1.0", "0.1.0 beta", ""):
        with pytest.raises(BuildError):
            package_version(bad)
    older_than = [("0.1.0~build1", "0.1.0"), ("0.1.0", "0.1.0+ci1"), ("0.1.0+ci9", "0.1.0+ci10")]
    for older, newer in older_than:
        assert _run(["dpkg", "--compare-versions", older, "lt", newer]).returncode == 0


def test_an_unknown_system_library_stops_the_build(tmp_path: Path) -> None:
    """A bundled ELF needing a library the table does not know must not slip into a .deb."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        pytest.skip("tesseract is not installed")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy(tesseract, bundle / "tool")
    with pytest.raises(BuildError, match=r"libtesseract\.so\.\d+（tool 需要）"):
        bundle_libraries(bundle)
    (bundle / "tool").unlink()
    shutil.copy("/bin/true", bundle / "true")
    found = bundle_libraries(bundle)
    assert found.packages == {"libc6"} and found.glibc >= (2, 2)


# --------------------------------------------------------------------------- the built .deb


@pytest.fixture(scope="module")
def deb(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_deb(bundle_dir, tmp_path_factory.mktemp("deb"), project_version())


@pytest.fixture(scope="module")
def extracted(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's files, unpacked with ``dpkg-deb -x`` into a fresh folder."""
    root = tmp_path_factory.mktemp("extracted")
    done = _run(["dpkg-deb", "-x", str(deb), str(root)])
    assert done.returncode == 0, done.stderr
    return root


def _field(deb: Path, name: str) -> str:
    done = _run(["dpkg-deb", "-f", str(deb), name])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_control_fields(deb: Path) -> None:
    assert deb.name == f"xianjie_{project_version()}_amd64.deb"
    assert _field(deb, "Package") == "xianjie"
    assert _field(deb, "Version") == project_version()
    assert _field(deb, "Architecture") == "amd64"
    depends = _package_list(_field(deb, "Depends"))
    names = [d.split()[0] for d in depends]
    for wanted in (*WANTED_DEPENDS, *BASE_DEPENDS):
        assert wanted in names, f"{wanted} missing from Depends: {depends}"
    libc = next(d for d in depends if d.startswith("libc6"))
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\)", libc), libc
    recommends = _package_list(_field(deb, "Recommends"))
    assert "fonts-noto-cjk | fonts-wqy-microhei" in recommends
    assert "sane-utils" in recommends
    assert ("libsane1" in names) != ("libsane1" in recommends)  # Depends when the bundle links it
    assert int(_field(deb, "Installed-Size")) > 10_000  # KiB


@pytest.mark.slow
def test_contents_and_conffiles(deb: Path) -> None:
    listing = _run(["dpkg-deb", "-c", str(deb)])
    assert listing.returncode == 0, listing.stderr
    entries: dict[str, tuple[str, str]] = {}
    for line in listing.stdout.splitlines():
        mode, owner, _size, _date, _time, path, *_ = line.split()
        entries[path.removeprefix(".")] = (mode, owner)
    assert all(owner == "root/root" for _mode, owner in entries.values())
    expected_modes = {
        "/opt/xianjie/xianjie": "-rwxr-xr-x",
        "/usr/bin/xianjie": "-rwxr-xr-x",
        "/usr/share/applications/xianjie.desktop": "-rw-r--r--",
        "/usr/share/icons/hicolor/48x48/apps/xianjie.png": "-rw-r--r--",
        "/usr/share/icons/hicolor/128x128/apps/xianjie.png": "-rw-r--r--",
        "/usr/share/icons/hicolor/256x256/apps/xianjie.png": "-rw-r--r--",
        "/usr/share/icons/hicolor/scalable/apps/xianjie.svg": "-rw-r--r--",
        "/usr/share/man/man1/xianjie.1.gz": "-rw-r--r--",
        "/usr/share/doc/xianjie/copyright": "-rw-r--r--",
        "/usr/share/doc/xianjie/changelog.gz": "-rw-r--r--",
        "/usr/share/lintian/overrides/xianjie": "-rw-r--r--",
        "/etc/xianjie/site.toml": "-rw-r--r--",
        f"/opt/xianjie/{IM_PLUGIN_SUBDIR}/libibusplatforminputcontextplugin.so": "-rw-r--r--",
    }
    for path, mode in expected_modes.items():
        assert path in entries, f"{path} not in the package"
        assert entries[path][0] == mode, f"{path}: {entries[path][0]}"
    outside = [p for p in entries if not p.startswith(("/opt/xianjie/", "/usr/", "/etc/xianjie/"))]
    assert set(outside) <= {"/", "/opt/", "/etc/"}, outside
    conffiles = _run(["dpkg-deb", "-I", str(deb), "conffiles"])
    assert conffiles.stdout.split() == [str(SITE_TOML)]
    for script in ("postinst", "postrm"):
        text = _run(["dpkg-deb", "-I", str(deb), script]).stdout
        code = [s.strip() for s in text.splitlines() if s.strip() and not s.strip().startswith("#")]
        assert code and not any("HOME" in s or "/home" in s or "~" in s for s in code), code
        removals = [s for s in code if re.search(r"\brm\b", s)]
        assert removals == (["rm -rf /etc/xianjie"] if script == "postrm" else []), removals


@pytest.mark.slow
@pytest.mark.timeout(1200)  # lintian reads every file of a ~130 MB tree: ~50 s here
@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian is not installed")
def test_lintian_reports_no_errors(deb: Path) -> None:
    done = _run(["lintian", "--tag-display-limit", "0", str(deb)], timeout=1200)
    tags = [line for line in done.stdout.splitlines() if re.match(r"^[EWIPX]: ", line)]
    errors = [line for line in tags if line.startswith("E: ")]
    assert errors == [], "\n".join(errors)
    assert done.returncode == 0, done.stderr  # lintian itself ran through
    for line in tags:  # warnings and notes are shown (pytest -rA), not failed on
        print(line)


@pytest.mark.slow
def test_extracted_app_passes_selftest(extracted: Path, tmp_path: Path) -> None:
    """Acceptance: the packaged ``xianjie selftest`` headless, fresh data folder, no site file."""
    exe = extracted / "opt/xianjie/xianjie"
    done = _run(
        [str(exe), "--data-dir", str(tmp_path / "data"), "selftest", "--json"],
        env=_frozen_env(tmp_path),
        cwd=tmp_path,
        timeout=300,
    )
    result = CliResult(done.returncode, done.stdout, done.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.json()
    checks = {c["key"]: c for c in report["checks"]}
    assert report["ok"] is True
    failed = [c for c in report["checks"] if c["required"] and not c["ok"]]
    assert failed == []
    # the Chinese translations, the migrations and OCR were found
    i18n = [c for key, c in checks.items() if key.startswith("i18n")]
    assert i18n and all(c["ok"] for c in i18n), i18n or sorted(checks)
    migrations = [c for key, c in checks.items() if key.startswith("migrations")]
    assert migrations and all(c["ok"] for c in migrations), migrations or sorted(checks)
    assert checks["database.open"]["ok"] and checks["database.schema"]["ok"]
    assert checks["ocr"]["ok"], checks["ocr"]
    assert checks["site_config"]["ok"] and "默认设置" in checks["site_config"]["detail"]


@pytest.mark.slow
def test_input_method_plugins_resolve(extracted: Path) -> None:
    """The bundled ibus plugin and the xcb platform load their libraries from the bundle or
    from packages the .deb depends on (the bootloader puts _internal on the search path)."""
    app = extracted / "opt/xianjie"
    internal = app / "_internal"
    ibus = app / IM_PLUGIN_SUBDIR / "libibusplatforminputcontextplugin.so"
    assert ibus.is_file()
    xcb = next((app / IM_PLUGIN_SUBDIR).parent.glob("platforms/libqxcb.so"))
    env = {**os.environ, "LD_LIBRARY_PATH": str(internal)}
    for plugin in (ibus, xcb):
        done = _run(["ldd", str(plugin)], env=env)
        assert done.returncode == 0, done.stderr
        missing = [line.strip() for line in done.stdout.splitlines() if "not found" in line]
        assert missing == [], f"{plugin.name}: {missing}"
    fcitx = list((app / IM_PLUGIN_SUBDIR).glob("libfcitx*"))
    launcher = (extracted / "usr/bin/xianjie").read_text(encoding="utf-8")
    assert launcher == render_launcher("/opt/xianjie", IM_PLUGIN_SUBDIR)
    assert fcitx == [], "a fcitx plugin is bundled now: update the README and the launcher tests"


_IM_SESSION = textwrap.dedent(
    """\
    #!/bin/sh
    # Inside xvfb-run and dbus-run-session: start the input-method daemon ($1: ibus-daemon or
    # fcitx5), wait until it has published its IBus address, then run the rest as a command.
    daemon_kind=$1
    shift
    case "$daemon_kind" in
        ibus) ibus-daemon --panel=disable --xim=false --replace >"$WORK/im.log" 2>&1 & ;;
        fcitx5) fcitx5 --replace >"$WORK/im.log" 2>&1 & ;;
    esac
    daemon=$!
    tries=0
    until grep -qsx "IBUS_DAEMON_PID=$daemon" "$HOME"/.config/ibus/bus/*; do
        tries=$((tries + 1))
        if [ "$tries" -gt 600 ] || ! kill -0 "$daemon" 2>/dev/null; then
            echo "$daemon_kind did not publish an IBus address" >&2
            cat "$WORK/im.log" >&2
            exit 90
        fi
        sleep 0.1
    done
    cat "$HOME"/.config/ibus/bus/* >"$WORK/ibus-address"  # daemons blank it when they exit
    "$@"
    status=$?
    kill "$daemon" 2>/dev/null
    exit "$status"
    """
)
_IM_DESKS = {
    # desk: (daemon, the desk's environment)
    "ibus": ("ibus", {"QT_IM_MODULE": "ibus", "XMODIFIERS": "@im=ibus"}),
    "fcitx5": ("fcitx5", {"QT_IM_MODULE": "fcitx", "XMODIFIERS": "@im=fcitx"}),
}


@pytest.mark.slow
@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("dbus-run-session", "xvfb-run")),
    reason="needs dbus (dbus-run-session) and xvfb (tools/setup.sh installs them)",
)
@pytest.mark.parametrize("desk", sorted(_IM_DESKS))
def test_the_packaged_app_opens_an_ibus_input_context(
    extracted: Path, tmp_path: Path, desk: str
) -> None:
    """Under X (Xvfb), started through its launcher, the packaged app loads the bundled ibus
    plugin and opens an input context with the desk's input-method daemon: ibus-daemon, or
    fcitx5 (its IBus frontend) on a desk that asks Qt for fcitx."""
    daemon, desk_env = _IM_DESKS[desk]
    if shutil.which("ibus-daemon" if daemon == "ibus" else daemon) is None:
        pytest.skip(f"{daemon} is not installed (tools/setup.sh installs it)")
    app_dir = extracted / "opt/xianjie"
    launcher = tmp_path / "xianjie"
    launcher.write_text(render_launcher(str(app_dir), IM_PLUGIN_SUBDIR), encoding="utf-8")
    launcher.chmod(0o755)
    session = tmp_path / "session.sh"
    session.write_text(_IM_SESSION, encoding="utf-8")
    session.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = _frozen_env(tmp_path)
    del env["QT_QPA_PLATFORM"]  # a real X server (Xvfb): offscreen loads no input method
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GTK_IM_MODULE"):
        env.pop(var, None)
    env.update(HOME=str(home), WORK=str(tmp_path), QT_DEBUG_PLUGINS="1", QDBUS_DEBUG="1")
    env.update(desk_env)
    command = [str(launcher), "--data-dir", str(tmp_path / "data"), "selftest"]
    done = _run(
        ["xvfb-run", "-a", "dbus-run-session", "--", str(session), daemon, *command],
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "平台插件 xcb" in done.stdout
    loaded = re.search(r"libibusplatforminputcontextplugin\.so\" loaded library", done.stderr)
    assert loaded, "the ibus plugin was not loaded"
    created = re.search(
        r"member=\"CreateInputContext\".*\n.*got message reply: .*"
        r"ObjectPath: /org/freedesktop/IBus/InputContext_\d+",
        done.stderr,
    )
    assert created, "no IBus input context was created"
    if daemon == "fcitx5":  # the address the app used was fcitx5's own
        published = (tmp_path / "ibus-address").read_text(encoding="utf-8")
        assert "fcitx_random_string" in published, published


# --------------------------------------------------------------------------- dpkg as root


def _dpkg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = _run(["dpkg", *args], env=env, stdin=subprocess.DEVNULL, timeout=600)
    assert done.returncode == 0, f"dpkg {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def _status(env: dict[str, str]) -> str:
    done = _run(["dpkg-query", "-W", "-f", "${Status} ${Version}", "xianjie"], env=env)
    status = done.stdout.strip()
    return "" if done.returncode != 0 or "not-installed" in status else status


def _case_count(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


@pytest.fixture
def clean_dpkg_state() -> Iterator[None]:
    """Refuse to run over an installed xianjie; always purge what the test installed."""
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root (CI runs as root)")
    if shutil.which("dpkg") is None:
        pytest.skip("no dpkg")
    if _status(dict(os.environ)):
        pytest.skip("xianjie is already known to dpkg on this machine: not touching it")
    if SITE_TOML.parent.exists():
        pytest.skip(f"{SITE_TOML.parent} exists already: not touching it")
    try:
        yield
    finally:
        if _status(dict(os.environ)):
            _run(["dpkg", "--purge", "xianjie"], stdin=subprocess.DEVNULL, timeout=600)
        shutil.rmtree(SITE_TOML.parent, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.timeout(1200)  # a second .deb build and four dpkg runs: ~40 s here
def test_install_upgrade_remove_purge_keep_user_data(
    clean_dpkg_state: None,
    deb: Path,
    bundle_dir: Path,
    tmp_path: Path,
) -> None:
    """dpkg -i the previous build, make data and edit site.toml, upgrade to this build: data
    and the edit survive; remove keeps both; purge deletes /etc/xianjie and never the data."""
    missing = [
        name
        for name in _package_list(_field(deb, "Depends"))
        if _run(["dpkg-query", "-W", "-f", "${Status}", name.split()[0]]).stdout
        != "install ok installed"
    ]
    assert missing == [], f"not installed here (add to tools/setup.sh APT_PACKAGES): {missing}"
    previous = build_deb(bundle_dir, tmp_path / "previous", f"{project_version()}~build1")

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIANJIE_", "QT_", "LD_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", DEBIAN_FRONTEND="noninteractive")
    data = home / ".local/share/Xianjie"  # the default data folder (platformdirs)

    def xianjie(*args: str) -> CliResult:
        done = _run(["/usr/bin/xianjie", *args], env=env, cwd=home, timeout=600)
        return CliResult(done.returncode, done.stdout, done.stderr)

    _dpkg("-i", str(previous), env=env)
    assert _status(env) == f"install ok installed {project_version()}~build1"
    assert SITE_TOML.read_bytes() == (HERE / "site.toml").read_bytes()
    made = xianjie("demo-data", "--cases", "20", "--json")
    assert made.returncode == 0, made.stderr
    assert _case_count(data / "xianjie.db") == 20
    edited = SITE_TOML.read_text(encoding="utf-8") + '\n[unit]\ncode = "TEST-320300"\n'
    SITE_TOML.write_text(edited, encoding="utf-8")

    _dpkg("-i", str(deb), env=env)  # the conffile did not change: dpkg keeps the edit, no prompt
    assert _status(env) == f"install ok installed {project_version()}"
    assert SITE_TOML.read_text(encoding="utf-8") == edited
    report = xianjie("selftest", "--json")
    assert report.returncode == 0, report.stdout + report.stderr
    checks = {c["key"]: c for c in report.json()["checks"]}
    assert "TEST-320300" in checks["site_config"]["detail"]
    assert str(data) in checks["database.open"]["detail"]
    assert _case_count(data / "xianjie.db") == 20
    before = _tree(data)

    _dpkg("-r", "xianjie", env=env)
    assert _status(env).startswith("deinstall ok config-files")
    assert not Path("/opt/xianjie").exists() and not Path("/usr/bin/xianjie").exists()
    assert SITE_TOML.read_text(encoding="utf-8") == edited
    assert _tree(data) == before

    _dpkg("-P", "xianjie", env=env)
    assert _status(env) == ""
    assert not SITE_TOML.parent.exists()
    assert _tree(data) == before
    assert _case_count(data / "xianjie.db") == 20
