"""/usr/bin/xianjie, the .deb's sh launcher: which Qt input method it asks for.

The launcher is rendered by installer/linux/build_deb.py for a fake /opt/xianjie whose
``xianjie`` prints the environment it was started with, and run with /bin/sh (dash on
Debian, as on UOS/Kylin) and bash. No bundle is needed.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from installer.linux.build_deb import IM_PLUGIN_SUBDIR, render_launcher

SHELLS = [s for s in ("sh", "dash", "bash") if shutil.which(s)]
SHOWN = ("QT_IM_MODULE", "QT_IM_MODULES", "LD_LIBRARY_PATH")
IM_ENV = ("QT_IM_MODULE", "QT_IM_MODULES", "XMODIFIERS", "GTK_IM_MODULE", "XIANJIE_QT_IM_MODULE")


def _fake_app(root: Path, plugins: tuple[str, ...]) -> Path:
    app = root / "opt-xianjie"
    plugin_dir = app / IM_PLUGIN_SUBDIR
    plugin_dir.mkdir(parents=True)
    for name in plugins:
        (plugin_dir / f"lib{name}platforminputcontextplugin.so").write_bytes(b"")
    exe = app / "xianjie"
    lines = ["#!/bin/sh"]
    lines += [f"printf '{var}=%s\\n' \"${{{var}-<unset>}}\"" for var in SHOWN]
    lines += ['for a in "$@"; do printf \'arg=%s\\n\' "$a"; done', "exit 7"]
    exe.write_text("\n".join(lines) + "\n", encoding="utf-8")
    exe.chmod(0o755)
    launcher = root / "xianjie-launcher"
    launcher.write_text(render_launcher(str(app), IM_PLUGIN_SUBDIR), encoding="utf-8")
    launcher.chmod(0o755)
    return launcher


def _run(
    tmp_path: Path,
    shell: str,
    env: dict[str, str],
    *,
    plugins: tuple[str, ...] = ("compose", "ibus"),
    args: tuple[str, ...] = (),
) -> tuple[int, dict[str, str], list[str]]:
    launcher = _fake_app(tmp_path, plugins)
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [shell, str(launcher), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr == ""
    seen: dict[str, str] = {}
    passed: list[str] = []
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "arg":
            passed.append(value)
        else:
            seen[key] = value
    return done.returncode, seen, passed


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # fcitx5 through its IBus frontend: the wheel's Qt has no fcitx plugin
        ({"QT_IM_MODULE": "fcitx"}, "ibus"),
        ({"QT_IM_MODULE": "fcitx5"}, "ibus"),
        ({"QT_IM_MODULE": "fcitx", "XMODIFIERS": "@im=fcitx"}, "ibus"),
        ({"XMODIFIERS": "@im=fcitx"}, "ibus"),
        ({"XMODIFIERS": "@im=fcitx5"}, "ibus"),
        ({"GTK_IM_MODULE": "fcitx"}, "ibus"),
        ({"GTK_IM_MODULE": "fcitx5"}, "ibus"),
        # ibus desks work directly
        ({"QT_IM_MODULE": "ibus"}, "ibus"),
        ({"XMODIFIERS": "@im=ibus"}, "ibus"),
        ({"GTK_IM_MODULE": "ibus"}, "ibus"),
        # anything else is left to Qt as it is
        ({"QT_IM_MODULE": "compose"}, "compose"),
        ({"QT_IM_MODULE": "ibus", "XMODIFIERS": "@im=fcitx"}, "ibus"),
        ({}, "<unset>"),
        ({"XMODIFIERS": "@im=none"}, "<unset>"),
        # the admin's override is taken verbatim
        ({"XIANJIE_QT_IM_MODULE": "fcitx", "XMODIFIERS": "@im=fcitx"}, "fcitx"),
        ({"XIANJIE_QT_IM_MODULE": "compose", "QT_IM_MODULE": "fcitx"}, "compose"),
    ],
)
def test_qt_im_module(tmp_path: Path, shell: str, env: dict[str, str], expected: str) -> None:
    code, seen, _ = _run(tmp_path, shell, env)
    assert code == 7  # the app's exit status comes back (exec)
    assert seen["QT_IM_MODULE"] == expected
    assert seen["LD_LIBRARY_PATH"] == "<unset>"


@pytest.mark.parametrize("shell", SHELLS)
def test_a_bundled_fcitx_plugin_is_used(tmp_path: Path, shell: str) -> None:
    plugins = ("compose", "ibus", "fcitx5")
    _, seen, _ = _run(tmp_path, shell, {"QT_IM_MODULE": "fcitx"}, plugins=plugins)
    assert seen["QT_IM_MODULE"] == "fcitx"
    _, seen, _ = _run(tmp_path / "b", shell, {"XMODIFIERS": "@im=fcitx"}, plugins=plugins)
    assert seen["QT_IM_MODULE"] == "fcitx"


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("wayland;fcitx;ibus", "wayland;ibus;ibus"),
        ("fcitx5", "ibus"),
        (";fcitx;", "ibus"),
        ("ibus;compose", "ibus;compose"),
    ],
)
def test_qt_im_modules_list(tmp_path: Path, shell: str, given: str, expected: str) -> None:
    """Qt 6.8+ reads the QT_IM_MODULES list before QT_IM_MODULE: its fcitx entries map too."""
    _, seen, _ = _run(tmp_path, shell, {"QT_IM_MODULES": given})
    assert seen["QT_IM_MODULES"] == expected
    _, seen, _ = _run(
        tmp_path / "o", shell, {"QT_IM_MODULES": given, "XIANJIE_QT_IM_MODULE": "ibus"}
    )
    assert seen["QT_IM_MODULES"] == "<unset>"


@pytest.mark.parametrize("shell", SHELLS)
def test_arguments_pass_through_unchanged(tmp_path: Path, shell: str) -> None:
    args = ("--data-dir", "/tmp/有 空格", "selftest", "--json", "", "$HOME", "*")
    _, _, passed = _run(tmp_path, shell, {}, args=args)
    assert passed == list(args)


def test_rendered_launcher_names_the_real_paths() -> None:
    text = render_launcher()
    assert text.startswith("#!/bin/sh\n")
    assert "APP_DIR='/opt/xianjie'" in text
    assert f'IM_PLUGIN_DIR="$APP_DIR/{IM_PLUGIN_SUBDIR}"' in text
    assert 'exec "$APP_DIR/xianjie" "$@"' in text
    assert "@" + "APP_DIR@" not in text and "LD_LIBRARY_PATH=" not in text
