"""Sync bookkeeping: settings and cursor, base versions, conflicts, the push in flight; an
index on every synced table's sync_state (the outbox is the set of pending records).

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None

_SYNCED = (
    "units",
    "users",
    "cases",
    "parties",
    "documents",
    "events",
    "transfers",
    "referrals",
    "attachments",
    "deadlines",
)


def upgrade() -> None:
    op.create_table(
        "sync_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "sync_base",
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("table_name", sa.String(20), nullable=False),
        sa.Column("server_version", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("table_name", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False, unique=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("local", sa.Text, nullable=False),
        sa.Column("server", sa.Text, nullable=False),
        sa.Column("server_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
    )
    op.create_table(
        "sync_push",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
    )
    for table in _SYNCED:
        op.create_index(f"ix_{table}_sync_state", table, ["sync_state"])


def downgrade() -> None:
    for table in _SYNCED:
        op.drop_index(f"ix_{table}_sync_state", table)
    for table in ("sync_push", "sync_conflicts", "sync_base", "sync_meta"):
        op.drop_table(table)
