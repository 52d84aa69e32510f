"""Client-made record identifiers: time-ordered UUIDv7 (RFC 9562) as canonical strings."""

import uuid6


def new_id() -> str:
    """A new UUIDv7 string; sorts by creation time, unique across devices."""
    return str(uuid6.uuid7())
