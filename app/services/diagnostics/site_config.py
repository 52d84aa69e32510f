"""``site-config.json``: the site file read raw, its secrets found, and shown redacted
next to the effective config."""

import hashlib
import re
from pathlib import Path
from typing import Any

from app.site_config import SiteConfig

from .bundle import _Bundle
from .redaction import REDACTED, is_secret_key, redact_tree, url_credentials


def _read_raw_site(site_path: Path) -> dict[str, Any]:
    """The site file as text and, if it parses, as a table (for redaction and display)."""
    result: dict[str, Any] = {"path": str(site_path), "exists": False}
    try:
        raw = site_path.read_bytes()
    except FileNotFoundError:
        return result
    except OSError as exc:
        result["error"] = exc.strerror or str(exc)
        return result
    result["exists"] = True
    text = raw.decode("utf-8", errors="replace")
    result["text"] = text
    import tomllib

    try:
        result["parsed"] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result["parse_error"] = str(exc)
    return result


_RAW_ASSIGNMENT = re.compile(r"""^\s*["']?([\w.\-]+)["']?\s*=\s*["']?([^"'#\n]*)""", re.M)


def _raw_site_secrets(text: str) -> list[str]:
    """Secret values from a site file that does not parse (line by line, best effort)."""
    found: list[str] = []
    for key, value in _RAW_ASSIGNMENT.findall(text):
        value = value.strip()
        if is_secret_key(key):
            found.append(value)
        if "://" in value:
            found.extend(url_credentials(value))
    return found


def _site_section(
    bundle: _Bundle,
    site_path: Path,
    site: SiteConfig,
    site_problem: str | None,
    raw: dict[str, Any],
) -> list[str]:
    scrub = bundle.scrub
    effective = {
        "platform_url": scrub(site.platform_url) if site.platform_url else None,
        "ca_bundle": str(site.ca_bundle) if site.ca_bundle else None,
        "proxy": scrub(site.proxy) if site.proxy else None,
        "unit_code": site.unit_code,
        "unit_name": site.unit_name,
        "language": site.language,
        "source": str(site.source) if site.source else None,
    }
    report: dict[str, Any] = {
        "path": str(site_path),
        "exists": raw.get("exists", False),
        "problem": site_problem,
        "effective": effective,
        "note": "密钥、令牌、密码和代理地址中的用户名与密码已替换为 ***",
    }
    if "error" in raw:
        report["read_error"] = raw["error"]
    if "parsed" in raw:
        report["file"] = redact_tree(raw["parsed"], scrub)
    elif "parse_error" in raw:
        report["parse_error"] = raw["parse_error"]
    if site.ca_bundle is not None:
        report["ca_bundle"] = _ca_summary(site.ca_bundle)
    members = [bundle.json("site-config.json", report)]
    if raw.get("exists") and "parsed" not in raw:
        # An unparseable file is shown line by line, each line scrubbed.
        members.append(bundle.text("site.toml.redacted.txt", _redact_lines(raw.get("text", ""))))
    return members


def _redact_lines(text: str) -> str:
    lines = []
    for line in text.splitlines():
        match = _RAW_ASSIGNMENT.match(line)
        if match and is_secret_key(match.group(1)):
            lines.append(f"{match.group(1)} = {REDACTED}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def _ca_summary(ca: Path) -> dict[str, Any]:
    try:
        data = ca.read_bytes()
    except OSError as exc:
        return {"path": str(ca), "readable": False, "error": exc.strerror or str(exc)}
    return {
        "path": str(ca),
        "readable": True,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "certificates": data.count(b"-----BEGIN CERTIFICATE-----"),
    }
