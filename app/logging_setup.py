"""Rotating log files in the data folder."""

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_dir: Path | None, *, verbose: bool = False) -> Path | None:
    """Log to ``log_dir/xianjie.log`` (5 x 2 MB, rotated); the file, or None if unwritable."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in list(root.handlers):
        if getattr(old, "_xianjie", False):
            root.removeHandler(old)
            old.close()
    log_file: Path | None = None
    handler: logging.Handler
    try:
        if log_dir is None:
            raise FileNotFoundError
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / "xianjie.log"
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
        )
        handler.setFormatter(logging.Formatter(_FORMAT))
    except OSError:
        # No log file: swallow records rather than let logging's last resort print them to
        # stderr, where the CLI promises one line per failure.
        log_file = None
        handler = logging.NullHandler()
    setattr(handler, "_xianjie", True)  # noqa: B010 - marks our own handler for replacement
    root.addHandler(handler)
    return log_file
