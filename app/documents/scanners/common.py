"""Code every backend shares: option-value matching, Chinese status messages, page saving."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.documents.errors import ScanError
from app.documents.scanners import ScannedPage

if TYPE_CHECKING:
    from PIL.Image import Image

# Driver status -> (our status, Chinese message). Keys are SANE's status strings; the WIA
# backend maps its HRESULTs onto the same statuses.
STATUS_MESSAGES: dict[str, str] = {
    "jammed": "送纸器卡纸：请取出卡住的纸张后继续扫描，已扫描的页面已保留",
    "cover_open": "扫描仪盖板未关闭：请合上盖板后继续扫描，已扫描的页面已保留",
    "no_docs": "送纸器中没有纸：请放入文件后再扫描",
    "busy": "扫描仪正忙（可能被其他程序占用）：请稍后再试",
    "io_error": "与扫描仪通信出错：请检查连接线和电源",
    "no_mem": "扫描仪内存不足：请降低分辨率后再试",
    "access_denied": "没有使用该扫描仪的权限",
    "cancelled": "扫描已取消",
    "invalid": "扫描仪不接受这些设置（设备名称、来源或分辨率）",
    "unsupported": "扫描仪不支持此操作",
    "no_device": "找不到扫描仪：请检查设备是否已连接并开机",
    "no_driver": "本机没有可用的扫描驱动",
    "worker_died": "扫描进程意外退出（可能是扫描驱动崩溃），已扫描的页面已保留",
    "failed": "扫描失败",
}

_SANE_STATUS = {
    "document feeder jammed": "jammed",
    "scanner cover is open": "cover_open",
    "document feeder out of documents": "no_docs",
    "device busy": "busy",
    "error during device i/o": "io_error",
    "out of memory": "no_mem",
    "access to resource has been denied": "access_denied",
    "operation was cancelled": "cancelled",
    "operation was canceled": "cancelled",
    "invalid argument": "invalid",
    "operation not supported": "unsupported",
}


def status_of_sane_message(message: str) -> str:
    """Our status name for a SANE error string (``_sane.error`` carries only the text)."""
    return _SANE_STATUS.get(message.strip().rstrip(".").lower(), "failed")


def scan_error(status: str, detail: str = "") -> ScanError:
    return ScanError(
        STATUS_MESSAGES.get(status, STATUS_MESSAGES["failed"]), status=status, detail=detail
    )


def match_source(values: list[str], wanted: str) -> str | None:
    """The driver's own string for flatbed / adf / duplex (names differ between backends)."""
    lowered = [(v, v.lower()) for v in values]

    def first(pred: Callable[[str], bool]) -> str | None:
        for raw, low in lowered:
            if pred(low):
                return raw
        return None

    if wanted == "flatbed":
        return first(lambda s: "flatbed" in s or s == "fb" or "document table" in s or "glass" in s)
    if wanted == "adf":
        return first(
            lambda s: ("feeder" in s or "adf" in s) and "duplex" not in s and "back" not in s
        )
    if wanted == "duplex":
        return first(lambda s: "duplex" in s)
    return None


def match_mode(values: list[str], wanted: str) -> str | None:
    """The driver's own string for color / gray / lineart."""
    keys = {
        "color": ("color", "colour"),
        "gray": ("gray", "grey"),
        "lineart": ("lineart", "line art", "black and white", "binary", "halftone"),
    }[wanted]
    for value in values:
        if any(k in value.lower() for k in keys):
            return value
    return None


def page_name(index: int, mode: str) -> str:
    return f"page-{index:04d}." + ("tif" if mode == "lineart" else "jpg")


def save_page(
    image: Image, *, index: int, dpi: int, mode: str, out_dir: Path, jpeg_quality: int = 85
) -> ScannedPage:
    """Write one scanned page atomically: JPEG (gray/colour) or CCITT G4 TIFF (line-art).

    The resolution goes into the file, so a page keeps its real size in any later PDF.
    """
    if mode == "lineart":
        image = image if image.mode == "1" else image.convert("1")
    elif mode == "gray" and image.mode != "L":
        image = image.convert("L")
    elif mode == "color" and image.mode != "RGB":
        image = image.convert("RGB")
    target = out_dir / page_name(index, mode)
    tmp = target.with_name(f".{target.name}.part")
    if mode == "lineart":
        image.save(tmp, format="TIFF", compression="group4", dpi=(dpi, dpi))
    else:
        image.save(tmp, format="JPEG", quality=jpeg_quality, dpi=(dpi, dpi))
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    tmp.replace(target)
    return ScannedPage(index, target, image.width, image.height, dpi, mode)
