"""The outbox hook: every ORM change of a synced record's columns makes it pending with a new
version in the same flush; sync bookkeeping and relationship-only changes do not."""

from contextlib import closing
from datetime import date

from app.store.db import Store
from app.store.models import Case, Party, Unit


def _synced(store: Store, table: str, record_id: str) -> None:
    with closing(store.raw_connection()) as conn:
        conn.execute(f"UPDATE {table} SET sync_state = 'synced' WHERE id = ?", (record_id,))
        conn.commit()


def test_changes_through_the_orm_join_the_outbox(store: Store) -> None:
    with store.session() as session:
        unit = Unit(code="A", name="甲局", kind="enforcement")
        session.add(unit)
        session.flush()
        case = Case(
            unit_id=unit.id,
            title="案",
            domain="environment",
            category="x",
            opened_on=date(2026, 1, 2),
        )
        session.add(case)
        session.flush()
        case_id, unit_id = case.id, unit.id
    with store.session() as session:
        assert session.get_one(Case, case_id).sync_state == "pending"
    _synced(store, "cases", case_id)
    with store.session() as session:
        case = session.get_one(Case, case_id)
        case.sync_error = "x"  # bookkeeping only
        case.parties.append(Party(kind="person", name="乙"))  # the relationship only
    with store.session() as session:
        case = session.get_one(Case, case_id)
        assert (case.sync_state, case.version) == ("synced", 1)
        case.facts = "新事实"
    with store.session() as session:
        case = session.get_one(Case, case_id)
        assert (case.sync_state, case.version, case.sync_error) == ("pending", 2, None)
        assert session.get_one(Unit, unit_id).version == 1
