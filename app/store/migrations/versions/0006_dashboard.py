"""Indexes for the supervision dashboard's figures

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29

app/services/dashboard_figures.py counts timeline events of one kind in a period
(``transferred``, ``police_filed`` ...) and penalty cases by decision date. Without these
indexes each count scans every event or case: ``ix_events_kind_time`` answers a kind and a time
range from the index alone (case_id and deleted are included, so neither the case filter nor the
deleted flag reads the table), ``ix_cases_decided`` finds the cases decided in a period, and the
partial index ``ix_cases_deleted`` lists the (few) deleted cases without scanning the table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_kind_time", "events", ["kind", "occurred_at", "case_id", "deleted"])
    op.create_index("ix_cases_decided", "cases", ["decided_on", "unit_id"])
    op.create_index("ix_cases_deleted", "cases", ["id"], sqlite_where=sa.text("deleted"))


def downgrade() -> None:
    op.drop_index("ix_cases_deleted", table_name="cases")
    op.drop_index("ix_cases_decided", table_name="cases")
    op.drop_index("ix_events_kind_time", table_name="events")
