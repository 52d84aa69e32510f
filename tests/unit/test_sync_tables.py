"""The sync protocol names the synced tables itself (it must not import the ORM); they must
stay the store's synced models, in the same dependency order."""

from app.store.models import SYNCED_MODELS
from app.sync.wire import TABLES


def test_wire_tables_are_the_synced_models_in_order() -> None:
    store_tables = tuple(m.__tablename__ for m in SYNCED_MODELS)  # type: ignore[attr-defined]
    assert store_tables == TABLES
