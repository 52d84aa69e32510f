"""Statutory deadlines computed from a case's events by rules that are data.

Rules live in ``app/resources/deadlines/*.json`` (schema ``deadline_rules.schema.json``), one
per row of domain.md's deadline table. ``compute_deadlines(events, ...)`` is a pure function:
the same events, rules, calendar and overrides always give the same deadlines.
``DeadlineTracker`` computes the same list incrementally, one event at a time.

Overrides (a settings dict) change what the law leaves open::

    {"unstated_day_counting": "working_days",   # or "calendar_days"
     "due_time_of_day": "17:30:00",
     "last_day_off": "next_working_day",         # or "keep"
     "rules": {"platform_entry": {"amount": 5}, "police_receipt": {"enabled": False},
               "head_decision": {"counting": "working_days"}}}
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from app.domain.datafiles import RuleFileError, json_files, load_validated, resource_dir
from app.domain.workcalendar import Due, WorkCalendar, default_calendar, end_of, version_key
from app.domain.workflow.events import SPECS, WorkflowEvent, reply_period_problem
from app.errors import ConfigError

SCHEMA = "deadline_rules.schema.json"
DAY_COUNTINGS = ("calendar_days", "working_days")


@dataclass(frozen=True)
class Conventions:
    """How periods are counted where the law is silent (data, overridable)."""

    due_time_of_day: time
    unstated_day_counting: str
    last_day_off: str  # keep | next_working_day


@dataclass(frozen=True)
class DeadlineRule:
    """One deadline rule (one row of the table, or half of a two-part row)."""

    id: str
    row: int | None
    node: str
    label: str
    trigger: tuple[str, ...]
    satisfied_by: tuple[str, ...]
    amount: int
    unit: str  # hours | days | months
    counting: str  # hours | calendar_days | working_days | calendar_months | unstated
    owed_by: str
    nature: str  # duty | window | chase
    source: str
    verified: bool
    trigger_if: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    requires_prior: tuple[str, ...] = ()
    excludes_prior: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    start_from: str = "trigger"  # trigger | data | event
    start_field: str | None = None
    start_kind: str | None = None
    start_required: bool = False
    satisfied_by_trigger: bool = False
    not_satisfied_if: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    cancelled_by: tuple[str, ...] = ()
    period_from_opinion: bool = False
    counting_note: str = ""
    note: str = ""
    enabled: bool = True
    overridden: bool = False


@dataclass(frozen=True)
class RuleSet:
    """All loaded rules with the file's conventions and version."""

    id: str
    version: str
    conventions: Conventions
    rules: tuple[DeadlineRule, ...]

    def rule(self, rule_id: str) -> DeadlineRule:
        """The rule with ``rule_id`` (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: what is owed, by whom, from which event, by when, and if met."""

    rule_id: str
    row: int | None
    node: str
    label: str
    owed_by: str
    nature: str
    trigger_event_id: str
    start_at: datetime
    due_at: datetime
    met_at: datetime | None
    met_by_event_id: str | None
    cancelled_at: datetime | None
    source: str
    verified: bool
    counting: str
    period_source: str  # rule | override | document | rule_default
    calendar_missing: tuple[int, ...] = ()

    @property
    def awaiting_other_party(self) -> bool:
        """True when police, procuratorate or court owe it (the unit waits and chases)."""
        return self.owed_by != "self"

    @property
    def closed(self) -> bool:
        """Met or cancelled."""
        return self.met_at is not None or self.cancelled_at is not None

    def status(self, now: datetime) -> str:
        """met, met_late, cancelled, open, overdue, or lapsed (a window that passed)."""
        if self.met_at is not None:
            return "met" if self.met_at <= self.due_at else "met_late"
        if self.cancelled_at is not None:
            return "cancelled"
        if now <= self.due_at:
            return "open"
        return "lapsed" if self.nature == "window" else "overdue"


# --- loading ------------------------------------------------------------------------------


def _kinds_known(values: Iterable[str], file: str, where: str) -> None:
    for index, kind in enumerate(values):
        if kind not in SPECS:
            raise RuleFileError(file, f"{where}[{index}]", f"未知的事件类型 {kind}")


def _conventions(raw: Mapping[str, Any]) -> Conventions:
    return Conventions(
        due_time_of_day=time.fromisoformat(raw["due_time_of_day"]),
        unstated_day_counting=raw["unstated_day_counting"],
        last_day_off=raw["last_day_off"],
    )


