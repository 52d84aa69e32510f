"""``paths.json``: the folders and files in use, whether they exist and are writable."""

import os
import sys
from pathlib import Path
from typing import Any

from app.paths import DataPaths


def _paths(paths: DataPaths, site_path: Path) -> dict[str, Any]:
    def describe(path: Path) -> dict[str, Any]:
        try:
            exists = path.exists()
            writable = os.access(path, os.W_OK) if exists else None
        except OSError as exc:
            return {"path": str(path), "error": exc.strerror or str(exc)}
        return {"path": str(path), "exists": exists, "writable": writable}

    return {
        "data_folder": describe(paths.root),
        "database": describe(paths.database),
        "attachments": describe(paths.attachments),
        "backups": describe(paths.backups),
        "logs": describe(paths.logs),
        "site_config": describe(site_path),
        "program": sys.executable,
        "program_folder": str(Path(sys.executable).resolve().parent),
        "working_folder": os.getcwd(),
        "environment": {k: v for k, v in os.environ.items() if k.startswith("XIANJIE_")},
    }
