"""Check one exported case: entry-standard validation plus the criminal-threshold rules.

Input is JSON bytes in the shape documented in docs/entry-standards.md (§ check-case input):
``{"case": {...}, "parties": [...], "prior_penalties": [...]}``, or an export holding exactly
one case under ``"cases"`` (top level, or under ``"tables"`` as ``xianjie export`` writes).
Bad input raises :class:`~app.errors.UserError`; everything about the case itself is
reported as findings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.domain.identifiers import Severity
from app.domain.labels import DOMAIN_LABELS, label
from app.domain.thresholds import RuleBook, RuleHit, ThresholdResult, default_rule_book, evaluate
from app.errors import UserError
from app.forms import FieldFinding, FormModel, SpecRegistry, threshold_facts, validate_model
from app.forms.spec import Spec
from app.forms.validate import ValidationResult

CASE_COLUMNS = ("case_number", "title", "opened_on", "decided_on", "amount_fen", "penalty_fen")
"""Case columns copied into the form values when ``fields`` does not already hold them."""

_SEVERITY_LABELS = {"error": "错误", "warning": "提示", "info": "说明"}


@dataclass(frozen=True)
class CheckReport:
    """Validation findings and threshold results for one case."""

    case_id: str
    title: str
    domain: str
    category: str
    spec: Spec | None
    validation: ValidationResult | None
    findings: tuple[FieldFinding, ...]
    thresholds: ThresholdResult
    entry_due: date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """No errors in the entry (thresholds met are not errors)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def meets_threshold(self) -> bool:
        return self.thresholds.meets_threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": {
                "id": self.case_id,
                "title": self.title,
                "domain": self.domain,
                "category": self.category,
            },
            "spec": None
            if self.spec is None
            else {"id": self.spec.id, "version": self.spec.version, "title": self.spec.title},
            "ok": self.ok,
            "score": None if self.validation is None else self.validation.score,
            "sections": []
            if self.validation is None
            else [s.to_dict() for s in self.validation.sections],
            "findings": [f.to_dict() for f in self.findings],
            "entry_due": None if self.entry_due is None else self.entry_due.isoformat(),
            "notes": list(self.notes),
            "thresholds": self.thresholds.to_dict(),
        }

    def to_text(self) -> str:
        """A plain Chinese report for a person."""
        lines = [f"案件：{self.title or self.case_id}（{label(DOMAIN_LABELS, self.domain)}）"]
        if self.spec is not None:
            lines.append(f"录入标准：{self.spec.title} v{self.spec.version}")
        if self.validation is not None:
            lines.append(f"完整度：{self.validation.score}/100")
            for s in self.validation.sections:
                lines.append(f"  {s.title}：{s.done}/{s.required}（{s.percent}%）")
        if self.entry_due is not None:
            lines.append(f"平台录入期限：{self.entry_due.isoformat()} 前")
        lines.extend(f"注意：{n}" for n in self.notes)
        lines.append("")
        lines.extend(_threshold_lines(self.thresholds))
        lines.append("")
        if self.findings:
            lines.append(f"录入检查发现 {len(self.findings)} 项：")
            for f in self.findings:
                sev = _SEVERITY_LABELS[f.severity.value]
                lines.append(f"  [{sev}] {f.field}：{f.message}")
        else:
            lines.append("录入检查未发现问题。")
        return "\n".join(lines)


def _hit_lines(hit: RuleHit) -> list[str]:
    r = hit.rule
    flag = "" if r.verified else "（规则未核实）"
    out = [f"  · {r.offence}（{r.article}）：{r.label}{flag}"]
    out.extend(f"      {e.label}：{e.value}" for e in hit.evidence)
    out.append(f"      依据：{r.source}")
    return out


def _threshold_lines(result: ThresholdResult) -> list[str]:
    lines: list[str] = []
    if result.basic:
        lines.append("⚠ 本案似已达到刑事立案追诉标准，请考虑依法移送公安机关：")
        for hit in result.basic:
            lines.extend(_hit_lines(hit))
    else:
        lines.append("未发现达到刑事立案追诉标准的情形（依已录入的事实）。")
    if result.aggravated:
        lines.append("加重情节（情节严重／特别严重），另行列出：")
        for hit in result.aggravated:
            lines.extend(_hit_lines(hit))
    if result.judgement:
        lines.append("需人工判断的情形：")
        for hit in result.judgement:
            lines.extend(_hit_lines(hit))
    for f in result.findings:
        lines.append(f"  [{_SEVERITY_LABELS[f.severity.value]}] {f.message}")
    return lines


