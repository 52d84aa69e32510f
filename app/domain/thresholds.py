"""Criminal prosecution threshold rules (立案追诉标准) as data, and their evaluation.

Rules live in ``app/resources/thresholds/<domain>.json`` (domain.md §7), one file per domain,
checked against ``schemas/threshold-rules.schema.json`` and for consistency at load; a broken
file is refused with :class:`ThresholdRulesError` naming the file and the field.

:func:`evaluate` takes facts (keys declared in the rule files) and the prior administrative
penalties, and returns each rule met with the facts that met it and its source, the
qualitative rules that need a person's judgement, and basic and aggravated tiers apart.
Unknown facts and unit mismatches come back as findings, never as exceptions. Monetary
facts are per case: where repeated unpunished acts are summed (FAKE-INT2001 Art 2) the
caller passes the sum.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from app.domain.amounts import (
    Quantity,
    Unit,
    format_fen,
    format_number,
    parse_money,
    parse_quantity,
    unit_of,
)
from app.domain.identifiers import Finding, Severity
from app.errors import UserError

DOMAINS = ("environment", "food", "drug", "product", "tobacco", "farmland")


class ThresholdRulesError(UserError):
    """A threshold rule file is broken; the message names the file and the field."""


# --- the rule book --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactDef:
    key: str
    label: str
    kind: str  # money, quantity, flag, set, date
    unit: Unit | None = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Source:
    tag: str
    article: str
    title: str
    verified: bool

    def __str__(self) -> str:
        return f"{self.title}（{self.tag}）{self.article}"


class Cond:
    """A compiled rule condition."""

    def reads(self) -> set[str]:
        raise NotImplementedError

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    domain: str
    type: str  # numeric, conduct, qualitative, recidivism
    tier: str  # basic, aggravated
    tier_label: str
    offence: str
    article: str
    label: str
    when: Cond
    source: Source
    verified: bool
    note: str = ""

    @property
    def reads(self) -> tuple[str, ...]:
        return tuple(sorted(self.when.reads()))


@dataclass(frozen=True, slots=True)
class RuleBook:
    """All loaded rules, fact definitions and penalty kinds, by domain."""

    rules: tuple[Rule, ...]
    facts: Mapping[str, Mapping[str, FactDef]]
    penalty_kinds: Mapping[str, str]
    versions: Mapping[str, str]

    def for_domain(self, domain: str | None) -> tuple[Rule, ...]:
        return self.rules if domain is None else tuple(r for r in self.rules if r.domain == domain)

    def fact_defs(self, domain: str | None) -> dict[str, FactDef]:
        if domain is not None:
            return dict(self.facts.get(domain, {}))
        merged: dict[str, FactDef] = {}
        for defs in self.facts.values():
            merged.update(defs)
        return merged


# --- evaluation context and results --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact that contributed to a rule being met, as shown to a person."""

    fact: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class PriorPenalty:
    """An administrative penalty already imposed: its kind and the date it took effect."""

    kind: str
    effective_on: date
    number: str = ""


