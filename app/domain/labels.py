"""Display names for the codes stored in the case model (Chinese, as printed on forms)."""

DOMAIN_LABELS: dict[str, str] = {
    "environment": "生态环境",
    "food": "食品安全",
    "drug": "药品",
    "product": "产品质量",
    "tobacco": "烟草专卖",
    "farmland": "农用地保护",
}

STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "open": "调查中",
    "decided": "已作出处罚决定",
    "transfer_pending": "移送审批中",
    "transferred": "已移送公安",
    "filed": "公安已立案",
    "not_filed": "公安不予立案",
    "referred_back": "反向移送处理中",
    "crime_suspected": "涉嫌犯罪待移送",
    "transfer_approved": "已批准移送",
    "transfer_refused": "不批准移送",
    "criminal_ended": "刑事程序终结",
    "referral_replied": "已回复检察院",
    "closed": "已结案",
}


DOC_TYPE_LABELS: dict[str, str] = {
    "transfer_letter": "涉嫌犯罪案件移送书",
    "investigation_report": "涉嫌犯罪案件调查报告",
    "seized_items_list": "涉案物品清单",
    "test_report": "检验报告/鉴定意见",
    "penalty_decision": "行政处罚决定书",
    "filing_notice": "立案通知书",
    "non_filing_notice": "不予立案通知书",
    "procuratorial_opinion": "检察意见书",
    "inspection_record": "现场检查笔录",
    "interrogation_record": "询问笔录",
    "materials_list": "材料目录",
    "opinion_reply": "检察意见办理情况回复",
    "other": "其他材料",
}


def label(table: dict[str, str], code: str) -> str:
    """The display name of ``code``, or the code itself when it is not (yet) known."""
    return table.get(code, code)


def __getattr__(name: str) -> dict[str, str]:
    """``EVENT_LABELS``: the timeline's event kinds, defined with their rules in
    :mod:`app.domain.workflow.events` and loaded on first use (the workflow package reads its
    rule files, which the case list at start-up does not need)."""
    if name == "EVENT_LABELS":
        from app.domain.workflow.events import KIND_LABELS

        return KIND_LABELS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
