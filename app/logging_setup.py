"""Rotating log files in the data folder.

The desktop app starts with :func:`buffer_logging` (records kept in memory, no file handler
imported) and calls :func:`configure_logging` once its window is up; the buffered records are
then written to the file first, so nothing logged during start-up is lost. The CLI calls
:func:`configure_logging` at once.
"""

import logging
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARK = "_xianjie"


class _StartupBuffer(logging.Handler):
    """Holds records until the real handler is installed (bounded, oldest dropped)."""

    def __init__(self, limit: int = 10_000) -> None:
        super().__init__()
        self.limit = limit
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) >= self.limit:
            del self.records[0]
        self.records.append(record)


def _take_ours(root: logging.Logger) -> list[logging.LogRecord]:
    """Remove Xianjie's handlers from ``root``; return what a start-up buffer held."""
    pending: list[logging.LogRecord] = []
    for old in list(root.handlers):
        if getattr(old, _MARK, False):
            root.removeHandler(old)
            if isinstance(old, _StartupBuffer):
                pending.extend(old.records)
            old.close()
    return pending


def _install(root: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, _MARK, True)
    root.addHandler(handler)


def buffer_logging(*, verbose: bool = False) -> None:
    """Keep log records in memory until :func:`configure_logging` gives them a file."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    _take_ours(root)
    _install(root, _StartupBuffer())


def configure_logging(log_dir: Path | None, *, verbose: bool = False) -> Path | None:
    """Log to ``log_dir/xianjie.log`` (5 x 2 MB, rotated); the file, or None if unwritable."""
    import logging.handlers

    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    pending = _take_ours(root)
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
    _install(root, handler)
    for record in pending:
        if record.levelno >= root.level:
            handler.handle(record)
    return log_file
