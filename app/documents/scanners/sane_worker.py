"""The SANE scan worker: a separate process, so a driver crash cannot take the app down.

Run as ``python -m app.documents.scanners.sane_worker OUT_DIR`` with a :class:`ScanRequest`
as JSON on stdin. It writes each page to OUT_DIR as soon as it is read and prints one JSON
line per event on stdout: ``{"page": {...}}``, then ``{"done": N}`` or
``{"error": STATUS, "detail": TEXT}``. A worker that ends without either line has died.
``--list-devices`` instead of OUT_DIR prints the devices as one JSON list. The frozen app runs
the same module as ``xianjie -m app.documents.scanners.sane_worker`` (installer/entry.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from app.documents.errors import ScanError
from app.documents.scanners import ScannedPage, ScanRequest
from app.documents.scanners.common import (
    match_mode,
    match_source,
    save_page,
    scan_error,
    status_of_sane_message,
)

_channel: TextIO = sys.stdout


def emit(event: dict[str, Any]) -> None:
    _channel.write(json.dumps(event, ensure_ascii=False) + "\n")
    _channel.flush()


def _own_the_channel() -> None:
    """Keep stdout for the protocol: whatever a driver prints goes to stderr instead."""
    global _channel
    sys.stdout.flush()
    _channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)


def _page_event(page: ScannedPage) -> dict[str, Any]:
    return {
        "page": {
            "index": page.index,
            "path": str(page.path),
            "width": page.width,
            "height": page.height,
            "dpi": page.dpi,
            "mode": page.mode,
        }
    }


def _constraint(dev: Any, option: str) -> list[str]:
    try:
        values = dev[option].constraint
    except (KeyError, AttributeError):
        return []
    return [str(v) for v in values] if isinstance(values, list) else []


def _set(dev: Any, name: str, value: Any) -> None:
    with contextlib.suppress(AttributeError):  # inactive or absent on this device
        setattr(dev, name.replace("-", "_"), value)


def _range_max(dev: Any, option: str) -> float | None:
    try:
        constraint = dev[option].constraint
    except (KeyError, AttributeError):
        return None
    return float(constraint[1]) if isinstance(constraint, tuple) else None


def configure(dev: Any, request: ScanRequest) -> None:
    """Apply the request with the driver's own option values."""
    sources = _constraint(dev, "source")
    if sources:
        source = match_source(sources, request.source)
        if source is None:
            raise scan_error(
                "unsupported", f"来源 {request.source}；设备提供：{', '.join(sources)}"
            )
        dev.source = source
    elif request.source != "flatbed":
        raise scan_error("unsupported", f"来源 {request.source}")
    modes = _constraint(dev, "mode")
    mode = match_mode(modes, request.mode)
    if mode is None and request.mode == "lineart":
        mode = match_mode(modes, "gray")
        _set(dev, "mode", mode)
        _set(dev, "depth", 1)
    elif mode is not None:
        _set(dev, "mode", mode)
    _set(dev, "resolution", request.dpi)
    for name, value in request.options.items():
        _set(dev, name, value)
    _set(dev, "tl_x", 0.0)
    _set(dev, "tl_y", 0.0)
    for option, want in (("br_x", request.width_mm), ("br_y", request.height_mm)):
        top = _range_max(dev, option)
        _set(dev, option, min(want, top) if top is not None else want)


def run(request: ScanRequest, out_dir: Path) -> int:
    """Scan; emit pages as they are saved; return the number of pages."""
    try:
        import sane  # type: ignore[import-untyped]
    except ImportError as exc:
        raise scan_error("no_driver", "未安装 python-sane（需要 libsane-dev 才能安装）") from exc
    try:
        sane.init()
    except Exception as exc:  # _sane.error: libsane could not start
        raise scan_error("no_driver", str(exc)) from exc
    try:
        try:
            dev = sane.open(request.device)
        except Exception as exc:
            status = status_of_sane_message(str(exc))
            raise scan_error("no_device" if status == "invalid" else status, str(exc)) from exc
        try:
            try:
                configure(dev, request)
            except ScanError:
                raise
            except Exception as exc:
                raise scan_error(status_of_sane_message(str(exc)), str(exc)) from exc
            feeder = request.source != "flatbed"
            wanted = request.pages if request.pages is not None else (None if feeder else 1)
            count = 0
            while wanted is None or count < wanted:
                try:
                    image = dev.scan()
                except Exception as exc:
                    status = status_of_sane_message(str(exc))
                    if status == "no_docs" and feeder and count > 0:
                        break  # the feeder ran empty: a normal end
                    raise scan_error(status, str(exc)) from exc
                count += 1
                page = save_page(
                    image,
                    index=count,
                    dpi=request.dpi,
                    mode=request.mode,
                    out_dir=out_dir,
                    jpeg_quality=request.jpeg_quality,
                )
                emit(_page_event(page))
            return count
        finally:
            try:
                dev.cancel()
            finally:
                dev.close()
    finally:
        sane.exit()


def list_devices() -> int:
    """``--list-devices``: print the SANE devices as one JSON list (name, vendor, model, type)."""
    import sane

    sane.init()
    try:
        print(json.dumps([list(d) for d in sane.get_devices()]))
    finally:
        sane.exit()
    return 0


def main(argv: list[str]) -> int:
    if argv == ["--list-devices"]:
        return list_devices()
    _own_the_channel()
    out_dir = Path(argv[0])
    request = ScanRequest.from_dict(json.loads(sys.stdin.read()))
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        pages = run(request, out_dir)
    except ScanError as exc:
        emit({"error": exc.status, "detail": exc.detail})
        return 1
    emit({"done": pages})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
