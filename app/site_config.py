"""The site configuration that IT staff deploy beside the install (``site.toml``).

Keys (all optional)::

    [platform]
    url = "https://lfxj.example.gov.cn/api/v1"   # central platform
    ca_bundle = "/etc/xianjie/ca.pem"             # PEM file to verify TLS against
    proxy = "http://proxy.example:3128"           # HTTP(S) proxy

    [unit]
    code = "320300-HB"                             # this desk's unit code
    name = "徐州市生态环境局"

    [ui]
    language = "zh_CN"                             # or "en"
"""

from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

from app.errors import ConfigError

_LANGUAGES = ("zh_CN", "en")


class SiteConfig(NamedTuple):
    """Validated site settings; defaults mean "embedded, offline, no platform". (A named
    tuple, not a dataclass: this is defined at every start, see ``app.paths.DataPaths``.)"""

    platform_url: str | None = None
    ca_bundle: Path | None = None
    proxy: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    language: str = "zh_CN"
    source: Path | None = None


def load_site_config(path: Path) -> SiteConfig:
    """Read and validate ``path``; a missing file gives the defaults.

    Raises :class:`ConfigError` with a Chinese message naming the file and the key.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SiteConfig()
    except OSError as exc:
        raise ConfigError(f"无法读取站点配置文件 {path}", detail=exc.strerror or str(exc)) from exc
    import tomllib  # only when a site file exists: keeps it off the default start-up path

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"站点配置文件 {path} 不是 UTF-8 编码的文本") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"站点配置文件 {path} 格式错误：{exc}") from exc
    return _validate(data, path)


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"站点配置文件 {path} 中 [{name}] 应为一个表（section）")
    return value


def _string(section: dict[str, Any], key: str, where: str, path: Path) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"站点配置文件 {path} 中 {where}.{key} 应为非空文本")
    return value.strip()


def _validate(data: dict[str, Any], path: Path) -> SiteConfig:
    known = {"platform", "unit", "ui"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"站点配置文件 {path} 含有未知的设置节：{'、'.join(unknown)}")
    platform = _section(data, "platform", path)
    unit = _section(data, "unit", path)
    ui = _section(data, "ui", path)

    url = _string(platform, "url", "platform", path)
    if url is not None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"站点配置文件 {path} 中 platform.url 不是有效的网址：{url}")
    proxy = _string(platform, "proxy", "platform", path)
    if proxy is not None and urlparse(proxy).scheme not in ("http", "https", "socks5"):
        raise ConfigError(f"站点配置文件 {path} 中 platform.proxy 不是有效的代理地址：{proxy}")
    ca = _string(platform, "ca_bundle", "platform", path)
    language = _string(ui, "language", "ui", path) or "zh_CN"
    if language not in _LANGUAGES:
        raise ConfigError(
            f"站点配置文件 {path} 中 ui.language 只能是 {'、'.join(_LANGUAGES)}，而不是 {language}"
        )
    return SiteConfig(
        platform_url=url,
        ca_bundle=Path(ca) if ca else None,
        proxy=proxy,
        unit_code=_string(unit, "code", "unit", path),
        unit_name=_string(unit, "name", "unit", path),
        language=language,
        source=path,
    )
