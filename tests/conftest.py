"""Shared fixtures: a real data folder and a real SQLite store in a temp directory."""

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.paths import DataPaths
from app.services.accounts import SignedInUser
from app.store.db import Store, open_store
from tests.case_seed import add_home_unit, add_inspector


@pytest.fixture
def data_paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def store(data_paths: DataPaths) -> Iterator[Store]:
    opened = open_store(data_paths)
    yield opened
    opened.close()


@pytest.fixture
def inspector(store: Store) -> SignedInUser:
    """An inspector (李执法) of 铜山生态环境局, created with the unit and its admin."""
    return add_inspector(store, add_home_unit(store))


# --------------------------------------------------------------------------- the CLI as a process

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CliResult:
    """A finished ``xianjie`` process."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_lines(self) -> list[str]:
        """The non-empty lines on stderr (a handled failure prints exactly one)."""
        return [line for line in self.stderr.splitlines() if line.strip()]


RunCli = Callable[..., CliResult]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment for CLI subprocesses: no site config or data folder from the host."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANJIE_")}
    env["XIANJIE_SITE_CONFIG"] = str(tmp_path / "no-site.toml")
    env["XIANJIE_CACHE_DIR"] = str(tmp_path / "cache")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str]) -> RunCli:
    """Run ``python main.py ARGS...`` in a real subprocess.

    Keyword arguments: ``env`` (extra variables), ``prefix`` (a command to wrap it in, e.g.
    ``setpriv ...``), ``preexec_fn``, ``timeout``, ``cwd``.
    """

    def run(
        *args: str | Path,
        env: dict[str, str] | None = None,
        prefix: tuple[str, ...] = (),
        preexec_fn: Callable[[], None] | None = None,
        timeout: float = 180,
        cwd: Path | None = None,
    ) -> CliResult:
        command = [*prefix, sys.executable, str(REPO_ROOT / "main.py"), *map(str, args)]
        done = subprocess.run(
            command,
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            preexec_fn=preexec_fn,
            cwd=cwd or REPO_ROOT,
            check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
