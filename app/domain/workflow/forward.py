"""The forward transfer (正向移送) state machine: R2020 Arts 5-13, SPP2001 items 9-11.

Nodes and moves are a table; data-dependent rules (team size, head's role, materials, closing
reasons) are checked when the step is applied. domain.md §2 and §10 list the steps.
"""

from __future__ import annotations

from dataclasses import replace

from app.domain.materials import check_materials
from app.domain.workflow.events import Party, WorkflowEvent
from app.domain.workflow.state import CaseState, Owed, WorkflowRefused

NODES: dict[str, str] = {
    "none": "未启动移送",
    "suspected": "发现涉嫌犯罪",
    "team_formed": "已成立专案组",
    "reported": "移送报告待审批",
    "approved": "已批准移送，待移送",
    "refused": "负责人不批准移送",
    "transferred": "已移送，待公安签收",
    "received": "公安已签收，待立案决定",
    "supplementing": "公安要求补充材料",
    "forwarded": "已移交有管辖权的公安机关",
    "filed": "公安已立案",
    "not_filed": "公安不予立案",
    "reconsidering": "复议中",
    "reconsideration_decided": "公安已作出复议决定",
    "supervision": "已建议检察院立案监督",
    "explanation_requested": "检察院要求公安说明不立案理由",
    "explained": "公安已说明不立案理由",
    "filing_ordered": "检察院已通知公安立案",
    "supervision_answered": "检察院已答复立案监督结果",
    "handed_over": "涉案物品及材料已移交",
    "withdrawn": "公安撤销案件",
    "prosecuted": "已提起公诉",
    "not_prosecuted": "检察院不起诉",
    "judged": "法院已判决",
}

PRE_TRANSFER = frozenset({"none", "suspected", "team_formed", "refused"})
MID_TRANSFER = frozenset({"reported", "approved"})
AWAITING_POLICE = frozenset({"transferred", "received", "supplementing", "forwarded"})

# kind -> (nodes it may follow, node it leads to; None keeps the node)
MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    "crime_suspected": (frozenset({"none", "suspected"}), "suspected"),
    "transfer_demanded": (PRE_TRANSFER | MID_TRANSFER, None),
    "team_formed": (frozenset({"suspected", "team_formed", "refused"}), "team_formed"),
    "transfer_reported": (frozenset({"team_formed", "refused"}), "reported"),
    "transfer_approved": (frozenset({"reported"}), "approved"),
    "transfer_refused": (frozenset({"reported"}), "refused"),
    "materials_waived": (frozenset({"approved"}), None),
    "transferred": (frozenset({"approved"}), "transferred"),
    "receipt_signed": (frozenset({"transferred", "forwarded"}), "received"),
    "forwarded": (frozenset({"received"}), "forwarded"),
    "supplement_requested": (frozenset({"received"}), "supplementing"),
    "supplement_supplied": (frozenset({"supplementing"}), "received"),
    "police_filed": (
        frozenset(
            {
                "received",
                "reconsideration_decided",
                "supervision",
                "explanation_requested",
                "explained",
                "filing_ordered",
            }
        ),
        "filed",
    ),
    "police_not_filed": (frozenset({"received"}), "not_filed"),
    "reconsideration_requested": (frozenset({"not_filed"}), "reconsidering"),
    "reconsideration_decided": (frozenset({"reconsidering"}), "reconsideration_decided"),
    "supervision_suggested": (
        frozenset({"not_filed", "reconsideration_decided"}),
        "supervision",
    ),
    "explanation_requested": (frozenset({"supervision"}), "explanation_requested"),
    "police_explained": (frozenset({"explanation_requested"}), "explained"),
    "filing_ordered": (frozenset({"explanation_requested", "explained"}), "filing_ordered"),
    "supervision_answered": (frozenset({"supervision", "explained"}), "supervision_answered"),
    "items_handed_over": (frozenset({"filed"}), "handed_over"),
    "police_withdrew": (frozenset({"filed", "handed_over"}), "withdrawn"),
    "prosecuted": (frozenset({"filed", "handed_over"}), "prosecuted"),
    "not_prosecuted": (frozenset({"filed", "handed_over"}), "not_prosecuted"),
    "review_ended": (frozenset({"not_prosecuted"}), None),
    "judgment": (frozenset({"prosecuted"}), "judged"),
}

# Closing: plain from these nodes; with a recorded reason from REASONED; never from the rest.
CLOSABLE = frozenset({"none", "refused", "handed_over", "prosecuted", "judged"})
CLOSABLE_WITH_REASON = frozenset(
    {
        "suspected",
        "team_formed",
        "not_filed",
        "reconsideration_decided",
        "supervision_answered",
        "explained",
        "withdrawn",
        "not_prosecuted",
    }
)

