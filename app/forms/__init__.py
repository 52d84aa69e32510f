"""Entry standards (declarative specs) → form model → validation. No Qt, no SQL."""

from app.forms.facts import threshold_facts
from app.forms.loader import SpecError, parse_spec
from app.forms.model import FormModel
from app.forms.registry import Draft, SpecRegistry
from app.forms.spec import FieldSpec, Section, Spec
from app.forms.validate import SectionProgress, ValidationResult, validate, validate_model
from app.forms.values import FieldFinding

__all__ = [
    "Draft",
    "FieldFinding",
    "FieldSpec",
    "FormModel",
    "Section",
    "SectionProgress",
    "Spec",
    "SpecError",
    "SpecRegistry",
    "ValidationResult",
    "parse_spec",
    "threshold_facts",
    "validate",
    "validate_model",
]
