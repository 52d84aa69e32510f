"""One scanner interface for every backend (SANE worker, WIA, watched folder).

A backend yields :class:`ScannedPage` records as pages reach the disk; when the device
fails it raises :class:`~app.documents.errors.ScanError` *after* yielding the pages it got,
so the caller keeps them. Kept light: no backend library is imported here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

SOURCES = ("flatbed", "adf", "duplex")
MODES = ("color", "gray", "lineart")
OptionValue = str | int | float | bool


@dataclass(frozen=True)
class ScanRequest:
    """What to scan: device, source, colour mode, resolution, area, page count."""

    device: str
    source: str = "flatbed"
    mode: str = "gray"
    dpi: int = 300
    pages: int | None = None  # None: one page on the flatbed, everything in the feeder
    width_mm: float = 210.0
    height_mm: float = 297.0
    jpeg_quality: int = 85
    options: dict[str, OptionValue] = field(default_factory=dict)  # raw backend options

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanRequest:
        return cls(**data)


@dataclass(frozen=True)
class ScannedPage:
    """A page on disk: JPEG for gray and colour, CCITT G4 TIFF for line-art."""

    index: int
    path: Path
    width: int
    height: int
    dpi: int
    mode: str


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    vendor: str
    model: str
    kind: str


class Scanner(Protocol):
    """A scanner backend."""

    def devices(self) -> list[DeviceInfo]: ...

    def scan(self, request: ScanRequest, out_dir: Path) -> Iterator[ScannedPage]: ...

    def cancel(self) -> None: ...