OWES: dict[str, Owed] = {
    "suspected": Owed(Party.SELF, "成立专案组（至少2名执法人员）并核实情况"),
    "team_formed": Owed(Party.SELF, "向负责人提交移送涉嫌犯罪案件的书面报告"),
    "reported": Owed(Party.SELF, "负责人审批：批准移送或不批准（记录理由）"),
    "approved": Owed(Party.SELF, "24小时内向同级公安机关移送"),
    "transferred": Owed(Party.POLICE, "在移送书回执上签字"),
    "forwarded": Owed(Party.POLICE, "有管辖权的公安机关签收"),
    "received": Owed(Party.POLICE, "审查并作出立案或不予立案决定"),
    "supplementing": Owed(Party.SELF, "补充移送材料"),
    "filed": Owed(Party.SELF, "移交涉案物品及有关材料，办结交接手续"),
    "not_filed": Owed(Party.SELF, "决定是否提请复议或建议检察院立案监督"),
    "reconsidering": Owed(Party.POLICE, "作出复议决定"),
    "supervision": Owed(Party.PROCURATORATE, "审查立案监督建议"),
    "explanation_requested": Owed(Party.POLICE, "书面说明不立案理由"),
    "explained": Owed(Party.PROCURATORATE, "审查不立案理由"),
    "filing_ordered": Owed(Party.POLICE, "依通知立案"),
    "handed_over": Owed(Party.POLICE, "侦查终结并移送审查起诉或撤销案件"),
    "prosecuted": Owed(Party.COURT, "审理并判决"),
    "not_prosecuted": Owed(Party.PROCURATORATE, "审查是否需要给予行政处罚（反向移送）"),
}


def guard(state: CaseState, kind: str) -> str | None:
    """Why ``kind`` cannot follow now (structure only), or None."""
    if state.reverse != "none" and kind in MOVES:
        return "案件已进入反向移送处理，不再接受正向移送节点"
    if kind in MOVES:
        allowed, _ = MOVES[kind]
        if state.forward not in allowed:
            return f"当前节点为“{NODES[state.forward]}”，不能进行此步骤"
        if kind == "crime_suspected" and state.crime_suspected:
            return "已记录发现涉嫌犯罪"
        if (
            kind == "supervision_suggested"
            and state.forward == "reconsideration_decided"
            and state.reconsideration_outcome != "upheld"
        ):
            return "复议已撤销原不立案决定，无需建议立案监督"
        return None
    if kind == "copied_to_procuratorate":
        if not state.transferred_once:
            return "尚未移送公安机关，无可抄送"
        return "已抄送检察院" if state.copied_to_procuratorate else None
    if kind == "penalty_decision_copied":
        if not (state.penalty_decided and state.crime_suspected):
            return "仅在已作出行政处罚且发现涉嫌犯罪时抄送处罚决定书"
        return "已抄送行政处罚决定书" if state.penalty_copied else None
    return f"未知的正向移送步骤：{kind}"


def _materials(state: CaseState, event: WorkflowEvent) -> None:
    data = event.data
    facts = {
        "penalty_decided": state.penalty_decided or bool(data.get("penalty_decided")),
        "items_seized": data.get("items_seized"),
        "testing_needed": data.get("testing_needed"),
    }
    checklist = check_materials(data.get("doc_types", []), facts)
    if not checklist.complete and not state.materials_waived:
        raise WorkflowRefused(
            event.kind,
            "移送材料不全，缺少："
            + "、".join(checklist.missing_labels())
            + "。请补齐，或由负责人记录理由后同意先行移送",
        )


def apply(state: CaseState, event: WorkflowEvent) -> CaseState:
    """The state after forward ``event``; raises WorkflowRefused if it is not allowed."""
    reason = guard(state, event.kind)
    if reason:
        raise WorkflowRefused(event.kind, reason)
    kind, data = event.kind, event.data
    if kind == "transferred":
        _materials(state, event)
    target = MOVES[kind][1] if kind in MOVES else None
    new = replace(state, forward=target or state.forward)
    if kind == "crime_suspected":
        new = replace(new, crime_suspected=True, obvious=bool(data.get("obvious")))
    elif kind == "transfer_demanded":
        new = replace(new, transfer_demanded=True, crime_suspected=True)
        if state.forward == "none":
            new = replace(new, forward="suspected")
    elif kind == "team_formed":
        new = replace(new, team=tuple(dict.fromkeys(data["members"])))
    elif kind in ("transfer_approved", "transfer_refused"):
        new = replace(new, materials_waived=False)
    elif kind == "materials_waived":
        new = replace(new, materials_waived=True)
    elif kind == "transferred":
        new = replace(new, transferred_once=True)
    elif kind == "copied_to_procuratorate":
        new = replace(new, copied_to_procuratorate=True)
    elif kind == "penalty_decision_copied":
        new = replace(new, penalty_copied=True)
    elif kind == "reconsideration_decided":
        new = replace(new, reconsideration_outcome=str(data["outcome"]))
    elif kind == "review_ended":
        new = replace(new, review_ended=True)
    elif kind == "judgment":
        new = replace(new, judgment_outcome=str(data["outcome"]))
    return new


def close_problem(state: CaseState, event: WorkflowEvent) -> str | None:
    """Why the forward track forbids closing now (None if it allows it)."""
    if state.forward in CLOSABLE:
        return None
    if state.forward in CLOSABLE_WITH_REASON:
        reason = event.data.get("reason")
        if isinstance(reason, str) and reason.strip():
            return None
        return f"当前节点为“{NODES[state.forward]}”，结案须记录理由（防止以罚代刑）"
    return f"当前节点为“{NODES[state.forward]}”，尚不能结案"


def owes(state: CaseState) -> list[Owed]:
    """What is owed next on the forward track."""
    out: list[Owed] = []
    owed = OWES.get(state.forward)
    if state.forward == "reconsideration_decided":
        owed = (
            Owed(Party.SELF, "决定是否建议检察院立案监督")
            if state.reconsideration_outcome == "upheld"
            else Owed(Party.POLICE, "依复议决定立案")
        )
    if owed:
        out.append(owed)
    if state.transferred_once and not state.copied_to_procuratorate:
        out.append(Owed(Party.SELF, "将移送书及材料目录抄送同级人民检察院"))
    return out
