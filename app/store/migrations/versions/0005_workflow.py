"""Deadline columns the workflow engine returns: cancelled, nature, verified, period source

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29

``app.services.workflow`` stores every deadline ``app.domain.deadlines.compute_deadlines``
returns for a case. These columns keep what the engine says about each one: when it was
cancelled (e.g. by closing the case), its nature (duty, window, chase), whether its source is
verified, where its period came from (rule, override, document, rule_default), how it was
counted and its label. Server defaults let existing rows and bulk inserts that name only the
older columns keep working.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.String(length=27), nullable=True))
        batch_op.add_column(
            sa.Column("nature", sa.String(length=20), nullable=False, server_default="duty")
        )
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("period_source", sa.String(length=20), nullable=False, server_default="rule")
        )
        batch_op.add_column(
            sa.Column("counting", sa.String(length=30), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("label", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        for name in ("label", "counting", "period_source", "verified", "nature", "cancelled_at"):
            batch_op.drop_column(name)
