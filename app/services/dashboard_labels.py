"""Chinese names for what the dashboard groups by: deadline nodes, owing parties, buckets.

A deadline's ``node`` is either a workflow state the deadline rules name (``reported``,
``received`` ...; app/resources/deadlines/*.json) or the event kind that meets it (demo data:
``transfer_approved``, ``reply_sent`` ...). A few codes are both (``transferred``: the state
"sent, awaiting the police's receipt", owed by the police, and the step "transfer", owed by the
unit); the party that owes the deadline tells them apart. Unknown codes show as themselves.
"""

from app.domain.workflow.events import KIND_LABELS, PARTY_LABELS, SPECS, Party

NODE_LABELS: dict[str, str] = {
    "suspected": "发现涉嫌犯罪待移送",
    "reported": "移送报告待负责人审批",
    "approved": "已批准待移送",
    "penalty_copy": "抄送行政处罚决定书副本",
    "transferred": "已移送待公安签收",
    "received": "公安已受案待决定",
    "supplementing": "补充移送材料",
    "not_filed": "不予立案后复议或监督",
    "reconsidering": "公安复议中",
    "reconsideration_decided": "复议决定后建议监督",
    "filed": "立案后移交涉案物品",
    "explanation_requested": "公安说明不立案理由",
    "filing_ordered": "公安按通知立案",
    "supervision": "检察院答复立案监督",
    "not_prosecuted": "检察院不起诉后反向移送",
    "reverse_received": "反向移送待回复检察院",
    "platform": "录入信息共享平台",
    "police_decision": "公安立案或不予立案决定",
}
"""Workflow states (and a few historical node codes) as deadline nodes."""

BUCKET_LABELS: dict[str, str] = {"overdue": "已逾期", "today": "今日到期", "soon": "即将到期"}
BUCKETS: tuple[str, ...] = ("overdue", "today", "soon")

UNASSIGNED_PERSON = "（未记录承办人）"


def node_label(node: str, owed_by: str) -> str:
    """The Chinese name of a deadline node: the event kind's label when the owing party is the
    one that performs that kind, else the state's label, else any kind label, else the code."""
    spec = SPECS.get(node)
    if spec is not None and spec.party.value == owed_by:
        return spec.label
    return NODE_LABELS.get(node) or KIND_LABELS.get(node) or node


def awaiting_label(owed_by: str) -> str:
    """``等待公安机关`` for a deadline another party owes; the code itself when unknown."""
    try:
        return "等待" + PARTY_LABELS[Party(owed_by)]
    except ValueError:
        return "等待" + owed_by
