#!/usr/bin/env bash
# Set up everything (as root also the Debian packages) and run every check CI runs:
#
#   tools/test.sh                 # ruff, ruff format --check, mypy, the whole pytest suite
#   tools/test.sh tests/unit -x   # extra arguments go to pytest
#
# Qt runs offscreen (QT_QPA_PLATFORM=offscreen), so no display is needed. Exits non-zero when
# any step fails; all steps run, so one report shows every problem.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
cd "$ROOT"

bash tools/setup.sh || exit 1

export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
status=0
step() {
  local name="$1"
  shift
  printf '\n==> %s\n' "$name"
  local started=$SECONDS
  if "$@"; then
    printf '==> %s: ok (%ss)\n' "$name" "$((SECONDS - started))"
  else
    printf '==> %s: FAILED (%ss)\n' "$name" "$((SECONDS - started))"
    status=1
  fi
}

step "ruff check" "$VENV/bin/ruff" check .
step "ruff format --check" "$VENV/bin/ruff" format --check .
step "mypy" "$VENV/bin/mypy"
step "pytest" "$VENV/bin/pytest" -q -p no:cacheprovider "$@"

if [ "$status" -eq 0 ]; then
  printf '\nall checks passed\n'
else
  printf '\nSOME CHECKS FAILED\n'
fi
exit "$status"
