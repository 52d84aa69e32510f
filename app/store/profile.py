"""Plain-sqlite3 reads about this profile's accounts, for a start-up that loads no ORM."""

import sqlite3

from app.domain.identity import SignedInUser


def has_users(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0])


def home_unit_name(conn: sqlite3.Connection) -> str:
    """The name of the first unit set up on this desk (shown on the login dialog)."""
    row = conn.execute("SELECT name FROM units ORDER BY created_at, id LIMIT 1").fetchone()
    return str(row[0]) if row else ""


def active_user(conn: sqlite3.Connection, username: str) -> SignedInUser | None:
    row = conn.execute(
        "SELECT u.id, u.username, u.display_name, u.role, n.id, n.name"
        " FROM users u JOIN units n ON n.id = u.unit_id"
        " WHERE u.username = ? AND u.active AND NOT u.deleted",
        (username,),
    ).fetchone()
    return None if row is None else SignedInUser(*row)
