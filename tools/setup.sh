#!/usr/bin/env bash
# Set up everything Xianjie needs to run and to be tested, on Debian 12 (also UOS/Kylin).
#
#   bash tools/setup.sh
#
# Idempotent: a second run only checks. As root, installs the Debian packages a fresh machine
# lacks (Chinese fonts, the Qt xcb/EGL/xkb runtime libraries, xvfb, sqlite3, python3-venv);
# as another user it names the missing ones and carries on. Then makes .venv inside the checkout
# and installs the project with its dev extra (editable), unless that is already done.
#
# Environment: PYTHON (default python3), VENV (default <checkout>/.venv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$ROOT/.venv}"

APT_PACKAGES=(
  fonts-noto-cjk
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-xfixes0 libdbus-1-3 libfontconfig1 libglib2.0-0
  xvfb xauth sqlite3
  poppler-utils
  postgresql
  python3-venv python3-pip
  sane-utils libsane1 libsane-dev tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng
  qpdf ghostscript imagemagick
  gcc python3-dev  # python-sane is built from source against libsane-dev
  binutils dpkg-dev lintian nsis  # installers: PyInstaller (objdump), .deb checks, makensis
  icu-devtools  # icupkg: the bundle keeps only the Chinese and English ICU data (installer/README.md)
  ibus dbus-x11  # Chinese input tests of the packaged app (docs in installer/)
  desktop-file-utils fcitx5  # .deb checks: desktop-file-validate; fcitx5's IBus frontend test
  libwayland-client0 libwayland-cursor0 libwayland-egl1 libdrm2 libx11-xcb1  # the .deb's Depends
)

say() { printf '[setup] %s\n' "$*"; }

missing_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_system_packages() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "not a Debian-family system: install Chinese fonts and the Qt runtime libraries yourself"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_apt_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages: all present"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "missing system packages (run as root to install): ${missing[*]}"
    return 0
  fi
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

make_venv() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Xianjie needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)"
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    say "creating $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install (or never installed).
  local stamp="$VENV/.xianjie-installed"
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
      && "$VENV/bin/python" -c 'import app, PySide6, pytest, mypy, PyInstaller' >/dev/null 2>&1; then
    say "python packages: up to date ($VENV)"
    return 0
  fi
  say "installing the project and its dev tools into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[dev,central,scan,bundle]"
  printf '%s\n' "$want" >"$stamp"
}

install_system_packages
make_venv
say "ready: $VENV/bin/xianjie"
