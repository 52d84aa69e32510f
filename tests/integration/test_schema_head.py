"""The start-up fast path trusts SCHEMA_HEAD; it must name the newest migration."""

from app.store.db import SCHEMA_HEAD, head_revision


def test_schema_head_matches_migrations() -> None:
    assert head_revision() == SCHEMA_HEAD
