"""Scan profiles per document type: colour mode, resolution and JPEG quality to start from.

Defaults, not rules: the clerk can change any of them in the scan dialog. Text documents are
scanned in gray at 300 dpi (legible seals and signatures, about 0.6 MB per page as JPEG);
test reports and photographs in colour (colour charts, red seals that matter); plain
typed lists in black and white (CCITT G4, about 80 KB per page).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanProfile:
    mode: str  # color | gray | lineart
    dpi: int
    jpeg_quality: int = 85


DEFAULT_PROFILE = ScanProfile("gray", 300)

PROFILES: dict[str, ScanProfile] = {
    "transfer_letter": ScanProfile("gray", 300),
    "investigation_report": ScanProfile("gray", 300),
    "seized_items_list": ScanProfile("gray", 300),
    "test_report": ScanProfile("color", 300, 90),
    "inspection_record": ScanProfile("gray", 300),
    "interrogation_record": ScanProfile("gray", 300),
    "penalty_decision": ScanProfile("gray", 300),
    "materials_list": ScanProfile("lineart", 300),
    "other": ScanProfile("color", 200),
}


def profile_for(doc_type: str) -> ScanProfile:
    """The profile for ``doc_type`` (the gray 300-dpi default when it has none)."""
    return PROFILES.get(doc_type, DEFAULT_PROFILE)