@dataclass
class _Ctx:
    values: dict[str, Any]
    defs: dict[str, FactDef]
    penalties: list[PriorPenalty]
    act_date: date | None
    findings: list[Finding]


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that is met (or, for a qualitative rule, that needs judgement)."""

    rule: Rule
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        return {
            "id": r.id,
            "domain": r.domain,
            "type": r.type,
            "tier": r.tier,
            "tier_label": r.tier_label,
            "offence": r.offence,
            "article": r.article,
            "label": r.label,
            "reads": list(r.reads),
            "facts": [{"fact": e.fact, "label": e.label, "value": e.value} for e in self.evidence],
            "source": {"tag": r.source.tag, "article": r.source.article, "title": r.source.title},
            "verified": r.verified,
            "note": r.note,
        }


@dataclass(frozen=True, slots=True)
class ThresholdResult:
    """Rules met, basic and aggravated apart; qualitative rules for judgement; findings."""

    basic: tuple[RuleHit, ...]
    aggravated: tuple[RuleHit, ...]
    judgement: tuple[RuleHit, ...]
    findings: tuple[Finding, ...]
    versions: Mapping[str, str]

    @property
    def meets_threshold(self) -> bool:
        """True when any basic-tier rule is met (the case appears to be a suspected crime)."""
        return bool(self.basic)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meets_threshold": self.meets_threshold,
            "basic": [h.to_dict() for h in self.basic],
            "aggravated": [h.to_dict() for h in self.aggravated],
            "judgement": [h.to_dict() for h in self.judgement],
            "findings": [
                {"severity": f.severity.value, "code": f.code, "message": f.message}
                for f in self.findings
            ],
            "rule_versions": dict(self.versions),
        }


# --- conditions -------------------------------------------------------------------------------

_OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}


def _show(d: FactDef, value: Any) -> str:
    if d.kind == "money":
        assert d.unit is not None
        fen = value * d.unit.factor
        return format_fen(int(fen)) if fen.denominator == 1 else f"{format_number(fen / 100)}元"
    if d.kind == "quantity":
        assert d.unit is not None
        return f"{format_number(value)} {d.unit.label}"
    if d.kind == "flag":
        return "是" if value else "否"
    if d.kind == "set":
        return "、".join(d.values.get(v, v) for v in sorted(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class _Compare(Cond):
    terms: tuple[tuple[str, Fraction], ...]  # (fact, multiplier)
    op: str
    limit: Fraction  # in the facts' own unit

    def reads(self) -> set[str]:
        return {k for k, _ in self.terms}

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        total = Fraction(0)
        for key, times in self.terms:
            v = ctx.values.get(key)
            if v is None:
                if len(self.terms) == 1:
                    return False
                continue  # a missing addend of a sum counts as zero
            total += v * times
        if not _OPS[self.op](total, self.limit):
            return False
        for key, _ in self.terms:
            if key in ctx.values:
                d = ctx.defs[key]
                evidence.append(Evidence(key, d.label, _show(d, ctx.values[key])))
        return True


@dataclass(frozen=True, slots=True)
class _Flag(Cond):
    fact: str
    expected: bool

    def reads(self) -> set[str]:
        return {self.fact}

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        v = ctx.values.get(self.fact)
        if v is None or v is not self.expected:
            return False
        d = ctx.defs[self.fact]
        evidence.append(Evidence(self.fact, d.label, _show(d, v)))
        return True


@dataclass(frozen=True, slots=True)
class _AnyOf(Cond):
    fact: str
    options: frozenset[str]

    def reads(self) -> set[str]:
        return {self.fact}

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        v = ctx.values.get(self.fact)
        hit = self.options & v if v else frozenset()
        if not hit:
            return False
        d = ctx.defs[self.fact]
        evidence.append(Evidence(self.fact, d.label, _show(d, hit)))
        return True


def add_years(d: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February falls back to the 28th."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True, slots=True)
class _Penalties(Cond):
    """≥ N prior penalties of these kinds within Y years before the new act.

    "Within 2 years" runs from the date the first penalty took effect to the date of the new
    act (ENV-INT2023 Art 19; FOOD-INT2021 Art 25): a penalty counts when it took effect on or
    before the act date and the act date is no later than the same calendar day Y years on.
    """

    kinds: frozenset[str]
    at_least: int
    years: int

    def reads(self) -> set[str]:
        return {"act_date"}

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        relevant = [p for p in ctx.penalties if p.kind in self.kinds]
        if not relevant:
            return False
        if ctx.act_date is None:
            _once(ctx, "facts.act_date_missing", "缺少违法行为发生日期，无法计算受行政处罚的期间")
            return False
        act = ctx.act_date
        counted = [
            p for p in relevant if p.effective_on <= act <= add_years(p.effective_on, self.years)
        ]
        if len(counted) < self.at_least:
            return False
        shown = "；".join(f"{p.number or p.kind} 于 {p.effective_on} 生效" for p in counted)
        label = f"{self.years}年内受过的行政处罚（{len(counted)}次）"
        evidence.append(Evidence("prior_penalties", label, shown))
        evidence.append(Evidence("act_date", ctx.defs["act_date"].label, str(act)))
        return True


@dataclass(frozen=True, slots=True)
class _All(Cond):
    parts: tuple[Cond, ...]

    def reads(self) -> set[str]:
        return set().union(*(p.reads() for p in self.parts))

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        mark = len(evidence)
        for p in self.parts:
            if not p.test(ctx, evidence):
                del evidence[mark:]
                return False
        return True


@dataclass(frozen=True, slots=True)
class _Any(Cond):
    parts: tuple[Cond, ...]

    def reads(self) -> set[str]:
        return set().union(*(p.reads() for p in self.parts))

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        met = False
        for p in self.parts:
            met = p.test(ctx, evidence) or met
        return met


@dataclass(frozen=True, slots=True)
class _Not(Cond):
    part: Cond

    def reads(self) -> set[str]:
        return self.part.reads()

    def test(self, ctx: _Ctx, evidence: list[Evidence]) -> bool:
        return not self.part.test(ctx, [])


def _once(ctx: _Ctx, code: str, message: str) -> None:
    if not any(f.code == code for f in ctx.findings):
        ctx.findings.append(Finding(Severity.WARNING, code, message))


# --- loading ----------------------------------------------------------------------------------


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "（根）"


class _Compiler:
    """Turns one file's JSON into rules, refusing inconsistencies with file and field named."""

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.data = data
        self.domain: str = data["domain"]
        self.facts = {k: self._fact(k, v) for k, v in data["facts"].items()}
        self.penalty_kinds: dict[str, str] = dict(data.get("penalty_kinds", {}))

    def fail(self, where: str, message: str) -> ThresholdRulesError:
        return ThresholdRulesError(
            f"阈值规则文件 {self.name} 无效：字段 {where}：{message}", detail=self.name
        )

    def _fact(self, key: str, raw: dict[str, Any]) -> FactDef:
        unit = None
        if "unit" in raw:
            unit = unit_of(raw["unit"])
            if unit is None:
                raise self.fail(f"facts.{key}.unit", f"未知单位“{raw['unit']}”")
        return FactDef(key, raw["label"], raw["kind"], unit, dict(raw.get("values", {})))

    def rules(self) -> list[Rule]:
        out: list[Rule] = []
        seen: set[str] = set()
        sources = self.data["sources"]
        for i, raw in enumerate(self.data["rules"]):
            where = f"rules[{i}]"
            if raw["id"] in seen:
                raise self.fail(f"{where}.id", f"规则编号重复：{raw['id']}")
            seen.add(raw["id"])
            if raw["domain"] != self.domain:
                raise self.fail(f"{where}.domain", f"应为 {self.domain}")
            tag = raw["source"]["tag"]
            if tag not in sources:
                raise self.fail(f"{where}.source.tag", f"来源 {tag} 未在 sources 中声明")
            src = sources[tag]
            source = Source(tag, raw["source"]["article"], src["title"], bool(src["verified"]))
            when = self._cond(raw["when"], f"{where}.when")
            if raw["type"] == "recidivism" and "penalties" not in json.dumps(raw["when"]):
                raise self.fail(f"{where}.when", "再犯类规则须包含 penalties 条件")
            out.append(
                Rule(
                    raw["id"],
                    self.domain,
                    raw["type"],
                    raw["tier"],
                    raw.get("tier_label", ""),
                    raw["offence"],
                    raw["article"],
                    raw["label"],
                    when,
                    source,
                    bool(raw["verified"]),
                    raw.get("note", ""),
                )
            )
        return out

    def _def(self, key: str, where: str, kinds: tuple[str, ...]) -> FactDef:
        d = self.facts.get(key)
        if d is None:
            raise self.fail(where, f"事实项 {key} 未在 facts 中声明")
        if d.kind not in kinds:
            raise self.fail(where, f"事实项 {key} 的类型 {d.kind} 不能用于此条件")
        return d

    def _cond(self, raw: dict[str, Any], where: str) -> Cond:
        if "all" in raw:
            return _All(tuple(self._cond(c, f"{where}.all[{i}]") for i, c in enumerate(raw["all"])))
        if "any" in raw:
            return _Any(tuple(self._cond(c, f"{where}.any[{i}]") for i, c in enumerate(raw["any"])))
        if "not" in raw:
            return _Not(self._cond(raw["not"], f"{where}.not"))
        if "penalties" in raw:
            p = raw["penalties"]
            for j, kind in enumerate(p["kinds"]):
                if kind not in self.penalty_kinds:
                    raise self.fail(f"{where}.penalties.kinds[{j}]", f"处罚类别 {kind} 未声明")
            self._def("act_date", f"{where}.penalties", ("date",))
            return _Penalties(frozenset(p["kinds"]), p["at_least"], p["within_years"])
        if "is" in raw:
            self._def(raw["fact"], f"{where}.fact", ("flag",))
            return _Flag(raw["fact"], raw["is"])
        if "any_of" in raw:
            d = self._def(raw["fact"], f"{where}.fact", ("set",))
            for j, v in enumerate(raw["any_of"]):
                if v not in d.values:
                    raise self.fail(f"{where}.any_of[{j}]", f"{v} 不是 {d.key} 的可选值")
            return _AnyOf(raw["fact"], frozenset(raw["any_of"]))
        terms_raw = raw["sum"] if "sum" in raw else [{"fact": raw["fact"]}]
        unit = unit_of(raw["unit"])
        if unit is None:
            raise self.fail(f"{where}.unit", f"未知单位“{raw['unit']}”")
        base: Unit | None = None
        terms: list[tuple[str, Fraction]] = []
        for j, t in enumerate(terms_raw):
            at = f"{where}.sum[{j}].fact" if "sum" in raw else f"{where}.fact"
            d = self._def(t["fact"], at, ("money", "quantity"))
            assert d.unit is not None
            if d.unit.dimension != unit.dimension:
                msg = f"单位 {raw['unit']} 与事实项 {d.key} 的单位 {d.unit.symbol} 量纲不同"
                raise self.fail(f"{where}.unit", msg)
            if base is not None and d.unit != base:
                raise self.fail(at, "求和的事实项须使用同一单位")
            base = d.unit
            terms.append((t["fact"], Fraction(Decimal(str(t.get("times", 1))))))
        assert base is not None
        limit = Fraction(Decimal(str(raw["value"]))) * unit.factor / base.factor
        return _Compare(tuple(terms), raw["op"], limit)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("app").joinpath("resources/schemas/threshold-rules.schema.json")
    schema = json.loads(text.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def parse_rule_file(
    name: str, text: str
) -> tuple[str, str, dict[str, FactDef], dict[str, str], list[Rule]]:
    """Validate and compile one rule file; raises :class:`ThresholdRulesError` naming the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ThresholdRulesError(
            f"阈值规则文件 {name} 不是有效的 JSON：第{exc.lineno}行第{exc.colno}列", detail=name
        ) from exc
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        raise ThresholdRulesError(
            f"阈值规则文件 {name} 无效：字段 {_path(error.absolute_path)}：{error.message}",
            detail=name,
        )
    compiler = _Compiler(name, data)
    rules = compiler.rules()
    return data["domain"], data["version"], compiler.facts, compiler.penalty_kinds, rules


def load_rule_book(files: Mapping[str, str] | None = None) -> RuleBook:
    """Load rule files (name → JSON text); by default every file bundled in the package."""
    if files is None:
        folder = resources.files("app").joinpath("resources/thresholds")
        files = {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".json")
        }
    rules: list[Rule] = []
    facts: dict[str, dict[str, FactDef]] = {}
    kinds: dict[str, str] = {}
    versions: dict[str, str] = {}
    seen_facts: dict[str, tuple[str, FactDef]] = {}
    rule_ids: set[str] = set()
    for name, text in files.items():
        domain, version, fdefs, pkinds, drules = parse_rule_file(name, text)
        if domain in versions:
            raise ThresholdRulesError(
                f"阈值规则文件 {name} 无效：字段 domain：{domain} 重复", detail=name
            )
        for key, d in fdefs.items():
            other = seen_facts.get(key)
            if other and (other[1].kind, other[1].unit) != (d.kind, d.unit):
                msg = f"阈值规则文件 {name} 无效：字段 facts.{key}：与 {other[0]} 中的定义不一致"
                raise ThresholdRulesError(msg, detail=name)
            seen_facts[key] = (name, d)
        for r in drules:
            if r.id in rule_ids:
                raise ThresholdRulesError(
                    f"阈值规则文件 {name} 无效：字段 rules.id：{r.id} 重复", detail=name
                )
            rule_ids.add(r.id)
        versions[domain] = version
        facts[domain] = fdefs
        kinds.update(pkinds)
        rules.extend(drules)
    return RuleBook(tuple(rules), facts, kinds, versions)


@lru_cache(maxsize=1)
def default_rule_book() -> RuleBook:
    """The rule files bundled with the application (cached)."""
    return load_rule_book()


# --- fact coercion ------------------------------------------------------------------------------


def _number(value: Any) -> Fraction | None:
    """A finite number from an int, Decimal, Fraction, float or numeric text; else None."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | Fraction):
            return Fraction(value)
        if isinstance(value, Decimal | float):
            return Fraction(Decimal(str(value)))
        if isinstance(value, str):
            return Fraction(Decimal(value.replace(",", "")))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return None


def _coerce(d: FactDef, raw: Any, findings: list[Finding]) -> Any:
    """A fact value in its definition's terms (Fraction in its unit, bool, set, date) or None."""

    def bad(what: str) -> None:
        findings.append(
            Finding(Severity.WARNING, "facts.value", f"事实项“{d.label}”（{d.key}）{what}")
        )

    if d.kind in ("money", "quantity"):
        return _coerce_measure(d, raw, bad, findings)
    if d.kind == "flag":
        if isinstance(raw, bool):
            return raw
        bad(f"应为是/否（true/false）：{raw!r}")
        return None
    if d.kind == "set":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple | set | frozenset):
            bad(f"应为可选值列表：{raw!r}")
            return None
        unknown = [v for v in items if v not in d.values]
        if unknown:
            bad(f"含有未知的可选值：{'、'.join(map(str, unknown))}")
        return frozenset(v for v in items if v in d.values)
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        bad(f"应为日期（YYYY-MM-DD）：{raw!r}")
        return None


