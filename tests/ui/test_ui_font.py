"""The UI font: a desktop font without Chinese glyphs gives way to fontconfig's choice for
Chinese; one with them stays. Real fontconfig, real fonts (fonts-noto-cjk and DejaVu are
installed by tools/setup.sh)."""

import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication

from app.ui.application import prepare_fonts
from app.ui.fontconfig import HAN_PROBE, han_ui_family

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("fc-list") is None,
    reason="fontconfig (Linux) only",
)


def _chinese_families() -> set[str]:
    """Every family name of the installed fonts that have all of ``HAN_PROBE``."""
    listed = subprocess.run(
        ["fc-list", f":charset={' '.join(f'{ord(c):x}' for c in HAN_PROBE)}", "family"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def _fc_match(pattern: str) -> str:
    return subprocess.run(
        ["fc-match", "-f", "%{family[0]}", pattern], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def app_font(qapp: QApplication) -> Iterator[QApplication]:
    """The application, its font put back afterwards (the font is process-wide)."""
    before = qapp.font()
    yield qapp
    qapp.setFont(before)


def test_a_font_without_chinese_gives_way_to_fontconfigs_choice_for_chinese() -> None:
    chinese = _chinese_families()
    assert chinese, "no font with Chinese glyphs installed (fonts-noto-cjk)"
    latin_only = _fc_match("DejaVu Sans")
    assert latin_only not in chinese
    family = han_ui_family(latin_only)
    assert family == _fc_match("sans-serif:lang=zh-cn")  # the desk's own preference
    assert family in chinese


def test_a_font_with_chinese_stays() -> None:
    for family in _chinese_families():
        assert han_ui_family(family) is None, family


def test_an_unknown_family_is_judged_by_the_font_fontconfig_puts_in_its_place() -> None:
    assert han_ui_family("No Such Font 无此字体") in _chinese_families()


def test_prepare_fonts_sets_the_app_font_and_keeps_its_size(app_font: QApplication) -> None:
    latin = QFont(app_font.font())
    latin.setFamilies(["DejaVu Sans"])
    latin.setPointSizeF(10.5)
    app_font.setFont(latin)

    prepare_fonts(app_font)

    font = app_font.font()
    assert font.pointSizeF() == 10.5
    assert QFontInfo(font).family() == _fc_match("sans-serif:lang=zh-cn")


def test_prepare_fonts_keeps_a_chinese_desktop_font(app_font: QApplication) -> None:
    family = sorted(_chinese_families())[0]
    chinese = QFont(app_font.font())
    chinese.setFamilies([family])
    app_font.setFont(chinese)

    prepare_fonts(app_font)

    assert app_font.font().families() == [family]
