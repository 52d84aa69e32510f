"""site.toml: defaults when missing, validated keys, Chinese messages that name the file."""

from pathlib import Path

import pytest

from app.errors import ConfigError
from app.site_config import SiteConfig, load_site_config


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "site.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_missing_file_gives_embedded_defaults(tmp_path: Path) -> None:
    config = load_site_config(tmp_path / "absent.toml")
    assert config == SiteConfig()
    assert config.platform_url is None and config.language == "zh_CN"


def test_full_config_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[platform]
url = "https://lfxj.example.gov.cn/api/v1"
ca_bundle = "/etc/xianjie/ca.pem"
proxy = "http://proxy.example:3128"

[unit]
code = "320300-HB"
name = "徐州市生态环境局"

[ui]
language = "en"
""",
    )
    config = load_site_config(path)
    assert config.platform_url == "https://lfxj.example.gov.cn/api/v1"
    assert config.ca_bundle == Path("/etc/xianjie/ca.pem")
    assert config.proxy == "http://proxy.example:3128"
    assert config.unit_code == "320300-HB"
    assert config.unit_name == "徐州市生态环境局"
    assert config.language == "en"
    assert config.source == path


def test_empty_file_is_valid(tmp_path: Path) -> None:
    config = load_site_config(_write(tmp_path, ""))
    assert config.platform_url is None
    assert config.source is not None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("[platform\nurl = 'x'", "格式错误", id="bad-toml"),
        pytest.param("[platform]\nurl = 42\n", "platform.url 应为非空文本", id="wrong-type"),
        pytest.param("[platform]\nurl = '   '\n", "platform.url 应为非空文本", id="blank"),
        pytest.param("[platform]\nurl = 'ftp://x.example'\n", "不是有效的网址", id="bad-scheme"),
        pytest.param("[platform]\nurl = 'https://'\n", "不是有效的网址", id="no-host"),
        pytest.param("[platform]\nproxy = 'proxy:3128'\n", "不是有效的代理地址", id="bad-proxy"),
        pytest.param("[server]\nurl = 'https://x.example'\n", "未知的设置节：server", id="unknown"),
        pytest.param("platform = 'https://x.example'\n", "[platform] 应为一个表", id="not-table"),
        pytest.param("[ui]\nlanguage = 'fr'\n", "ui.language 只能是", id="bad-language"),
        pytest.param("[unit]\ncode = ['a']\n", "unit.code 应为非空文本", id="list-for-text"),
    ],
)
def test_malformed_config_names_the_file(tmp_path: Path, content: str, expected: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    assert expected in caught.value.message
    assert str(path) in caught.value.message


def test_not_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "[unit]\nname = '徐州市生态环境局'\n".encode("gb18030"))
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    assert "UTF-8" in caught.value.message and str(path) in caught.value.message


def test_unreadable_path_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "site.toml"
    folder.mkdir()  # a folder where the file should be
    with pytest.raises(ConfigError) as caught:
        load_site_config(folder)
    assert "无法读取站点配置文件" in caught.value.message
