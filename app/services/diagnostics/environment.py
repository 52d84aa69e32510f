"""``environment.json``: input-method, Qt, desktop and proxy variables, the input-method
programs and the Qt plugins PySide6 carries."""

import os
import shutil
from pathlib import Path
from typing import Any

from .versions import _pyside_dirs

IM_ENV = ("QT_IM_MODULE", "QT_IM_MODULES", "XMODIFIERS", "GTK_IM_MODULE", "SDL_IM_MODULE")
QT_ENV_PREFIXES = ("QT_",)
DESKTOP_ENV = (
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP",
    "DESKTOP_SESSION",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
)
PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def _env() -> dict[str, Any]:
    env = os.environ
    qt = {k: v for k, v in sorted(env.items()) if k.startswith(QT_ENV_PREFIXES)}
    proxies = {k: v for k, v in sorted(env.items()) if k.upper() in PROXY_ENV}  # scrubbed on write
    return {
        "input_method": {k: env.get(k) for k in IM_ENV},
        "qt": qt,
        "desktop": {k: env.get(k) for k in DESKTOP_ENV},
        "proxy": proxies,
        "input_method_programs": {
            name: shutil.which(name) for name in ("fcitx5", "fcitx", "ibus-daemon")
        },
        "qt_plugins": _qt_plugins(),
    }


def _qt_plugins() -> dict[str, list[str]]:
    """The platform and input-context plugins PySide6 carries (found without importing it)."""
    roots: list[Path] = []
    for location in _pyside_dirs():
        roots += [location / "Qt" / "plugins", location / "plugins"]
    found: dict[str, list[str]] = {}
    for root in roots:
        for kind in ("platforms", "platforminputcontexts", "platformthemes"):
            folder = root / kind
            if folder.is_dir():
                found.setdefault(kind, []).extend(sorted(p.name for p in folder.iterdir()))
    return found
