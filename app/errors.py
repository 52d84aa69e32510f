"""Errors that reach a person: each carries a plain Chinese message.

Expected problems (a full disk, a corrupt file, a malformed config) are raised as
:class:`UserError` subclasses; the CLI prints ``message`` on one line and exits 1, the GUI
shows it as a non-modal notice. Anything else is a bug and goes to the crash handler.
"""


class UserError(Exception):
    """An expected problem with a message for the user (Chinese)."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message if not self.detail else f"{self.message}（{self.detail}）"


class ConfigError(UserError):
    """The site or user configuration cannot be used."""


class StorageError(UserError):
    """The local store cannot be opened or written."""


class PermissionDenied(UserError):
    """The signed-in user's role does not allow the action."""


class ImportFormatError(UserError):
    """An import file is not a Xianjie export or is damaged."""