def _parse(data: bytes) -> tuple[dict[str, Any], list[Any], list[Any]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UserError("案件文件不是 UTF-8 编码的文本", detail=str(exc)) from exc
    except json.JSONDecodeError as exc:
        msg = f"案件文件不是有效的 JSON：第{exc.lineno}行第{exc.colno}列"
        raise UserError(msg, detail=exc.msg) from exc
    if not isinstance(doc, dict):
        raise UserError("案件文件应为 JSON 对象，含 case、parties、prior_penalties")
    if isinstance(doc.get("tables"), dict):  # a store export (app/store/exchange.py)
        doc = {**doc["tables"], "prior_penalties": doc.get("prior_penalties", [])}
    if isinstance(doc.get("case"), dict):
        case = doc["case"]
        parties = doc.get("parties", case.get("parties", []))
    elif isinstance(doc.get("cases"), list) and len(doc["cases"]) == 1:
        case = doc["cases"][0]
        cid = case.get("id")
        parties = [p for p in doc.get("parties", []) if p.get("case_id") in (None, cid)]
    else:
        raise UserError("案件文件中未找到唯一的案件（应有 case 对象，或只含一个案件的 cases 列表）")
    penalties = doc.get("prior_penalties", case.get("prior_penalties", []))
    if not isinstance(parties, list) or not isinstance(penalties, list):
        raise UserError("parties 与 prior_penalties 应为列表")
    if not isinstance(case.get("fields", {}), dict):
        raise UserError("case.fields 应为 JSON 对象")
    return case, parties, penalties


def _values(case: Mapping[str, Any], parties: list[Any]) -> dict[str, Any]:
    values = dict(case.get("fields") or {})
    for column in CASE_COLUMNS:
        if case.get(column) not in (None, "") and column not in values:
            values[column] = case[column]
    if parties and "parties" not in values:
        keep = ("kind", "name", "id_number", "phone", "address", "role")
        values["parties"] = [
            {k: p[k] for k in keep if k in p} if isinstance(p, dict) else p for p in parties
        ]
    return values


def _entry_due(spec: Spec, model: FormModel) -> date | None:
    after = model.value(spec.entry_deadline.after)
    if not isinstance(after, date) or spec.entry_deadline.counting != "calendar_days":
        return None
    return after + timedelta(days=spec.entry_deadline.days)


def check_case_json(
    data: bytes,
    *,
    registry: SpecRegistry | None = None,
    book: RuleBook | None = None,
    today: date | None = None,
) -> CheckReport:
    """Validate one case against its entry standard and run the threshold rules."""
    case, parties, penalties = _parse(data)
    registry = registry or _builtin_registry()
    book = book or default_rule_book()
    category = str(case.get("category", ""))
    domain = str(case.get("domain", ""))
    wanted = str(case.get("spec_version") or "") or None
    notes: list[str] = []
    findings: list[FieldFinding] = []
    spec = registry.find(category, wanted)
    if spec is None and wanted is not None:
        spec = registry.find(category)
        if spec is not None:
            notes.append(
                f"未安装录入标准 {category} 的 {wanted} 版本，已按 {spec.version} 版本检查"
            )
    values = _values(case, parties)
    if spec is None:
        msg = f"未找到类别为“{category}”的录入标准，仅按已录入的事实运行阈值规则"
        findings.append(FieldFinding("category", Severity.ERROR, "spec.missing", msg))
        facts = {k: v for k, v in values.items() if k in book.fact_defs(domain or None)}
        result = evaluate(facts, penalties, domain=domain or None, book=book)
        return CheckReport(
            str(case.get("id", "")),
            str(case.get("title", "")),
            domain,
            category,
            None,
            None,
            tuple(findings),
            result,
            None,
            tuple(notes),
        )
    if domain and domain != spec.domain:
        msg = f"案件领域 {domain} 与录入标准的领域 {spec.domain} 不一致"
        findings.append(FieldFinding("domain", Severity.WARNING, "spec.domain", msg))
    model = FormModel(spec, values, today)
    validation = validate_model(model)
    findings.extend(validation.findings)
    result = evaluate(threshold_facts(model), penalties, domain=spec.domain, book=book)
    if result.meets_threshold and model.value("transfer_opinion") != "transfer":
        msg = (
            "本案似已达到刑事立案追诉标准，但未选择移送；"
            "不移送须记录理由并记入审计日志（不得以罚代刑）"
        )
        findings.append(
            FieldFinding("transfer_opinion", Severity.WARNING, "threshold.no_transfer", msg)
        )
    return CheckReport(
        str(case.get("id", "")),
        str(case.get("title", "")),
        domain or spec.domain,
        category,
        spec,
        validation,
        tuple(findings),
        result,
        _entry_due(spec, model),
        tuple(notes),
    )


_REGISTRY: list[SpecRegistry] = []


def _builtin_registry() -> SpecRegistry:
    if not _REGISTRY:
        _REGISTRY.append(SpecRegistry.builtin())
    return _REGISTRY[0]
