"""Event kinds of the case timeline: code, Chinese label, track, who acts, required data.

app/domain/labels.py shows these labels (EVENT_LABELS is KIND_LABELS). An event is immutable; the
workflow state is derived from the ordered list of events (see machine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Party(StrEnum):
    """Who performs a step or owes a deadline."""

    SELF = "self"  # the enforcement unit using this client
    POLICE = "police"
    PROCURATORATE = "procuratorate"
    COURT = "court"


PARTY_LABELS: dict[Party, str] = {
    Party.SELF: "本单位",
    Party.POLICE: "公安机关",
    Party.PROCURATORATE: "人民检察院",
    Party.COURT: "人民法院",
}


class Track(StrEnum):
    """Which part of the workflow an event belongs to."""

    ADMIN = "admin"  # the administrative case itself
    FORWARD = "forward"  # 正向移送
    REVERSE = "reverse"  # 反向移送
    CASE = "case"  # the case as a whole (closing)


REVERSE_SOURCES: dict[str, str] = {
    "police_non_filing": "公安机关不予立案",
    "police_withdrawal": "公安机关撤销案件",
    "non_prosecution": "人民检察院不起诉（附检察意见）",
    "court_exemption": "人民法院免予刑事处罚",
    "court_acquittal": "人民法院无罪判决",
}

RECONSIDERATION_OUTCOMES: dict[str, str] = {"upheld": "维持不予立案", "reversed": "撤销原决定"}
JUDGMENT_OUTCOMES: dict[str, str] = {
    "convicted": "有罪判决",
    "exempted": "免予刑事处罚",
    "acquitted": "无罪判决",
}
FOLLOW_UP_LETTERS: dict[str, str] = {
    "follow_up_letter": "跟进监督函",
    "procuratorial_suggestion": "检察建议书",
}

Check = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class KindSpec:
    """What an event kind is and what its data must hold."""

    code: str
    label: str
    track: Track
    party: Party
    required: tuple[str, ...] = ()
    head_only: bool = False
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class WorkflowEvent:
    """One timeline event as the workflow sees it (mirrors app.store.models.Event).

    ``actor_role`` is the acting user's role (app.domain.kinds.Role) at the time; a stored
    Event keeps it in ``data["actor_role"]``.
    """

    id: str
    kind: str
    occurred_at: datetime
    actor_role: str | None = None
    actor_user_id: str | None = None
    actor_unit_id: str | None = None
    document_id: str | None = None
    note: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Any) -> WorkflowEvent:
        """Build from any object with the store Event's attributes (duck-typed, no SQL)."""
        data = dict(record.data or {})
        return cls(
            id=str(record.id),
            kind=record.kind,
            occurred_at=record.occurred_at,
            actor_role=data.get("actor_role"),
            actor_user_id=record.actor_user_id,
            actor_unit_id=record.actor_unit_id,
            document_id=record.document_id,
            note=record.note or "",
            data=data,
        )


# --- data checks: each returns a Chinese reason or None -------------------------------------


def _one_of(key: str, allowed: Mapping[str, str], what: str) -> Check:
    def check(data: Mapping[str, Any]) -> str | None:
        if data.get(key) not in allowed:
            return f"{what}须为：{'、'.join(f'{k}（{v}）' for k, v in allowed.items())}"
        return None

    return check


def _text(key: str, what: str) -> Check:
    def check(data: Mapping[str, Any]) -> str | None:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"须记录{what}"
        return None

    return check


def _optional_bool(*keys: str) -> Check:
    def check(data: Mapping[str, Any]) -> str | None:
        for key in keys:
            if key in data and data[key] is not None and not isinstance(data[key], bool):
                return f"{key} 须为是/否"
        return None

    return check


def _team(data: Mapping[str, Any]) -> str | None:
    members = data.get("members")
    if not isinstance(members, list) or not all(isinstance(m, str) and m for m in members):
        return "专案组成员须为执法人员名单"
    if len(set(members)) < 2:
        return "专案组须由至少2名执法人员组成（R2020 第5条）"
    return None


