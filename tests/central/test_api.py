"""The central API on loopback, on SQLite and on PostgreSQL: contract, protocol window,
tokens, idempotent push, merge rules, authorization by unit, blobs, audit."""

import hashlib
import json
import random
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from central.models import AuditRow, ServerRecord
from tests.sync_helpers import (
    Central,
    central_db_url_fixture,
    central_fixture,
    pg_cluster_fixture,
    start_central,
)

_ = (central_db_url_fixture, central_fixture, pg_cluster_fixture)

STAMP = "2026-11-02T08:00:00.000000Z"


def case_record(unit_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "unit_id": unit_id,
        "title": "某化工厂非法排放案",
        "facts": "",
        "domain": "environment",
        "category": "pollution",
        "status": "open",
        "opened_on": "2026-11-02",
        "created_at": STAMP,
        "updated_at": STAMP,
        "deleted": False,
        **extra,
    }


def push(central: Central, token: str, changes: list[dict[str, Any]], key: str = "") -> Any:
    response = central.api(
        token,
        "POST",
        "/push",
        json={"changes": changes},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def change(table: str, data: dict[str, Any], base: int | None = None, changed: Any = None) -> Any:
    return {
        "table": table,
        "id": data["id"],
        "base_version": base,
        "changed": changed,
        "data": data,
    }


def audit_rows(central: Central, count: int) -> list[AuditRow]:
    """The audit rows once ``count`` exist (each is written just after its answer is sent)."""
    deadline = time.monotonic() + 10
    while True:
        with central.db.session() as session:
            rows = list(session.scalars(select(AuditRow).order_by(AuditRow.id)).all())
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


def pulled(central: Central, token: str) -> dict[str, dict[str, Any]]:
    response = central.api(token, "GET", "/pull", params={"cursor": 0, "limit": 1000})
    assert response.status_code == 200
    return {r["id"]: r for r in response.json()["records"]}


@pytest.fixture
def units(central: Central) -> dict[str, str]:
    ids = {
        "A": central.create_unit("A", "enforcement"),
        "B": central.create_unit("B", "enforcement"),
        "P": central.create_unit("P", "police"),
        "J": central.create_unit("J", "procuratorate"),
    }
    return ids


def test_openapi_is_served_under_api_v1(central: Central) -> None:
    import requests

    spec = requests.get(f"{central.url}/api/v1/openapi.json", timeout=10).json()
    assert {"/api/v1/push", "/api/v1/pull", "/api/v1/blobs/{sha256}", "/api/v1/hello"} <= set(
        spec["paths"]
    )
    assert "PushRequest" in json.dumps(spec["components"])


def test_protocol_window_answers_please_upgrade(central: Central, units: dict[str, str]) -> None:
    token = central.token("A")
    for version in ("0", "2", "x"):
        response = central.api(token, "GET", "/hello", headers={"X-Xianjie-Protocol": version})
        assert response.status_code == 426
        assert response.json()["error"] == "please_upgrade"
        assert "升级" in response.json()["message"]
    assert central.api(token, "GET", "/hello").json()["unit"]["code"] == "A"


def test_revoked_and_unknown_tokens_are_refused(central: Central, units: dict[str, str]) -> None:
    from central.admin import revoke_token

    token = central.token("A")
    assert central.api(token, "GET", "/hello").status_code == 200
    with central.db.session() as session:
        assert revoke_token(session, token)
    for bad in (token, "not-a-token"):
        response = central.api(bad, "GET", "/pull")
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"


def test_push_with_the_same_key_is_applied_once_and_every_request_is_audited(
    central: Central, units: dict[str, str]
) -> None:
    token = central.token("A", "张三")
    record = case_record(units["A"])
    first = push(central, token, [change("cases", record)], key="key-0001")
    again = push(central, token, [change("cases", record)], key="key-0001")
    assert first == again and first[0]["outcome"] == "applied"
    with central.db.session() as session:
        row = session.get_one(ServerRecord, record["id"])
        assert row.version == 1
    audit = audit_rows(central, 2)
    assert [(a.method, a.path, a.status) for a in audit] == [
        ("POST", "/api/v1/push", 200),
        ("POST", "/api/v1/push", 200),
    ]
    assert [a.action for a in audit] == ["push:1", "push:replayed"]
    assert {a.unit_id for a in audit} == {units["A"]} and audit[0].user_name == "张三"
    central.api("bad", "GET", "/pull")
    last = audit_rows(central, 3)[-1]
    assert (last.path, last.status, last.unit_id) == ("/api/v1/pull", 401, None)


def test_field_merge_and_overlapping_edits(central: Central, units: dict[str, str]) -> None:
    token = central.token("A")
    record = case_record(units["A"])
    push(central, token, [change("cases", record)])
    desk1 = {**record, "title": "标题一"}
    desk2 = {**record, "facts": "补充事实"}
    assert push(central, token, [change("cases", desk1, 1, ["title"])])[0]["outcome"] == "applied"
    merged = push(central, token, [change("cases", desk2, 1, ["facts"])])[0]
    assert merged["outcome"] == "merged"
    assert (merged["data"]["title"], merged["data"]["facts"]) == ("标题一", "补充事实")
    clash = push(central, token, [change("cases", {**record, "title": "标题二"}, 1, ["title"])])[0]
    assert clash["outcome"] == "conflict" and clash["fields"] == ["title"]
    assert clash["data"]["title"] == "标题一" and clash["version"] == 3


def test_units_see_only_their_cases_until_transferred(
    central: Central, units: dict[str, str]
) -> None:
    a, b, p, j = (central.token(c) for c in "ABPJ")
    record = case_record(units["A"])
    party = {"id": str(uuid.uuid4()), "case_id": record["id"], "kind": "person", "name": "李四"}
    results = push(central, a, [change("cases", record), change("parties", party)])
    assert [r["outcome"] for r in results] == ["applied", "applied"]
    for token in (b, p, j):
        assert record["id"] not in pulled(central, token)
    assert push(central, b, [change("cases", case_record(units["A"]))])[0]["outcome"] == "rejected"
    intruder = {**party, "id": str(uuid.uuid4())}
    assert push(central, b, [change("parties", intruder)])[0]["outcome"] == "rejected"
    assert push(central, a, [change("units", {"id": units["A"]})])[0]["outcome"] == "rejected"
    act = {"case_id": record["id"], "params": {}}
    assert central.api(p, "POST", "/act/receipt", json=act).status_code == 403
    transfer = {
        "id": str(uuid.uuid4()),
        "case_id": record["id"],
        "police_unit_id": units["P"],
        "procuratorate_unit_id": units["J"],
        "status": "sent",
    }
    assert push(central, a, [change("transfers", transfer)])[0]["outcome"] == "applied"
    for token in (p, j):
        seen = pulled(central, token)
        assert {record["id"], party["id"], transfer["id"]} <= set(seen)
    assert record["id"] not in pulled(central, b)
    assert central.api(p, "POST", "/act/receipt", json=act).status_code == 200
    assert central.api(j, "POST", "/act/receipt", json=act).status_code == 403
    assert central.api(b, "POST", "/act/opinion", json=act).status_code == 403
    seen_by_a = pulled(central, a)
    assert seen_by_a[transfer["id"]]["data"]["status"] == "received"
    kinds = {r["data"].get("kind") for r in seen_by_a.values() if r["table"] == "events"}
    assert kinds == {"receipt_signed"}


def test_blob_upload_in_chunks_hash_check_and_download_by_access(
    central: Central, units: dict[str, str]
) -> None:
    a, b = central.token("A"), central.token("B")
    content = bytes(range(256)) * 1000
    sha = hashlib.sha256(content).hexdigest()
    size, step = len(content), 100_000
    for offset in range(0, size, step):
        response = central.api(
            a,
            "PUT",
            f"/blobs/{sha}",
            params={"offset": offset, "size": size},
            data=content[offset : offset + step],
        )
        assert response.status_code == 200, response.text
    assert response.json()["complete"] is True
    skipped = central.api(
        a, "PUT", f"/blobs/{'0' * 64}", params={"offset": 5, "size": 10}, data=b"x"
    )
    assert skipped.status_code == 409 and skipped.json()["error"] == "offset"
    wrong = central.api(
        a, "PUT", f"/blobs/{'1' * 64}", params={"offset": 0, "size": 3}, data=b"abc"
    )
    assert wrong.status_code == 422
    status = central.api(a, "GET", f"/blobs/{'1' * 64}/status").json()
    assert status["received"] == 0 and not status["complete"]
    record = case_record(units["A"])
    document = {"id": str(uuid.uuid4()), "case_id": record["id"], "doc_type": "x", "title": "t"}
    attachment = {"id": str(uuid.uuid4()), "document_id": document["id"], "sha256": sha}
    push(
        central,
        a,
        [change("cases", record), change("documents", document), change("attachments", attachment)],
    )
    got = central.api(a, "GET", f"/blobs/{sha}")
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha
    assert central.api(b, "GET", f"/blobs/{sha}").status_code == 403


def test_an_upload_resumes_from_what_is_on_disk_across_a_restart(
    central: Central, units: dict[str, str]
) -> None:
    """A request may repeat bytes the platform has (they are passed over), not skip any; a
    restarted platform (no running hash in memory) hashes the partial file and completes."""
    token = central.token("A")
    content = random.Random(3).randbytes(300_000)
    sha = hashlib.sha256(content).hexdigest()

    def put(offset: int, end: int) -> Any:
        return central.api(
            token,
            "PUT",
            f"/blobs/{sha}",
            params={"offset": offset, "size": len(content)},
            data=content[offset:end],
        )

    assert put(0, 100_000).json()["received"] == 100_000
    again = put(50_000, 200_000)  # the client saw an older status
    assert again.status_code == 200 and again.json()["received"] == 200_000
    ahead = put(250_000, 300_000)
    assert ahead.status_code == 409 and ahead.json()["error"] == "offset"
    too_long = central.api(
        token, "PUT", f"/blobs/{sha}", params={"offset": 200_000, "size": 300_000}, data=content
    )
    assert too_long.status_code == 422
    _, thread = start_central(central.db_url, central.blobs)
    restarted = Central(
        f"http://127.0.0.1:{thread.port}", central.db_url, central.db, central.blobs
    )
    try:
        status = restarted.api(token, "GET", f"/blobs/{sha}/status").json()
        assert status == {"sha256": sha, "size": 300_000, "received": 200_000, "complete": False}
        done = restarted.api(
            token,
            "PUT",
            f"/blobs/{sha}",
            params={"offset": 200_000, "size": 300_000},
            data=content[200_000:],
        )
        assert done.status_code == 200 and done.json()["complete"] is True
    finally:
        thread.stop()
    assert (central.blobs / sha).read_bytes() == content
    assert not (central.blobs / f"{sha}.part").exists()


def test_pull_pages_follow_the_change_sequence(central: Central, units: dict[str, str]) -> None:
    token = central.token("A")
    records = [case_record(units["A"]) for _ in range(7)]
    push(central, token, [change("cases", r) for r in records])
    cursor, seen = 0, []
    while True:
        page = central.api(token, "GET", "/pull", params={"cursor": cursor, "limit": 3}).json()
        seen += [r["seq"] for r in page["records"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7 + 4  # cases + 4 units
    with central.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ServerRecord)) == 11


def test_reference_data_is_served_by_etag(central: Central, units: dict[str, str]) -> None:
    from central.admin import publish_reference

    token = central.token("A")
    with central.db.session() as session:
        digest = publish_reference(session, "calendar-2027.json", b"[]")
    listed = central.api(token, "GET", "/reference").json()
    assert listed == [{"name": "calendar-2027.json", "sha256": digest, "size": 2}]
    first = central.api(token, "GET", "/reference/calendar-2027.json")
    assert first.content == b"[]" and first.headers["ETag"] == f'"{digest}"'
    again = central.api(
        token, "GET", "/reference/calendar-2027.json", headers={"If-None-Match": f'"{digest}"'}
    )
    assert again.status_code == 304 and again.content == b""
    assert central.api(token, "GET", "/reference/missing").status_code == 404


def test_procuratorates_and_courts_see_the_cases_of_their_jurisdiction(central: Central) -> None:
    county = central.create_unit("HB-TS", "enforcement", division="320312")
    central.create_unit("HB-SZ", "enforcement", division="320500")
    central.create_unit("JC-XZ", "procuratorate", division="320300")
    central.create_unit("JC-SZ", "procuratorate", division="320500")
    xuzhou, suzhou = central.token("JC-XZ"), central.token("JC-SZ")
    record = case_record(county)
    push(central, central.token("HB-TS"), [change("cases", record)])
    assert record["id"] in pulled(central, xuzhou)
    assert record["id"] not in pulled(central, suzhou)
    act = {"case_id": record["id"], "params": {"note": "要求说明"}}
    assert central.api(xuzhou, "POST", "/act/opinion", json=act).status_code == 200
    assert central.api(suzhou, "POST", "/act/opinion", json=act).status_code == 403
    central.create_unit("FY-TS", "court", division="320312")
    court = central.token("FY-TS")
    referral = {"case_id": record["id"], "params": {"source": "court_exemption"}}
    answer = central.api(court, "POST", "/act/court-referral", json=referral)
    assert answer.status_code == 200 and answer.json()["source_kind"] == "court_exemption"
    assert central.api(court, "POST", "/act/receipt", json=act).status_code == 403
    seen = pulled(central, central.token("HB-TS"))
    assert any(r["table"] == "referrals" for r in seen.values())


def test_every_endpoint_refuses_without_a_valid_token_or_protocol(
    central: Central, units: dict[str, str]
) -> None:
    """Every operation of the OpenAPI contract: 401 without a token or with a revoked one,
    426 outside the protocol window (checked before anything else is read)."""
    import requests

    from central.admin import revoke_token

    spec = requests.get(f"{central.url}/api/v1/openapi.json", timeout=10).json()
    revoked = central.token("A")
    with central.db.session() as session:
        revoke_token(session, revoked)
    sha = "a" * 64
    operations = [
        (
            method.upper(),
            path.replace("{sha256}", sha).replace("{name}", "x").replace("{action}", "receipt"),
        )
        for path, item in spec["paths"].items()
        for method in item
    ]
    assert len(operations) >= 8
    for method, path in operations:
        url = f"{central.url}{path}"
        params = {"offset": 0, "size": 1} if method == "PUT" else {}
        body = {"json": {"changes": []}} if path.endswith("/push") else {}
        headers = {"X-Xianjie-Protocol": "1", "Idempotency-Key": "key-00000001"}
        for auth in (None, f"Bearer {revoked}", "Bearer nonsense"):
            sent = {**headers, **({"Authorization": auth} if auth else {})}
            answer = requests.request(method, url, headers=sent, params=params, timeout=10, **body)
            assert answer.status_code == 401, (method, path, auth, answer.text)
        old = {**headers, "X-Xianjie-Protocol": "0", "Authorization": f"Bearer {revoked}"}
        answer = requests.request(method, url, headers=old, params=params, timeout=10, **body)
        assert answer.status_code == 426, (method, path, answer.text)
