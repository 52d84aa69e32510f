"""The hash-chained audit log: intact chains verify, every kind of tampering is found."""

import itertools
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from app.store import audit
from app.store.audit import GENESIS, verify_chain
from app.store.db import Store


def _fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        with store.session() as session:
            audit.record(
                session, "edit_case", entity="case", entity_id=f"c{i}", detail={"字段": f"值{i}"}
            )


def _raw(store: Store) -> sqlite3.Connection:
    return sqlite3.connect(store.paths.database)


def test_empty_chain_is_intact(store: Store) -> None:
    with store.session() as session:
        report = verify_chain(session)
    assert report.intact and report.entries == 0


def test_chain_links_each_entry_to_the_previous(store: Store) -> None:
    _fill(store, 4)
    with closing(_raw(store)) as conn:
        rows = conn.execute("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert rows[0][1] == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after[1] == before[2]
    with store.session() as session:
        report = verify_chain(session)
    assert report.intact and report.entries == 4


def test_sql_update_and_delete_are_refused_by_triggers(store: Store) -> None:
    _fill(store, 2)
    for statement in (
        "UPDATE audit_log SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ):
        with (
            pytest.raises(sa_exc.DatabaseError, match="审计日志只能追加"),
            store.session() as session,
        ):
            session.execute(text(statement))


def test_edited_entry_is_detected(store: Store) -> None:
    _fill(store, 5)
    with closing(_raw(store)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("""UPDATE audit_log SET detail = '{"字段": "改过"}' WHERE seq = 3""")
        conn.commit()
    with store.session() as session:
        report = verify_chain(session)
    assert not report.intact and report.first_broken_seq == 3


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(store: Store) -> None:
    _fill(store, 5)
    with closing(_raw(store)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        # A forger rewrites entry 2 and its own hash, but cannot fix every later link.
        conn.execute("UPDATE audit_log SET action = 'forged', hash = ? WHERE seq = 2", ("f" * 64,))
        conn.commit()
    with store.session() as session:
        report = verify_chain(session)
    assert report.first_broken_seq == 2


def test_deleted_middle_entry_is_detected(store: Store) -> None:
    _fill(store, 5)
    with closing(_raw(store)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
        conn.commit()
    with store.session() as session:
        report = verify_chain(session)
    assert not report.intact and report.first_broken_seq == 4


def test_deleted_last_entry_is_not_detectable_by_the_chain_alone(store: Store) -> None:
    """Known limit of a hash chain: truncating the tail leaves a valid, shorter chain.

    The dropped trigger it needs is what selftest reports (tests/integration/test_selftest.py).
    """
    _fill(store, 3)
    with closing(_raw(store)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
        conn.commit()
    with store.session() as session:
        report = verify_chain(session)
    assert report.intact and report.entries == 2


def test_record_commits_with_the_change_or_not_at_all(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        audit.record(session, "edit_case", entity="case", entity_id="c1")
        raise RuntimeError("the change failed")
    with store.session() as session:
        assert verify_chain(session).entries == 0
