"""The frozen app, built once per pytest session (installer/README.md).

``bundle_dir`` is the PyInstaller onedir folder holding the executable ``xianjie``. It is
built by :func:`installer.bundle.build_bundle` into a temporary folder, or taken from
``XIANJIE_BUNDLE_DIR`` when that names an existing bundle (fast local runs:
``.venv/bin/python installer/bundle.py --dist dist`` once, then
``XIANJIE_BUNDLE_DIR=dist/xianjie pytest tests/installer``).
"""

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from installer.bundle import build_bundle, executable_name
from tests.conftest import CliResult

BUNDLE_ENV = "XIANJIE_BUNDLE_DIR"

RunFrozen = Callable[..., CliResult]


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The onedir bundle (a folder with ``xianjie`` and ``_internal/``), built once."""
    given = os.environ.get(BUNDLE_ENV, "").strip()
    if given:
        folder = Path(given).resolve()
        if not (folder / executable_name()).is_file():
            pytest.fail(f"{BUNDLE_ENV}={given} holds no {executable_name()}")
        return folder
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e .[bundle])")
    work = tmp_path_factory.mktemp("bundle")
    bundle = build_bundle(work / "dist", work / "build")
    shutil.rmtree(work / "build", ignore_errors=True)  # ~300 MB of PyInstaller's work files
    return bundle


@pytest.fixture
def frozen_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment for the frozen app: headless, no host site config or data folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XIANJIE_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["XIANJIE_SITE_CONFIG"] = str(tmp_path / "no-site.toml")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture
def run_frozen(bundle_dir: Path, frozen_env: dict[str, str], tmp_path: Path) -> RunFrozen:
    """Run the bundle's ``xianjie ARGS...`` as a real process (cwd: a fresh folder)."""

    def run(
        *args: str | Path,
        env: dict[str, str] | None = None,
        timeout: float = 300,
        input: str | None = None,
    ) -> CliResult:
        done = subprocess.run(
            [str(bundle_dir / executable_name()), *map(str, args)],
            env={**frozen_env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            cwd=tmp_path,
            input=input,
            check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
