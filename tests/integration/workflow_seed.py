"""A unit with an inspector pair, a head and a clerk, and cases to drive the workflow on.

Shared by the workflow service, CLI and UI tests; everything is written through the real
store and the accounts service.
"""

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.deadlines import compute_deadlines
from app.domain.kinds import Role
from app.domain.workcalendar import CST
from app.services.accounts import SignedInUser, create_unit_and_admin, create_user
from app.services.workflow import load_events
from app.store.db import Store
from app.store.models import Party
from tests.case_seed import add_case

PASSWORD = "Xuzhou-2025!"


@dataclass(frozen=True)
class Desk:
    admin: SignedInUser
    inspector: SignedInUser
    inspector2: SignedInUser
    head: SignedInUser
    clerk: SignedInUser
    forward_case: str
    reverse_case: str


def seed_desk(store: Store) -> Desk:
    admin = create_unit_and_admin(
        store,
        unit_name="徐州市铜山生态环境局",
        unit_code="11320312MB1234567X",
        region="铜山区",
        username="admin",
        display_name="管理员",
        password=PASSWORD,
    )
    people = {
        name: create_user(
            store, admin, username=name, display_name=shown, role=role, password=PASSWORD
        )
        for name, shown, role in (
            ("wang", "王执法", Role.INSPECTOR),
            ("li", "李执法", Role.INSPECTOR),
            ("zhao", "赵局长", Role.HEAD),
            ("sun", "孙内勤", Role.CLERK),
        )
    }
    forward = add_case(
        store,
        "非法倾倒危险废物案",
        unit_id=admin.unit_id,
        case_number="徐铜环罚〔2025〕15号",
        category="hazardous_waste",
        facts="当事人在厂区外倾倒废酸约4吨，经检测pH值小于2",
        amount_fen=1_250_000,
        opened_on=date(2025, 3, 3),
        parties=[Party(kind="organisation", name="徐州恒达化工有限公司")],
        indexed=True,
    )
    reverse = add_case(
        store,
        "超标排放水污染物案",
        unit_id=admin.unit_id,
        case_number="徐铜环罚〔2025〕21号",
        category="overstandard_discharge",
        facts="检察院不起诉后移送本局依法处理",
        opened_on=date(2025, 4, 1),
        parties=[Party(kind="person", name="陈某某")],
        indexed=True,
    )
    return Desk(
        admin, people["wang"], people["li"], people["zhao"], people["sun"], forward, reverse
    )


def assert_deadlines_match_engine(store: Store, case_id: str) -> None:
    """The case's stored deadlines equal compute_deadlines over its stored events."""
    with store.session() as session:
        events = load_events(session, case_id)
    expected = {
        (d.trigger_event_id, d.rule_id): (d.due_at, d.met_at, d.cancelled_at, d.owed_by)
        for d in compute_deadlines(events)
    }
    with sqlite3.connect(store.paths.database) as conn:
        rows = conn.execute(
            "SELECT trigger_event_id, rule_id, due_at, met_at, cancelled_at, owed_by "
            "FROM deadlines WHERE case_id = ? AND NOT deleted",
            (case_id,),
        ).fetchall()

    def utc(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone().astimezone(CST).isoformat()

    def parse(text: str | None) -> str | None:
        return None if text is None else utc(datetime.fromisoformat(text.replace("Z", "+00:00")))

    stored = {(r[0], r[1]): (parse(r[2]), parse(r[3]), parse(r[4]), r[5]) for r in rows}
    assert stored == {k: (utc(a), utc(b), utc(c), o) for k, (a, b, c, o) in expected.items()}
    assert expected