def _coerce_measure(
    d: FactDef, raw: Any, bad: Callable[[str], None], findings: list[Finding]
) -> Fraction | None:
    """A money or quantity fact as a Fraction in the fact's own unit, or None with a finding."""
    assert d.unit is not None
    q: Quantity
    if isinstance(raw, Quantity):
        q = raw
    elif isinstance(raw, Mapping) and "value" in raw and "unit" in raw:
        num = _number(raw["value"])
        u = unit_of(str(raw["unit"]))
        if num is None or u is None:
            bad(f"的数值或单位无法识别：{raw}")
            return None
        q = Quantity(num, u)
    elif d.kind == "money" and isinstance(raw, str):
        parsed = parse_money(raw)
        if parsed.fen is None:
            bad("：" + "；".join(f.message for f in parsed.findings))
            return None
        return Fraction(parsed.fen) / d.unit.factor
    elif isinstance(raw, str):
        pq = parse_quantity(raw, default_unit=d.unit.symbol)
        if pq.quantity is None:
            bad("：" + "；".join(f.message for f in pq.findings))
            return None
        q = pq.quantity
    else:
        num = _number(raw)
        if num is None or (d.kind == "money" and isinstance(raw, float)):
            bad(f"应为数值（金额以分为单位的整数）：{raw!r}")
            return None
        if num < 0:
            bad("不能为负数")
            return None
        return num
    converted = q.to(d.unit.symbol)
    if converted is None:
        msg = f"事实项“{d.label}”的单位应为{d.unit.label}，收到的是{q.unit.label}，未参与判断"
        findings.append(Finding(Severity.WARNING, "facts.unit_mismatch", msg))
        return None
    if converted.value < 0:
        bad("不能为负数")
        return None
    return converted.value