def _rule(raw: Mapping[str, Any], file: str, where: str) -> DeadlineRule:
    for key in ("trigger", "satisfied_by", "cancelled_by", "requires_prior", "excludes_prior"):
        _kinds_known(raw.get(key, ()), file, f"{where}.{key}")
    start = raw.get("start", {"from": "trigger"})
    if start.get("kind"):
        _kinds_known([start["kind"]], file, f"{where}.start.kind")
    if not raw["satisfied_by"] and not raw.get("satisfied_by_trigger"):
        raise RuleFileError(file, f"{where}.satisfied_by", "为空，且未声明由触发事件本身满足")
    return DeadlineRule(
        id=raw["id"],
        row=raw["row"],
        node=raw["node"],
        label=raw["label"],
        trigger=tuple(raw["trigger"]),
        satisfied_by=tuple(raw["satisfied_by"]),
        amount=raw["offset"]["amount"],
        unit=raw["offset"]["unit"],
        counting=raw["counting"],
        owed_by=raw["owed_by"],
        nature=raw["nature"],
        source=raw["source"],
        verified=raw["verified"],
        trigger_if={k: tuple(v) for k, v in raw.get("trigger_if", {}).items()},
        requires_prior=tuple(raw.get("requires_prior", ())),
        excludes_prior=tuple(raw.get("excludes_prior", ())),
        domains=tuple(raw.get("domains", ())),
        start_from=start["from"],
        start_field=start.get("field"),
        start_kind=start.get("kind"),
        start_required=bool(start.get("required", False)),
        satisfied_by_trigger=bool(raw.get("satisfied_by_trigger", False)),
        not_satisfied_if={k: tuple(v) for k, v in raw.get("not_satisfied_if", {}).items()},
        cancelled_by=tuple(raw.get("cancelled_by", ())),
        period_from_opinion=bool(raw.get("period_from_opinion", False)),
        counting_note=raw.get("counting_note", ""),
        note=raw.get("note", ""),
    )


def parse_rules(data: Mapping[str, Any], file: str) -> RuleSet:
    """A validated rules document -> RuleSet (checks kinds and unique ids)."""
    rules: list[DeadlineRule] = []
    for index, raw in enumerate(data["rules"]):
        where = f"rules[{index}]"
        if any(r.id == raw["id"] for r in rules):
            raise RuleFileError(file, f"{where}.id", f"重复：{raw['id']}")
        rules.append(_rule(raw, file, where))
    return RuleSet(data["id"], data["version"], _conventions(data["conventions"]), tuple(rules))


def load_rule_file(file: Traversable | Path) -> RuleSet:
    """Load and validate one rules file."""
    return parse_rules(load_validated(file, SCHEMA), getattr(file, "name", str(file)))


def load_rules(directory: Path | None = None, *, ruleset: str = "transfer") -> RuleSet:
    """The packaged rule set, replaced by a newer version of it found in ``directory``."""
    chosen: RuleSet | None = None
    folders: list[Traversable | Path] = [resource_dir("deadlines")]
    if directory is not None:
        folders.append(directory)
    for folder in folders:
        for file in json_files(folder):
            loaded = load_rule_file(file)
            if loaded.id != ruleset:
                continue
            if chosen is None or version_key(loaded.version) > version_key(chosen.version):
                chosen = loaded
    if chosen is None:
        raise RuleFileError(f"deadlines/{ruleset}.json", "", "找不到该规则集")
    return chosen


@functools.cache
def default_rules() -> RuleSet:
    """The packaged deadline rules (loaded once)."""
    return load_rules()


# --- overrides ----------------------------------------------------------------------------

_OVERRIDE_KEYS = {"unstated_day_counting", "due_time_of_day", "last_day_off", "rules"}


def apply_overrides(rules: RuleSet, overrides: Mapping[str, Any] | None) -> RuleSet:
    """``rules`` with a settings override applied; a bad override raises ConfigError."""
    if not overrides:
        return rules
    unknown = set(overrides) - _OVERRIDE_KEYS
    if unknown:
        raise ConfigError(f"时限设置中有未知项：{'、'.join(sorted(unknown))}")
    conv = rules.conventions
    if "unstated_day_counting" in overrides:
        if overrides["unstated_day_counting"] not in DAY_COUNTINGS:
            raise ConfigError("时限设置 unstated_day_counting 须为 calendar_days 或 working_days")
        conv = replace(conv, unstated_day_counting=overrides["unstated_day_counting"])
    if "due_time_of_day" in overrides:
        try:
            conv = replace(conv, due_time_of_day=time.fromisoformat(overrides["due_time_of_day"]))
        except (TypeError, ValueError) as exc:
            raise ConfigError("时限设置 due_time_of_day 须为 HH:MM:SS") from exc
    if "last_day_off" in overrides:
        if overrides["last_day_off"] not in ("keep", "next_working_day"):
            raise ConfigError("时限设置 last_day_off 须为 keep 或 next_working_day")
        conv = replace(conv, last_day_off=overrides["last_day_off"])
    per_rule = overrides.get("rules", {})
    ids = {r.id for r in rules.rules}
    for rule_id in per_rule:
        if rule_id not in ids:
            raise ConfigError(f"时限设置中的规则 {rule_id} 不存在")
    new_rules = tuple(_override_rule(r, per_rule.get(r.id)) for r in rules.rules)
    return replace(rules, conventions=conv, rules=new_rules)


