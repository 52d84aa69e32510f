#!/usr/bin/env bash
# Set up (if needed) and start Xianjie on its embedded default: a local store in your user
# data folder, no server. Arguments go to the app unchanged:
#
#   tools/run-app.sh                              # the desktop app
#   tools/run-app.sh demo-data --cases 2000       # fill the store with sample cases
#   tools/run-app.sh --data-dir /tmp/x selftest   # any CLI command (see README.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"

bash "$ROOT/tools/setup.sh" >&2
# A desktop session has DISPLAY or WAYLAND_DISPLAY; without one, a GUI start goes offscreen.
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
  export QT_QPA_PLATFORM=offscreen
fi
exec "$VENV/bin/python" "$ROOT/main.py" "$@"
