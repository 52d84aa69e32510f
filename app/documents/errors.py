"""Expected problems of scanning, import and PDF assembly, each with a Chinese message."""

from app.errors import UserError


class FileRefused(UserError):
    """A file cannot be imported: wrong type, damaged, too large, or over a limit."""


class PasswordRequired(FileRefused):
    """An encrypted PDF: ask for its password (or refuse it)."""


class ScanError(UserError):
    """The scanner reported a problem (jam, cover open, empty feeder, busy, gone)."""

    def __init__(self, message: str, *, status: str = "", detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.status = status


class ScanWorkerDied(ScanError):
    """The scan worker process ended without saying why (driver crash or killed)."""