def _override_rule(rule: DeadlineRule, change: Mapping[str, Any] | None) -> DeadlineRule:
    if not change:
        return rule
    bad = set(change) - {"amount", "counting", "enabled"}
    if bad:
        raise ConfigError(f"规则 {rule.id} 的设置中有未知项：{'、'.join(sorted(bad))}")
    out = rule
    if "amount" in change:
        amount = change["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ConfigError(f"规则 {rule.id} 的 amount 须为非负整数")
        out = replace(out, amount=amount)
    if "counting" in change:
        if rule.unit != "days" or change["counting"] not in DAY_COUNTINGS:
            raise ConfigError(f"规则 {rule.id} 的计算方式只能在日历日和工作日之间设置")
        out = replace(out, counting=change["counting"])
    if "enabled" in change:
        out = replace(out, enabled=bool(change["enabled"]))
    return out if out == rule else replace(out, overridden=True)


# --- computing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the timeline shows up to and including an event (used to open deadlines)."""

    kinds: frozenset[str] = frozenset()
    domain: str | None = None
    last_at: Mapping[str, datetime] = field(default_factory=dict)

    def after(self, event: WorkflowEvent) -> Facts:
        """These facts updated by ``event``."""
        domain = event.data.get("domain")
        return Facts(
            self.kinds | {event.kind},
            domain if isinstance(domain, str) and domain else self.domain,
            {**self.last_at, event.kind: event.occurred_at},
        )


def _matches(data: Mapping[str, Any], wanted: Mapping[str, tuple[Any, ...]]) -> bool:
    for key, values in wanted.items():
        value = data.get(key)
        if not any(value == v and type(value) is type(v) for v in values):
            return False
    return True


def _aware(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class Engine:
    """Opens, meets and cancels deadlines for one rule set, calendar and override."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        calendar: WorkCalendar | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.rules = apply_overrides(rules or default_rules(), overrides)
        self.calendar = calendar or default_calendar()
        self.active = tuple(r for r in self.rules.rules if r.enabled)
        self.by_trigger: dict[str, list[DeadlineRule]] = {}
        for rule in self.active:  # rule order kept within each trigger kind
            for kind in rule.trigger:
                self.by_trigger.setdefault(kind, []).append(rule)

    def compute(self, events: Sequence[WorkflowEvent]) -> list[Deadline]:
        """Every deadline the events (in timeline order) open, each met, cancelled or open.

        Each event is offered only to the rules it can trigger (:meth:`open` returns None for
        any other), and the facts are carried forward rather than rebuilt per event.
        """
        out: list[Deadline] = []
        facts = Facts()
        folded = 0  # events[:folded] are in facts
        for index, event in enumerate(events):
            candidates = self.by_trigger.get(event.kind)
            if not candidates:
                continue
            while folded <= index:
                facts = facts.after(events[folded])
                folded += 1
            for rule in candidates:
                deadline = self.open(rule, event, facts)
                if deadline is None:
                    continue
                if not deadline.closed:
                    for later in events[index + 1 :]:
                        if self.satisfies(rule, later):
                            deadline = self.met(deadline, later)
                            break
                        if later.kind in rule.cancelled_by:
                            deadline = self.cancelled(deadline, later)
                            break
                out.append(deadline)
        return out

    def open(self, rule: DeadlineRule, event: WorkflowEvent, facts: Facts) -> Deadline | None:
        """The deadline ``event`` opens under ``rule`` (``facts`` include the event), if any."""
        if event.kind not in rule.trigger or not _matches(event.data, rule.trigger_if):
            return None
        if any(k not in facts.kinds for k in rule.requires_prior):
            return None
        if any(k in facts.kinds and k != event.kind for k in rule.excludes_prior):
            return None
        if rule.domains and facts.domain is not None and facts.domain not in rule.domains:
            return None
        start = self._start(rule, event, facts)
        if start is None:
            return None
        due, counting, period_source = self._due(rule, event, start)
        deadline = Deadline(
            rule_id=rule.id,
            row=rule.row,
            node=rule.node,
            label=rule.label,
            owed_by=rule.owed_by,
            nature=rule.nature,
            trigger_event_id=event.id,
            start_at=start,
            due_at=due.at,
            met_at=None,
            met_by_event_id=None,
            cancelled_at=None,
            source=rule.source,
            verified=rule.verified or period_source == "document",
            counting=counting,
            period_source=period_source,
            calendar_missing=due.missing_years,
        )
        return self.met(deadline, event) if rule.satisfied_by_trigger else deadline

    def satisfies(self, rule: DeadlineRule, event: WorkflowEvent) -> bool:
        """Whether ``event`` meets an open deadline of ``rule``."""
        if event.kind not in rule.satisfied_by:
            return False
        return not (rule.not_satisfied_if and _matches(event.data, rule.not_satisfied_if))

    @staticmethod
    def met(deadline: Deadline, event: WorkflowEvent) -> Deadline:
        """``deadline`` met by ``event``."""
        return replace(deadline, met_at=event.occurred_at, met_by_event_id=event.id)

    @staticmethod
    def cancelled(deadline: Deadline, event: WorkflowEvent) -> Deadline:
        """``deadline`` cancelled by ``event``."""
        return replace(deadline, cancelled_at=event.occurred_at)

    def _start(self, rule: DeadlineRule, event: WorkflowEvent, facts: Facts) -> datetime | None:
        if rule.start_from == "event" and rule.start_kind:
            return facts.last_at.get(rule.start_kind)
        if rule.start_from == "data" and rule.start_field:
            stated = _aware(event.data.get(rule.start_field))
            if stated is not None:
                return stated
            return None if rule.start_required else event.occurred_at
        return event.occurred_at

    def _due(
        self, rule: DeadlineRule, event: WorkflowEvent, start: datetime
    ) -> tuple[Due, str, str]:
        if rule.period_from_opinion:
            stated = self._from_opinion(event, start)
            if stated is not None:
                return stated
        source = "rule_default" if rule.period_from_opinion else "rule"
        if rule.overridden:
            source = "override"
        return (*self._count(rule.counting, rule.amount, start), source)

    def _from_opinion(self, event: WorkflowEvent, start: datetime) -> tuple[Due, str, str] | None:
        opinion = event.data.get("opinion")
        if not isinstance(opinion, Mapping) or reply_period_problem(opinion):
            return None
        conv = self.rules.conventions
        if opinion.get("reply_due_on"):
            day = date.fromisoformat(str(opinion["reply_due_on"]))
            return Due(end_of(day, conv.due_time_of_day)), "stated_date", "document"
        period = opinion.get("reply_period")
        if isinstance(period, Mapping):
            counting = {"days": "unstated", "working_days": "working_days"}.get(
                str(period["unit"]), "calendar_months"
            )
            due, counting = self._count(counting, int(period["amount"]), start)
            return due, counting, "document"
        return None

    def _count(self, counting: str, amount: int, start: datetime) -> tuple[Due, str]:
        conv = self.rules.conventions
        at, roll = conv.due_time_of_day, conv.last_day_off == "next_working_day"
        if counting == "unstated":
            counting = conv.unstated_day_counting
        if counting == "hours":
            return self.calendar.add_hours(start, amount), counting
        if counting == "working_days":
            return self.calendar.add_working_days(start, amount, at=at), counting
        if counting == "calendar_months":
            return self.calendar.add_months(
                start, amount, at=at, roll_to_working_day=roll
            ), counting
        return (
            self.calendar.add_calendar_days(start, amount, at=at, roll_to_working_day=roll),
            counting,
        )


def compute_deadlines(
    events: Sequence[WorkflowEvent],
    rules: RuleSet | None = None,
    calendar: WorkCalendar | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> list[Deadline]:
    """Every deadline the events (in timeline order) open, each met, cancelled or open."""
    return Engine(rules, calendar, overrides).compute(events)


class DeadlineTracker:
    """The same deadlines as compute_deadlines, kept up to date one event at a time."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        calendar: WorkCalendar | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.engine = Engine(rules, calendar, overrides)
        self.facts = Facts()
        self._items: list[tuple[DeadlineRule, Deadline]] = []

    def add(self, event: WorkflowEvent) -> list[Deadline]:
        """Apply ``event``; returns the deadlines it opened or closed."""
        changed: list[Deadline] = []
        for index, (rule, deadline) in enumerate(self._items):
            if deadline.closed:
                continue
            if self.engine.satisfies(rule, event):
                deadline = self.engine.met(deadline, event)
            elif event.kind in rule.cancelled_by:
                deadline = self.engine.cancelled(deadline, event)
            else:
                continue
            self._items[index] = (rule, deadline)
            changed.append(deadline)
        self.facts = self.facts.after(event)
        for rule in self.engine.active:
            opened = self.engine.open(rule, event, self.facts)
            if opened is not None:
                self._items.append((rule, opened))
                changed.append(opened)
        return changed

    @property
    def deadlines(self) -> list[Deadline]:
        """All deadlines so far, in the order they were opened."""
        return [deadline for _, deadline in self._items]


def open_deadlines(deadlines: Iterable[Deadline], now: datetime) -> list[Deadline]:
    """Deadlines not met or cancelled, overdue first, then by due time."""
    pending = [d for d in deadlines if not d.closed]
    return sorted(pending, key=lambda d: (d.status(now) != "overdue", d.due_at))
