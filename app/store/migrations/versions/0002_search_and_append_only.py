"""Full-text search (FTS5 trigram) and append-only guards on the timeline and audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Guarded columns: events keep their sync metadata writable (state, server sequence),
# but what happened, when and by whom never changes; audit entries never change at all.
_GUARDS = {
    "events": (
        "时间线事件只能追加，不能修改或删除",
        "case_id, kind, occurred_at, actor_user_id, actor_unit_id, document_id, note, data",
    ),
    "audit_log": (
        "审计日志只能追加，不能修改或删除",
        "seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash",
    ),
}


def upgrade() -> None:
    # One row per case: title, facts, party names and identifiers, document text.
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "case_id UNINDEXED, title, facts, parties, documents, tokenize='trigram')"
    )
    for table, (message, columns) in _GUARDS.items():
        for action in (f"UPDATE OF {columns}", "DELETE"):
            name = f"{table}_no_{action.split()[0].lower()}"
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def downgrade() -> None:
    for table in _GUARDS:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    op.execute("DROP TABLE IF EXISTS case_search")
