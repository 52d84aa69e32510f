"""Initial central schema: units, tokens, records and their versions, access, push log,
counters, blobs, audit, reference data.

Revision ID: c001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "c001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("division_code", sa.String(6), nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(36), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("table_name", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("owner_unit_id", sa.String(36), nullable=True),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_records_case", "records", ["case_id"])
    op.create_index("ix_records_owner", "records", ["owner_unit_id"])
    op.create_index("ix_records_ref", "records", ["ref"])
    op.create_table(
        "record_versions",
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "case_access",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("unit_id", sa.String(36), primary_key=True),
        sa.Column("reason", sa.String(20), nullable=False),
    )
    op.create_index("ix_case_access_unit", "case_access", ["unit_id"])
    op.create_table(
        "push_log",
        sa.Column("unit_id", sa.String(36), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO counters (name, value) VALUES ('seq', 0)")
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("chunks", sa.Integer, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(36), nullable=True),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("token_id", sa.Integer, nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "reference_data",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "reference_data",
        "audit",
        "blobs",
        "counters",
        "push_log",
        "case_access",
        "record_versions",
        "records",
        "tokens",
        "units",
    ):
        op.drop_table(table)
