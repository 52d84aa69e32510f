"""Drafts of cases being entered through the wizard (local, not synced)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

One row per draft: the entry standard (spec id and version) it began with, the raw values
entered so far as JSON, the current step and its state (open, finished, discarded).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("spec_id", sa.String(length=60), nullable=False),
        sa.Column("spec_version", sa.String(length=40), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.String(length=27), nullable=False),
        sa.Column("updated_at", sa.String(length=27), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_drafts_user_state", "drafts", ["user_id", "state", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_user_state", table_name="drafts")
    op.drop_table("drafts")
