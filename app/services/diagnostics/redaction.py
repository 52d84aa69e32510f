"""The scrubber every text member passes through: known secret values, then secret-looking
patterns (``key = value``, ``user:password@`` in URLs, ``Bearer`` headers), become ``***``."""

import re
from collections.abc import Iterable
from typing import Any

from app.paths import DataPaths

REDACTED = "***"

_SECRET_KEY = re.compile(
    r"token|passw|pwd|secret|(?<![a-z])key(?![a-z])|api_?key|private|credential|auth|cookie",
    re.IGNORECASE,
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@'\"]+@")
_ASSIGNED_SECRET = re.compile(
    r"(?i)\b([\w.\-]*(?:token|passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?key)[\w.\-]*)"
    r"(\"?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&'\"]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|token|basic)(\s+)[A-Za-z0-9._~+/=\-]{8,}")


class Scrubber:
    """Removes secrets from text: known secret values first, then secret-looking patterns."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: set[str] = set()
        for value in secrets:
            self.add(value)

    def add(self, value: str | None) -> None:
        if value and len(value.strip()) >= 3:
            self.secrets.add(value.strip())

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
        text = _ASSIGNED_SECRET.sub(_keep_quotes, text)
        return _BEARER.sub(rf"\1\2{REDACTED}", text)


def _keep_quotes(match: "re.Match[str]") -> str:
    """``key = "value"`` -> ``key = "***"`` (quotes kept, so JSON and TOML stay valid)."""
    value = match.group(3)
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group(1)}{match.group(2)}{quote}{REDACTED}{quote}"


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def url_credentials(url: str) -> list[str]:
    """The user and password parts of ``scheme://user:password@host`` (may be empty)."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [p for p in (parts.username, parts.password) if p]
    return found + [unquote(p) for p in found if unquote(p) != p]


def redact_tree(value: Any, scrub: Scrubber, *, key: str = "") -> Any:
    """A copy of a parsed config: whatever sits under a secret-looking key is ``***``
    (a whole table too), and every other text is scrubbed."""
    if key and is_secret_key(key):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact_tree(v, scrub, key=str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_tree(v, scrub) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value


def _secret_values(value: Any, *, secret: bool = False) -> list[str]:
    """Every value under a secret-looking key, and every URL credential, in a parsed config."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(_secret_values(v, secret=secret or is_secret_key(str(k))))
    elif isinstance(value, list):
        for v in value:
            found.extend(_secret_values(v, secret=secret))
    elif isinstance(value, str | int | float):
        text = str(value)
        if secret:
            found.append(text)
        if "://" in text:
            found.extend(url_credentials(text))
    return found


def _device_token(paths: DataPaths) -> str | None:
    """The device token from its file, only to scrub it (the keyring is never asked)."""
    from app.sync.credentials import token_file

    try:
        return token_file(paths).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None
