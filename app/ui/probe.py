"""The GUI part of ``xianjie selftest``: can Qt start here, and can it draw Chinese?"""

import os

from app.errors import UserError

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimSun",
    "WenQuanYi Micro Hei",
)
"""Fonts that render simplified Chinese, preferred first (Noto on Debian/UOS, YaHei on Windows)."""


def offscreen_probe() -> str:
    """Start Qt (offscreen when there is no display), show a widget, look for a CJK font.

    Returns a one-line description; raises :class:`UserError` (Chinese) if Qt cannot start
    or no Chinese font is installed.
    """
    no_display = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if no_display and os.name != "nt" and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from PySide6.QtCore import qVersion
        from PySide6.QtGui import QFontDatabase, QGuiApplication
        from PySide6.QtWidgets import QApplication, QLabel
    except ImportError as exc:
        raise UserError("无法加载 Qt 图形库（PySide6）", detail=str(exc)) from exc
    try:
        app = QApplication.instance() or QApplication(["xianjie-selftest"])
    except Exception as exc:  # Qt aborts for a missing plugin; other failures land here
        raise UserError("Qt 图形界面无法启动", detail=str(exc)) from exc
    label = QLabel("衔接 两法衔接 自检")
    label.show()
    app.processEvents()
    shown = label.isVisible()
    label.close()
    label.deleteLater()
    if not shown:
        raise UserError("Qt 图形界面无法显示窗口")
    families = set(QFontDatabase.families())
    found = next((f for f in CJK_FAMILIES if f in families), None)
    if found is None:
        found = next(
            (
                f
                for f in families
                if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(f)
            ),
            None,
        )
    if found is None:
        raise UserError(
            "未找到中文字体，界面中的汉字将无法显示。"
            "请安装 Noto Sans CJK SC（Debian/UOS：apt install fonts-noto-cjk）。"
        )
    return f"Qt {qVersion()}，平台插件 {QGuiApplication.platformName()}，中文字体 {found}"
