"""Open deadlines due today, due soon and overdue, by node and by person.

A deadline is *open* when it is neither met (``met_at``) nor cancelled (``cancelled_at``) and
its case is not deleted. Relative to the instant ``now`` and Beijing-time days:

- **overdue**: due before ``now`` (a ``window`` deadline, e.g. the period in which the unit
  *may* ask for reconsideration, is not a duty and is left out once it has passed);
- **today**: due at or after ``now`` on today's date;
- **soon**: due on one of the next ``soon_days`` days (tomorrow up to today + ``soon_days``).

The *person* of a deadline the unit itself owes (``owed_by = self``) is the case's responsible
inspector (``cases.created_by``); a deadline another party owes is grouped under that party as
"等待公安机关" / "等待人民检察院" / "等待人民法院".
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.domain.workcalendar import CST
from app.services.dashboard_labels import (
    BUCKETS,
    UNASSIGNED_PERSON,
    awaiting_label,
    node_label,
)
from app.timeutil import format_utc

_OPEN_DEADLINES = """
SELECT d.id, d.case_id, d.rule_id, d.node, d.owed_by, d.due_at, d.source, d.label, d.nature,
       c.case_number, c.title, c.created_by, u.display_name, n.name
FROM deadlines d
JOIN cases c ON c.id = d.case_id
JOIN units n ON n.id = c.unit_id
LEFT JOIN users u ON u.id = c.created_by
WHERE d.met_at IS NULL AND d.cancelled_at IS NULL AND NOT d.deleted AND NOT c.deleted
  AND d.due_at < :horizon AND (:unit IS NULL OR c.unit_id = :unit)
ORDER BY d.due_at, d.id
"""


@dataclass(frozen=True)
class DeadlineItem:
    """One open deadline on the board."""

    deadline_id: str
    case_id: str
    case_number: str
    case_title: str
    unit_name: str
    rule_id: str
    node: str
    node_label: str
    label: str
    owed_by: str
    person_key: str  # the inspector's user id, "" when none is recorded, or "await:police" ...
    person: str
    due_at: datetime
    bucket: str  # overdue | today | soon
    source: str

    @property
    def node_key(self) -> str:
        """The by-node group: the node and the owing party (see dashboard_labels)."""
        return f"{self.node}:{self.owed_by}"


@dataclass(frozen=True)
class GroupCount:
    """How many open deadlines of one group (a node or a person) fall in each bucket."""

    key: str
    label: str
    overdue: int
    today: int
    soon: int

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.soon


@dataclass(frozen=True)
class DeadlineBoard:
    """Open deadlines around ``now``, listed and counted by node and by person."""

    now: datetime
    today: date
    soon_days: int
    items: tuple[DeadlineItem, ...]
    by_node: tuple[GroupCount, ...]
    by_person: tuple[GroupCount, ...]

    def count(self, bucket: str) -> int:
        return sum(1 for item in self.items if item.bucket == bucket)


def horizon(now: datetime, soon_days: int) -> tuple[date, datetime]:
    """Today's Beijing date and the first instant after the "soon" window."""
    today = now.astimezone(CST).date()
    end = datetime.combine(today + timedelta(days=soon_days + 1), time(), CST)
    return today, end


def deadline_board(
    conn: sqlite3.Connection, *, now: datetime, soon_days: int, unit_id: str | None
) -> DeadlineBoard:
    """The open deadlines of one unit's cases (or all units') due up to today + soon_days."""
    if soon_days < 0:
        raise ValueError("soon_days must not be negative")
    today, end = horizon(now, soon_days)
    now_text = format_utc(now)
    items: list[DeadlineItem] = []
    params = {"horizon": format_utc(end), "unit": unit_id}
    for row in conn.execute(_OPEN_DEADLINES, params):
        (did, case_id, rule_id, node, owed_by, due_text, source, label, nature) = row[:9]
        case_number, title, created_by, display_name, unit_name = row[9:]
        due_at = datetime.fromisoformat(due_text)  # the store's UTC text; fast since 3.11
        if due_text < now_text:
            if nature == "window":
                continue
            bucket = "overdue"
        elif due_at.astimezone(CST).date() == today:
            bucket = "today"
        else:
            bucket = "soon"
        if owed_by == "self":
            person_key, person = created_by or "", display_name or UNASSIGNED_PERSON
        else:
            person_key, person = f"await:{owed_by}", awaiting_label(owed_by)
        items.append(
            DeadlineItem(
                deadline_id=did,
                case_id=case_id,
                case_number=case_number or "",
                case_title=title or "",
                unit_name=unit_name or "",
                rule_id=rule_id,
                node=node,
                node_label=node_label(node, owed_by),
                label=label or node_label(node, owed_by),
                owed_by=owed_by,
                person_key=person_key,
                person=person,
                due_at=due_at,
                bucket=bucket,
                source=source or "",
            )
        )
    return DeadlineBoard(
        now=now,
        today=today,
        soon_days=soon_days,
        items=tuple(items),
        by_node=_groups(items, lambda i: (i.node_key, i.node_label)),
        by_person=_groups(items, lambda i: (i.person_key, i.person)),
    )


def _groups(
    items: list[DeadlineItem], key_of: Callable[[DeadlineItem], tuple[str, str]]
) -> tuple[GroupCount, ...]:
    counts: Counter[tuple[str, str, str]] = Counter()
    labels: dict[str, str] = {}
    for item in items:
        key, label = key_of(item)
        labels[key] = label
        counts[(key, label, item.bucket)] += 1
    groups = [
        GroupCount(key, labels[key], *(counts[(key, labels[key], b)] for b in BUCKETS))
        for key in labels
    ]
    groups.sort(key=lambda g: (-g.overdue, -g.today, -g.soon, g.label))
    return tuple(groups)
