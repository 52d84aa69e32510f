"""Where Xianjie keeps its files: the per-user data folder and the site config file."""

import os
import sys
from pathlib import Path
from typing import NamedTuple

import platformdirs

APP_NAME = "Xianjie"
DATA_DIR_ENV = "XIANJIE_DATA_DIR"
SITE_CONFIG_ENV = "XIANJIE_SITE_CONFIG"
CACHE_DIR_ENV = "XIANJIE_CACHE_DIR"


class DataPaths(NamedTuple):
    """The layout of one profile's data folder. (A named tuple, not a dataclass: this is
    defined at every start, and a frozen dataclass compiles its methods each time.)"""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "xianjie.db"

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    """``--data-dir`` wins, then ``XIANJIE_DATA_DIR``, then the platform's user data folder."""
    if explicit:
        return DataPaths(Path(explicit).expanduser().resolve())
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return DataPaths(Path(env).expanduser().resolve())
    return DataPaths(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def user_cache_dir() -> Path:
    """Files that only save time and can be deleted at any moment (never case data):
    ``XIANJIE_CACHE_DIR``, else the platform's per-user cache folder
    (``~/.cache/Xianjie``, ``%LOCALAPPDATA%\\Xianjie\\Cache``)."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_site_config_path() -> Path:
    """``/etc/xianjie/site.toml`` on Linux, ``%ProgramData%\\Xianjie\\site.toml`` on Windows."""
    env = os.environ.get(SITE_CONFIG_ENV)
    if env:
        return Path(env)
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(program_data) / APP_NAME / "site.toml"
    return Path("/etc/xianjie/site.toml")
