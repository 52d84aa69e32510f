"""Demo cases are filed under entry standards that exist, at a version that is installed."""

import json
from importlib import resources

from app.services import demo_catalogue as cat


def test_every_demo_case_type_maps_to_an_installed_standard() -> None:
    assert set(cat.ENTRY_STANDARD) == {ct.code for ct in cat.CASE_TYPES}
    folder = resources.files("app") / "resources" / "standards"
    for case_type, standard in cat.ENTRY_STANDARD.items():
        spec = json.loads((folder / f"{standard}.json").read_text(encoding="utf-8"))
        domain = next(ct.domain for ct in cat.CASE_TYPES if ct.code == case_type)
        assert spec["domain"] == domain, case_type
        assert spec["version"] == cat.ENTRY_STANDARD_VERSION, standard
