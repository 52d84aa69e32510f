"""The start-up fast path reads the migration graph itself; it must agree with Alembic."""

from alembic.script import ScriptDirectory

from app.store.db import alembic_config, head_revision, is_known_schema, known_revisions


def test_schema_heads_match_alembic() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == "+".join(sorted(script.get_heads()))
    assert known_revisions() == {rev.revision for rev in script.walk_revisions()}


def test_signatures_of_unknown_revisions_are_not_known() -> None:
    assert is_known_schema(head_revision())
    assert not is_known_schema("9999")
    assert not is_known_schema(head_revision() + "+9999")
    assert not is_known_schema("")
