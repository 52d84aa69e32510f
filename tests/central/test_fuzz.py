"""schemathesis against the OpenAPI contract of a live server on loopback (SQLite): no server
errors, answers that match the documented schemas and status codes, for every operation."""

from collections.abc import Iterator
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

from tests.sync_helpers import Central, start_central  # noqa: E402

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
"""No 5xx; every answer matches its documented schema and status codes. (Schema-valid but
meaningless requests, such as content that does not match its hash, are refused with a
documented 4xx, which is why the positive-data-acceptance check is not among them.)"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Central, str]]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    central, thread = start_central(f"sqlite:///{root / 'central.db'}", root / "blobs")
    central.create_unit("A", "enforcement")
    central.create_unit("P", "police")
    token = central.token("A")
    try:
        yield central, token
    finally:
        thread.stop()
        central.db.close()


def test_the_api_keeps_its_contract(live: tuple[Central, str]) -> None:
    """Every operation, 25 generated requests each (derandomized: the same run every time)."""
    central, token = live
    headers = {"Authorization": f"Bearer {token}", "X-Xianjie-Protocol": "1"}
    api = schemathesis.openapi.from_url(f"{central.url}/api/v1/openapi.json")
    labels = []
    for result in api.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: object) -> None:
            case.call_and_validate(  # type: ignore[attr-defined]
                base_url=central.url, headers=headers, checks=CHECKS
            )

        check()
    assert "POST /api/v1/push" in labels and len(labels) >= 8