def _doc_types(data: Mapping[str, Any]) -> str | None:
    value = data.get("doc_types")
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        return "须列明随案移送的材料（文书类型）"
    return None


def _datetime_field(key: str) -> Check:
    def check(data: Mapping[str, Any]) -> str | None:
        if key not in data or data[key] is None:
            return None
        try:
            moment = datetime.fromisoformat(str(data[key]))
        except ValueError:
            return f"{key} 不是有效时间"
        if moment.tzinfo is None:
            return f"{key} 须带时区"
        return None

    return check


def _offset(data: Mapping[str, Any]) -> str | None:
    offset = data.get("offset")
    if offset is None:
        return None
    if not isinstance(offset, Mapping):
        return "折抵说明须为对象"
    for key in ("fine_paid_yuan", "detention_days"):
        value = offset.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            return f"折抵说明 {key} 须为非负数"
    return None


def reply_period_problem(opinion: Mapping[str, Any]) -> str | None:
    """Why a 检察意见's stated reply period is unusable, or None."""
    due_on = opinion.get("reply_due_on")
    if due_on is not None:
        try:
            date.fromisoformat(str(due_on))
        except ValueError:
            return "检察意见回复期限 reply_due_on 不是有效日期"
    period = opinion.get("reply_period")
    if period is not None:
        if not isinstance(period, Mapping):
            return "检察意见回复期限 reply_period 须为对象"
        amount, unit = period.get("amount"), period.get("unit")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return "检察意见回复期限的数量须为正整数"
        if unit not in ("days", "working_days", "months"):
            return "检察意见回复期限的单位须为 days、working_days 或 months"
    return None


def _referral(data: Mapping[str, Any]) -> str | None:
    if data.get("source") != "non_prosecution":
        return None
    opinion = data.get("opinion")
    if not isinstance(opinion, Mapping):
        return "不起诉案件须附检察意见（opinion：文号及回复期限）"
    if not isinstance(opinion.get("number"), str) or not opinion["number"].strip():
        return "须记录检察意见书文号"
    return reply_period_problem(opinion)


# --- the kinds ----------------------------------------------------------------------------

_F, _R, _A, _C = Track.FORWARD, Track.REVERSE, Track.ADMIN, Track.CASE
_S, _P, _J, _CT = Party.SELF, Party.POLICE, Party.PROCURATORATE, Party.COURT

