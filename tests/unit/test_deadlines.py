"""Deadline rules and engine: the table's rows are present, counting across holidays and 调休.

Expected dates are derived here independently: from chinesecalendar (``nth_workday_after``)
and from hand-listed dates with the reasoning beside them, never from the engine.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain.datafiles import RuleFileError
from app.domain.deadlines import (
    Deadline,
    DeadlineTracker,
    compute_deadlines,
    default_rules,
    load_rules,
    open_deadlines,
)
from app.domain.workcalendar import CST
from app.domain.workflow import WorkflowEvent
from app.errors import ConfigError

chinese_calendar = pytest.importorskip("chinese_calendar")

RULES_FILE = Path(__file__).parents[2] / "app/resources/deadlines/transfer.json"
SELF_ROWS = {1, 2, 3, 4, 5, 12, 14, 15, 20, 23, 24}
OTHER_ROWS = {6, 7, 8, 9, 10, 11, 13, 16, 17, 18, 21, 22}
EOD = (23, 59, 59)


def nth_workday_after(day: date, n: int) -> date:
    """Independent working-day count from chinesecalendar (trigger day not counted)."""
    while n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=CST)


def eod(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, *EOD, tzinfo=CST)


def ev(eid: str, kind: str, when: datetime, **data: Any) -> WorkflowEvent:
    return WorkflowEvent(eid, kind, when, data=data)


def only(deadlines: list[Deadline], rule_id: str) -> Deadline:
    found = [d for d in deadlines if d.rule_id == rule_id]
    assert len(found) == 1, [d.rule_id for d in deadlines]
    return found[0]


# --- the rules as data -----------------------------------------------------------------------


def test_every_row_of_the_table_is_present_with_its_owner() -> None:
    rules = default_rules().rules
    self_rows = {r.row for r in rules if r.owed_by == "self"}
    other_rows = {r.row for r in rules if r.owed_by != "self"}
    assert self_rows >= SELF_ROWS
    assert other_rows >= OTHER_ROWS
    assert {r.row for r in rules} == SELF_ROWS | OTHER_ROWS


def test_memory_and_secondary_rules_are_flagged_unverified() -> None:
    for rule in default_rules().rules:
        if "[memory]" in rule.source or "[secondary]" in rule.source:
            assert rule.verified is False, rule.id
        if rule.counting == "unstated":
            assert rule.counting_note, rule.id


def _broken(tmp_path: Path, change: Any) -> Path:
    doc = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    doc["version"] = "9999.1"
    change(doc)
    path = tmp_path / "transfer-new.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["rules"][2]["offset"].update(unit="weeks"), "rules[2].offset.unit"),
        (lambda d: d["rules"][0].pop("source"), "rules[0]"),
        (lambda d: d["rules"][1]["trigger"].__setitem__(0, "no_such_kind"), "rules[1].trigger[0]"),
        (lambda d: d["rules"][3].update(id=d["rules"][0]["id"]), "rules[3].id"),
        (lambda d: d["rules"][0].update(counting="hours"), "rules[0].counting"),
    ],
)
def test_broken_rules_file_refused_naming_file_and_field(
    tmp_path: Path, change: Any, field: str
) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(RuleFileError) as info:
        load_rules(tmp_path)
    assert info.value.file == path.name
    assert info.value.field == field
    assert path.name in str(info.value)


def test_newer_rules_file_wins(tmp_path: Path) -> None:
    _broken(tmp_path, lambda d: d["rules"][0]["offset"].update(amount=5))
    rules = load_rules(tmp_path)
    assert rules.version == "9999.1" and rules.rule("head_decision").amount == 5


# --- counting across holidays and 调休 -----------------------------------------------------


def test_report_submitted_the_day_before_national_day_2025() -> None:
    report = [ev("r", "transfer_reported", at(2025, 9, 30, 16))]
    # Default convention (law silent -> calendar days): 9-30 not counted, 10-1, 10-2, 10-3.
    due = only(compute_deadlines(report), "head_decision")
    assert due.due_at == eod(date(2025, 10, 3)) and due.counting == "calendar_days"
    # Working days: 10-1..10-8 off (notice), 10-9 Thu, 10-10 Fri, 10-11 Sat (调休 worked).
    hand = date(2025, 10, 11)
    assert nth_workday_after(date(2025, 9, 30), 3) == hand
    due = only(
        compute_deadlines(report, overrides={"unstated_day_counting": "working_days"}),
        "head_decision",
    )
    assert due.due_at == eod(hand) and due.counting == "working_days"
    # Calendar days but the last day moved off a holiday: 10-3 is off, first working day 10-9.
    due = only(
        compute_deadlines(report, overrides={"last_day_off": "next_working_day"}), "head_decision"
    )
    assert due.due_at == eod(date(2025, 10, 9))


def test_report_submitted_the_day_before_national_day_2024() -> None:
    # 2024: 10-1..10-7 off; 9-29 (Sun) and 10-12 (Sat) worked. From 9-30: 10-8, 10-9, 10-10.
    report = [ev("r", "transfer_reported", at(2024, 9, 30, 9))]
    over = {"rules": {"head_decision": {"counting": "working_days"}}}
    due = only(compute_deadlines(report, overrides=over), "head_decision")
    assert due.due_at == eod(date(2024, 10, 10)) == eod(nth_workday_after(date(2024, 9, 30), 3))
    assert due.period_source == "override"


@pytest.mark.parametrize(
    ("approved", "expected"),
    [
        # Friday evening before an ordinary weekend: 24 elapsed hours, Saturday evening.
        (at(2024, 6, 7, 18, 30), at(2024, 6, 8, 18, 30)),
        # Friday 2025-02-07; Saturday 02-08 is a 调休 working day: hours ignore the calendar.
        (at(2025, 2, 7, 9, 15), at(2025, 2, 8, 9, 15)),
        # Saturday 2026-10-03 inside National Day.
        (at(2026, 10, 3, 23, 0), at(2026, 10, 4, 23, 0)),
    ],
)
def test_24_hours_across_a_weekend(approved: datetime, expected: datetime) -> None:
    events = [ev("a", "transfer_approved", approved)]
    due = only(compute_deadlines(events), "transfer_after_approval")
    assert due.due_at == expected and due.counting == "hours"
    met = compute_deadlines([*events, ev("t", "transferred", expected - timedelta(minutes=1))])
    assert only(met, "transfer_after_approval").status(expected) == "met"
    late = compute_deadlines([*events, ev("t", "transferred", expected + timedelta(minutes=1))])
    assert only(late, "transfer_after_approval").status(expected) == "met_late"


@pytest.mark.parametrize(
    ("requested", "expected", "why"),
    [
        (date(2025, 1, 27), date(2025, 2, 7), "1-28..2-4 off: 2-5, 2-6, 2-7"),
        (date(2025, 1, 24), date(2025, 2, 5), "Sun 1-26 worked, Mon 1-27, then 2-5"),
        (date(2024, 2, 8), date(2024, 2, 19), "2-9 worked, 2-10..2-17 off, Sun 2-18 worked, 2-19"),
        (date(2026, 2, 13), date(2026, 2, 25), "Sat 2-14 worked, 2-15..2-23 off, 2-24, 2-25"),
    ],
)
def test_three_working_days_across_spring_festival(
    requested: date, expected: date, why: str
) -> None:
    assert nth_workday_after(requested, 3) == expected, why
    events = [
        ev(
            "s",
            "supplement_requested",
            datetime(requested.year, requested.month, requested.day, 11, tzinfo=CST),
        )
    ]
    over = {"rules": {"supply_supplement": {"counting": "working_days"}}}
    assert only(compute_deadlines(events, overrides=over), "supply_supplement").due_at == eod(
        expected
    )


def test_stated_working_days_rule_across_national_day() -> None:
    # SPP2024 Art 12: 10 working days. From Fri 2025-09-26: 9-28 (Sun, worked), 9-29, 9-30,
    # 10-9, 10-10, 10-11 (Sat, worked), 10-13, 10-14, 10-15, 10-16.
    events = [ev("n", "not_prosecuted", at(2025, 9, 26))]
    due = only(compute_deadlines(events), "reverse_review")
    assert due.due_at == eod(date(2025, 10, 16)) == eod(nth_workday_after(date(2025, 9, 26), 10))
    assert due.awaiting_other_party and due.owed_by == "procuratorate"


# --- rule semantics --------------------------------------------------------------------------


def test_reply_deadline_is_read_from_the_opinion() -> None:
    base = {"source": "non_prosecution", "decided_at": at(2025, 3, 10).isoformat()}
    one_month = {"number": "A", "reply_period": {"amount": 1, "unit": "months"}}
    due = only(
        compute_deadlines(
            [ev("r", "referral_received", at(2025, 3, 15), **base, opinion=one_month)]
        ),
        "reply_to_opinion",
    )
    assert due.due_at == eod(date(2025, 4, 15)) and due.period_source == "document" and due.verified
    dated = {"number": "A", "reply_due_on": "2025-05-01"}
    due = only(
        compute_deadlines([ev("r", "referral_received", at(2025, 3, 15), **base, opinion=dated)]),
        "reply_to_opinion",
    )
    assert due.due_at == eod(date(2025, 5, 1))
    silent = {"number": "A"}
    due = only(
        compute_deadlines([ev("r", "referral_received", at(2025, 3, 15), **base, opinion=silent)]),
        "reply_to_opinion",
    )
    assert due.due_at == eod(date(2025, 5, 15)) and due.period_source == "rule_default"
    assert due.verified is False  # the 2-month fallback is [memory]


def test_interim_reply_does_not_meet_the_opinion_deadline() -> None:
    opinion = {"number": "A", "reply_period": {"amount": 1, "unit": "months"}}
    events = [
        ev("r", "referral_received", at(2025, 3, 15), source="non_prosecution", opinion=opinion),
        ev("i", "reply_sent", at(2025, 4, 1), final=False),
    ]
    assert only(compute_deadlines(events), "reply_to_opinion").met_at is None
    events.append(ev("f", "reply_sent", at(2025, 4, 20)))
    done = only(compute_deadlines(events), "reply_to_opinion")
    assert done.met_by_event_id == "f" and done.status(at(2025, 5, 1)) == "met_late"


def test_serve_opinion_counts_from_the_stated_decision_date() -> None:
    opinion = {"number": "A"}
    events = [
        ev(
            "r",
            "referral_received",
            at(2025, 3, 15),
            source="non_prosecution",
            opinion=opinion,
            decided_at=at(2025, 3, 6).isoformat(),
        )
    ]
    served = only(compute_deadlines(events), "serve_opinion")
    assert served.due_at == eod(date(2025, 3, 9)) and served.status(at(2025, 3, 15)) == "met_late"
    without = [
        ev("r", "referral_received", at(2025, 3, 15), source="non_prosecution", opinion=opinion)
    ]
    assert not [d for d in compute_deadlines(without) if d.rule_id == "serve_opinion"]


def test_penalty_copy_in_either_order_and_not_after_transfer() -> None:
    first = compute_deadlines(
        [ev("p", "penalty_decided", at(2025, 5, 6)), ev("c", "crime_suspected", at(2025, 5, 20))]
    )
    copy = only(first, "penalty_copy")
    assert copy.start_at == at(2025, 5, 6) and copy.trigger_event_id == "c"
    assert copy.due_at == eod(date(2025, 5, 16))
    second = compute_deadlines(
        [ev("c", "crime_suspected", at(2025, 5, 6)), ev("p", "penalty_decided", at(2025, 5, 7))]
    )
    assert only(second, "penalty_copy").start_at == at(2025, 5, 7)
    after = compute_deadlines(
        [
            ev("c", "crime_suspected", at(2025, 5, 6)),
            ev("t", "transferred", at(2025, 5, 7)),
            ev("p", "penalty_decided", at(2025, 5, 8)),
        ]
    )
    assert not [d for d in after if d.rule_id == "penalty_copy"]


@pytest.mark.parametrize(
    ("domain", "fd", "env"),
    [("food", True, False), ("environment", False, True), (None, True, True)],
)
def test_domain_rules(domain: str | None, fd: bool, env: bool) -> None:
    opened = ev("o", "case_opened", at(2025, 6, 2), **({"domain": domain} if domain else {}))
    events = [
        opened,
        ev("d", "transfer_demanded", at(2025, 6, 3)),
        ev("a", "transfer_approved", at(2025, 6, 4)),
        ev("r", "receipt_signed", at(2025, 6, 5)),
    ]
    ids = {d.rule_id for d in compute_deadlines(events)}
    assert ("fd_materials_24h" in ids) is fd and ("police_filing_fd" in ids) is fd
    assert ("transfer_on_demand" in ids) is env


def test_immediate_transfer_is_due_at_once() -> None:
    events = [ev("c", "crime_suspected", at(2025, 7, 1), obvious=True)]
    due = only(compute_deadlines(events), "immediate_transfer")
    assert due.due_at == at(2025, 7, 1) and due.status(at(2025, 7, 1, 11)) == "overdue"
    assert not compute_deadlines([ev("c", "crime_suspected", at(2025, 7, 1))])


def test_windows_lapse_and_chases_are_awaiting_other_party() -> None:
    events = [
        ev("n", "police_not_filed", at(2025, 7, 1), reason="r"),
        ev("t", "transferred", at(2025, 7, 2)),
    ]
    deadlines = compute_deadlines(events)
    window = only(deadlines, "reconsider_or_supervise")
    assert window.status(at(2025, 7, 10)) == "lapsed"
    chase = only(deadlines, "police_receipt")
    assert chase.awaiting_other_party and chase.status(at(2025, 7, 10)) == "overdue"
    assert open_deadlines(deadlines, at(2025, 7, 10))[0].status(at(2025, 7, 10)) == "overdue"


def test_cancelled_by_closing() -> None:
    events = [ev("r", "transfer_reported", at(2025, 7, 1)), ev("x", "closed", at(2025, 7, 2))]
    assert only(compute_deadlines(events), "head_decision").status(at(2025, 8, 1)) == "cancelled"


def test_overrides_amount_disable_and_refusals() -> None:
    events = [
        ev("p", "penalty_decided", at(2025, 7, 1)),
        ev("o", "case_opened", at(2025, 7, 1), domain="environment"),
    ]
    over = {"rules": {"platform_entry": {"amount": 5}, "police_receipt": {"enabled": False}}}
    entry = only(compute_deadlines(events, overrides=over), "platform_entry")
    assert entry.due_at == eod(date(2025, 7, 6))
    bad: dict[str, Any]
    for bad in (
        {"nope": 1},
        {"rules": {"missing": {}}},
        {"rules": {"transfer_after_approval": {"counting": "working_days"}}},
        {"due_time_of_day": "25:00"},
        {"rules": {"head_decision": {"amount": -1}}},
    ):
        with pytest.raises(ConfigError):
            compute_deadlines(events, overrides=bad)


def test_due_time_of_day_is_configurable() -> None:
    events = [ev("r", "transfer_reported", at(2025, 7, 1))]
    due = only(
        compute_deadlines(events, overrides={"due_time_of_day": "17:30:00"}), "head_decision"
    )
    assert (due.due_at.hour, due.due_at.minute) == (17, 30)


def test_beyond_calendar_years_is_flagged() -> None:
    events = [ev("r", "transfer_reported", at(2031, 9, 30))]
    due = only(
        compute_deadlines(events, overrides={"unstated_day_counting": "working_days"}),
        "head_decision",
    )
    assert due.calendar_missing == (2031,)


def test_tracker_equals_scratch_on_a_full_path() -> None:
    events = [
        ev("1", "case_opened", at(2025, 1, 2), domain="food"),
        ev("2", "crime_suspected", at(2025, 1, 3), obvious=True),
        ev("3", "transfer_reported", at(2025, 1, 6)),
        ev("4", "transfer_approved", at(2025, 1, 7)),
        ev("5", "transferred", at(2025, 1, 8)),
        ev("6", "receipt_signed", at(2025, 1, 9), outside_jurisdiction=True),
        ev("7", "forwarded", at(2025, 1, 9, 20)),
        ev("8", "receipt_signed", at(2025, 1, 10)),
        ev("9", "police_filed", at(2025, 1, 24), decided_at=at(2025, 1, 20).isoformat()),
        ev("10", "items_handed_over", at(2025, 2, 5)),
    ]
    tracker = DeadlineTracker()
    for event in events:
        tracker.add(event)
    assert tracker.deadlines == compute_deadlines(events)
    statuses = {d.rule_id: d.status(at(2025, 3, 1)) for d in tracker.deadlines}
    assert statuses["immediate_transfer"] == "met_late"
    assert statuses["police_notify_decision"] == "met_late"  # decided 1-20, notified 1-24
    assert statuses["hand_over_items"] == "met_late"  # 1-24 + 3 calendar days = 1-27