def _penalty(raw: Any, i: int, findings: list[Finding]) -> PriorPenalty | None:
    if isinstance(raw, PriorPenalty):
        return raw
    if not isinstance(raw, Mapping) or "kind" not in raw or "effective_on" not in raw:
        msg = f"第{i + 1}条既往行政处罚缺少 kind 或 effective_on（生效日期），未计入"
        findings.append(Finding(Severity.WARNING, "penalties.incomplete", msg))
        return None
    try:
        eff = raw["effective_on"]
        effective = eff if isinstance(eff, date) else date.fromisoformat(str(eff))
    except ValueError:
        msg = f"第{i + 1}条既往行政处罚的生效日期无效：{raw['effective_on']}，未计入"
        findings.append(Finding(Severity.WARNING, "penalties.date", msg))
        return None
    return PriorPenalty(str(raw["kind"]), effective, str(raw.get("number", "")))


# --- evaluation -------------------------------------------------------------------------------


def evaluate(
    facts: Mapping[str, Any],
    prior_penalties: Sequence[Mapping[str, Any] | PriorPenalty] = (),
    *,
    domain: str | None = None,
    book: RuleBook | None = None,
) -> ThresholdResult:
    """Evaluate every rule (of ``domain``, or all) against the facts and prior penalties."""
    book = book or default_rule_book()
    defs = book.fact_defs(domain)
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    for key, raw in facts.items():
        if raw is None or raw == "":
            continue
        d = defs.get(key)
        if d is None:
            msg = f"未知的事实项 {key}，未参与阈值判断"
            findings.append(Finding(Severity.WARNING, "facts.unknown", msg))
            continue
        v = _coerce(d, raw, findings)
        if v is not None:
            values[key] = v
    penalties = [p for i, raw in enumerate(prior_penalties) if (p := _penalty(raw, i, findings))]
    for p in penalties:
        if p.kind not in book.penalty_kinds:
            msg = f"既往行政处罚类别 {p.kind} 未知，未计入再犯判断"
            findings.append(Finding(Severity.WARNING, "penalties.kind", msg))
    act = values.get("act_date")
    ctx = _Ctx(values, defs, penalties, act if isinstance(act, date) else None, findings)
    basic: list[RuleHit] = []
    aggravated: list[RuleHit] = []
    judgement: list[RuleHit] = []
    for rule in book.for_domain(domain):
        evidence: list[Evidence] = []
        if not rule.when.test(ctx, evidence):
            continue
        hit = RuleHit(rule, tuple(_dedupe(evidence)))
        if rule.type == "qualitative":
            judgement.append(hit)
        elif rule.tier == "aggravated":
            aggravated.append(hit)
        else:
            basic.append(hit)
    return ThresholdResult(
        tuple(basic), tuple(aggravated), tuple(judgement), tuple(findings), dict(book.versions)
    )


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, str]] = set()
    out: list[Evidence] = []
    for e in evidence:
        if (e.fact, e.value) not in seen:
            seen.add((e.fact, e.value))
            out.append(e)
    return out