KINDS: tuple[KindSpec, ...] = (
    KindSpec("case_opened", "行政立案", _A, _S),
    KindSpec("evidence_collected", "调查取证", _A, _S),
    KindSpec("penalty_notice", "行政处罚告知", _A, _S),
    KindSpec("penalty_decided", "作出行政处罚决定", _A, _S, checks=(_offset,)),
    KindSpec("platform_entered", "录入信息共享平台", _A, _S),
    KindSpec("crime_suspected", "发现涉嫌犯罪", _F, _S, checks=(_optional_bool("obvious"),)),
    KindSpec("transfer_demanded", "检察院要求移送（检察意见）", _F, _J),
    KindSpec("team_formed", "成立专案组", _F, _S, ("members",), checks=(_team,)),
    KindSpec("transfer_reported", "提交移送报告", _F, _S),
    KindSpec("transfer_approved", "负责人批准移送", _F, _S, head_only=True),
    KindSpec(
        "transfer_refused",
        "负责人不批准移送",
        _F,
        _S,
        ("reason",),
        head_only=True,
        checks=(_text("reason", "不批准的理由"),),
    ),
    KindSpec(
        "materials_waived",
        "负责人同意材料不全先行移送",
        _F,
        _S,
        ("reason",),
        head_only=True,
        checks=(_text("reason", "材料不全仍移送的理由"),),
    ),
    KindSpec(
        "transferred",
        "移送公安机关",
        _F,
        _S,
        ("doc_types",),
        checks=(_doc_types, _optional_bool("items_seized", "testing_needed")),
    ),
    KindSpec("copied_to_procuratorate", "抄送检察院", _F, _S),
    KindSpec("penalty_decision_copied", "抄送行政处罚决定书副本", _F, _S),
    KindSpec(
        "receipt_signed", "公安签收回执", _F, _P, checks=(_optional_bool("outside_jurisdiction"),)
    ),
    KindSpec("forwarded", "移交有管辖权的公安机关", _F, _P),
    KindSpec("supplement_requested", "公安要求补充材料", _F, _P),
    KindSpec("supplement_supplied", "补充移送材料", _F, _S),
    KindSpec("police_filed", "公安立案", _F, _P, checks=(_datetime_field("decided_at"),)),
    KindSpec(
        "police_not_filed",
        "公安不予立案",
        _F,
        _P,
        ("reason",),
        checks=(_text("reason", "不予立案的理由"), _datetime_field("decided_at")),
    ),
    KindSpec("reconsideration_requested", "提请公安复议", _F, _S),
    KindSpec(
        "reconsideration_decided",
        "公安复议决定",
        _F,
        _P,
        ("outcome",),
        checks=(_one_of("outcome", RECONSIDERATION_OUTCOMES, "复议结果"),),
    ),
    KindSpec("supervision_suggested", "建议检察院立案监督", _F, _S),
    KindSpec("explanation_requested", "检察院要求公安说明不立案理由", _F, _J),
    KindSpec("police_explained", "公安说明不立案理由", _F, _P),
    KindSpec("filing_ordered", "检察院通知公安立案", _F, _J),
    KindSpec("supervision_answered", "检察院答复立案监督结果", _F, _J),
    KindSpec("items_handed_over", "移交涉案物品及材料", _F, _S),
    KindSpec("police_withdrew", "公安撤销案件", _F, _P, checks=(_datetime_field("decided_at"),)),
    KindSpec("prosecuted", "检察院提起公诉", _F, _J),
    KindSpec("not_prosecuted", "检察院不起诉", _F, _J),
    KindSpec("review_ended", "检察院终结审查（不需行政处罚）", _F, _J),
    KindSpec(
        "judgment",
        "法院判决",
        _F,
        _CT,
        ("outcome",),
        checks=(_one_of("outcome", JUDGMENT_OUTCOMES, "判决结果"),),
    ),
    KindSpec(
        "referral_received",
        "收到反向移送",
        _R,
        _S,
        ("source",),
        checks=(
            _one_of("source", REVERSE_SOURCES, "反向移送来源"),
            _referral,
            _datetime_field("decided_at"),
        ),
    ),
    KindSpec("handling_started", "反向移送案件立案办理", _R, _S),
    KindSpec(
        "no_penalty_decided",
        "决定不予行政处罚",
        _R,
        _S,
        ("reason",),
        checks=(_text("reason", "不予处罚的理由"),),
    ),
    KindSpec("reply_sent", "回复检察院", _R, _S, checks=(_optional_bool("final"),)),
    KindSpec(
        "follow_up_received",
        "收到跟进监督函或检察建议",
        _R,
        _J,
        ("letter",),
        checks=(_one_of("letter", FOLLOW_UP_LETTERS, "来函类型"),),
    ),
    KindSpec("closed", "结案", _C, _S),
)

SPECS: dict[str, KindSpec] = {k.code: k for k in KINDS}
KIND_LABELS: dict[str, str] = {k.code: k.label for k in KINDS}


def spec_of(kind: str) -> KindSpec | None:
    """The spec of ``kind``, or None when the kind is unknown."""
    return SPECS.get(kind)


def data_problem(spec: KindSpec, data: Mapping[str, Any]) -> str | None:
    """The first reason ``data`` does not fit ``spec``, or None."""
    for key in spec.required:
        if key not in data or data[key] is None:
            return f"{spec.label}：缺少必填信息 {key}"
    for check in spec.checks:
        problem = check(data)
        if problem:
            return f"{spec.label}：{problem}"
    return None
