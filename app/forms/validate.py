"""Validation of a form: findings per field, completeness per section, an overall score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.identifiers import Severity
from app.forms.conditions import compare
from app.forms.model import FormModel
from app.forms.spec import Spec
from app.forms.values import FieldFinding


@dataclass(frozen=True, slots=True)
class SectionProgress:
    """How much of one step is done: required fields filled without errors."""

    key: str
    title: str
    required: int
    done: int

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else round(100 * self.done / self.required)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "required": self.required,
            "done": self.done,
            "percent": self.percent,
        }


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """All findings, per-section completeness and the overall completeness score (0–100)."""

    spec_id: str
    spec_version: str
    findings: tuple[FieldFinding, ...]
    sections: tuple[SectionProgress, ...]

    @property
    def score(self) -> int:
        required = sum(s.required for s in self.sections)
        done = sum(s.done for s in self.sections)
        return 100 if required == 0 else round(100 * done / required)

    @property
    def errors(self) -> tuple[FieldFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_field(self, key: str) -> list[FieldFinding]:
        return [f for f in self.findings if f.field == key or f.field.startswith(key + "[")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": {"id": self.spec_id, "version": self.spec_version},
            "score": self.score,
            "findings": [f.to_dict() for f in self.findings],
            "sections": [s.to_dict() for s in self.sections],
        }


def validate(
    spec: Spec, values: Mapping[str, Any], *, today: date | None = None
) -> ValidationResult:
    """Validate values against a spec."""
    return validate_model(FormModel(spec, values, today))


def validate_model(model: FormModel) -> ValidationResult:
    """Validate an already built form model."""
    spec = model.spec
    findings: list[FieldFinding] = []
    progress: list[SectionProgress] = []
    for section in spec.sections:
        required = done = 0
        for f in section.fields:
            if not model.visible(f.key):
                continue
            own = model.value_findings.get(f.key, [])
            findings.extend(own)
            if not model.required(f.key):
                continue
            required += 1
            if not model.filled(f.key):
                findings.append(
                    FieldFinding(f.key, Severity.ERROR, "required", f"必填项未填写：{f.label}")
                )
            elif not any(x.severity is Severity.ERROR for x in own):
                done += 1
        progress.append(SectionProgress(section.key, section.title, required, done))
    for check in spec.checks:
        if not (model.visible(check.left) and model.visible(check.right)):
            continue
        left, right = model.value(check.left), model.value(check.right)
        if left is None or right is None:
            continue
        if not compare(check.op, left, right):
            findings.append(
                FieldFinding(
                    check.left, Severity(check.severity), f"check.{check.id}", check.message
                )
            )
    for key in model.raw:
        if key not in spec.fields:
            msg = f"字段 {key} 未在录入标准 {spec.id} v{spec.version} 中定义，未检查"
            findings.append(FieldFinding(key, Severity.INFO, "unknown_field", msg))
    return ValidationResult(spec.id, spec.version, tuple(findings), tuple(progress))
