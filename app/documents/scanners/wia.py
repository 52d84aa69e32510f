"""WIA (Windows Image Acquisition) through pywin32's COM automation, behind the same interface.

UNTESTED HERE: this module can only run on Windows with pywin32; the test machines are
Linux. What it shares with SANE (status messages, page saving, HRESULT mapping) is tested.
Property ids follow Microsoft's WIA headers (see docs/scanning.md for the ones to verify).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.documents.scanners import DeviceInfo, ScannedPage, ScanRequest
from app.documents.scanners.common import save_page, scan_error

WIA_DEVICE_TYPE_SCANNER = 1
DPS_DOCUMENT_HANDLING_SELECT = 3088
DPS_PAGES = 3096
IPS_XRES = 6147
IPS_YRES = 6148
IPA_DATATYPE = 4103
FEEDER, FLATBED, DUPLEX = 0x001, 0x002, 0x004
DATATYPE = {"lineart": 0, "gray": 2, "color": 3}
FORMAT_BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"

# HRESULTs of WIA errors -> our statuses (WiaDef.h).
HRESULT_STATUS = {
    0x80210001: "failed",  # WIA_ERROR_GENERAL_ERROR
    0x80210002: "jammed",  # WIA_ERROR_PAPER_JAM
    0x80210003: "no_docs",  # WIA_ERROR_PAPER_EMPTY
    0x80210004: "failed",  # WIA_ERROR_PAPER_PROBLEM
    0x80210005: "no_device",  # WIA_ERROR_OFFLINE
    0x80210006: "busy",  # WIA_ERROR_BUSY
    0x80210007: "failed",  # WIA_ERROR_WARMING_UP
    0x80210009: "no_device",  # WIA_ERROR_DEVICE_COMMUNICATION
    0x8021000A: "io_error",  # WIA_ERROR_INVALID_COMMAND
    0x8021000C: "cover_open",  # WIA_ERROR_COVER_OPEN
    0x80210064: "cancelled",  # WIA_S_NO_DEVICE_AVAILABLE / user cancel
}


def status_of_hresult(code: int) -> str:
    """Our status for a COM error code (signed or unsigned)."""
    return HRESULT_STATUS.get(code & 0xFFFFFFFF, "failed")


def _hresult(exc: BaseException) -> int:
    args: tuple[Any, ...] = getattr(exc, "args", ())
    excepinfo = args[2] if len(args) > 2 else None
    if isinstance(excepinfo, tuple) and len(excepinfo) > 5 and isinstance(excepinfo[5], int):
        return excepinfo[5]
    return int(args[0]) if args and isinstance(args[0], int) else 0


class WiaScanner:
    """WIA 1.0-style automation: feeder pages are fetched until PAPER_EMPTY."""

    def __init__(self) -> None:
        try:
            import win32com.client  # type: ignore[import-untyped, unused-ignore]
        except ImportError as exc:
            raise scan_error("no_driver", "WIA 仅在 Windows 上可用，并需要 pywin32") from exc
        self._client = win32com.client
        self._cancelled = False

    def devices(self) -> list[DeviceInfo]:
        manager = self._client.Dispatch("WIA.DeviceManager")
        found = []
        for info in manager.DeviceInfos:
            if info.Type == WIA_DEVICE_TYPE_SCANNER:
                name = str(info.Properties("Name").Value)
                found.append(DeviceInfo(str(info.DeviceID), "", name, "scanner"))
        return found

    def cancel(self) -> None:
        self._cancelled = True

    def scan(self, request: ScanRequest, out_dir: Path) -> Iterator[ScannedPage]:
        from PIL import Image

        self._cancelled = False
        out_dir.mkdir(parents=True, exist_ok=True)
        manager = self._client.Dispatch("WIA.DeviceManager")
        info = next((i for i in manager.DeviceInfos if str(i.DeviceID) == request.device), None)
        if info is None:
            raise scan_error("no_device", request.device)
        device = info.Connect()
        handling = {"flatbed": FLATBED, "adf": FEEDER, "duplex": FEEDER | DUPLEX}[request.source]
        device.Properties(str(DPS_DOCUMENT_HANDLING_SELECT)).Value = handling
        device.Properties(str(DPS_PAGES)).Value = 1
        item = device.Items[1]
        item.Properties(str(IPS_XRES)).Value = request.dpi
        item.Properties(str(IPS_YRES)).Value = request.dpi
        item.Properties(str(IPA_DATATYPE)).Value = DATATYPE[request.mode]
        feeder = request.source != "flatbed"
        wanted = request.pages if request.pages is not None else (None if feeder else 1)
        count = 0
        while (wanted is None or count < wanted) and not self._cancelled:
            try:
                wia_image = item.Transfer(FORMAT_BMP)
            except Exception as exc:  # pywintypes.com_error
                status = status_of_hresult(_hresult(exc))
                if status == "no_docs" and feeder and count > 0:
                    return
                raise scan_error(status, str(exc)) from exc
            count += 1
            with tempfile.TemporaryDirectory() as tmp:
                raw = Path(tmp) / "page.bmp"
                wia_image.SaveFile(str(raw))
                with Image.open(raw) as im:
                    yield save_page(
                        im,
                        index=count,
                        dpi=request.dpi,
                        mode=request.mode,
                        out_dir=out_dir,
                        jpeg_quality=request.jpeg_quality,
                    )
