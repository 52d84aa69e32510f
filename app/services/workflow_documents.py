"""Generate a case document (移送书, 材料目录, 涉案物品清单, 检察意见 reply) and store it.

The case data is read into a plain :class:`~app.documents.generated.DocContext`, drawn as a PDF
by app/documents/generated, and stored as the case's Document with its Attachment (bytes in the
content-addressed store), its text indexed for search, and an audit entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.documents.generated import DocContext, chinese_date, generate, load_template
from app.domain.docnumbers import parse_doc_number
from app.domain.identity import SignedInUser
from app.domain.labels import DOC_TYPE_LABELS, label
from app.domain.roles import Permission
from app.domain.workcalendar import CST
from app.domain.workflow.events import REVERSE_SOURCES
from app.errors import UserError
from app.services.workflow_files import attach_bytes
from app.store import audit
from app.store.attachments import AttachmentStore
from app.store.db import Store
from app.store.models import Case, Document, Event, Party, Referral, Transfer, Unit
from app.store.search import reindex_cases

COVERING = ("transfer_letter", "materials_list", "opinion_reply")
"""Document types that cover the materials rather than being listed among them."""


@dataclass(frozen=True)
class GeneratedDocument:
    """A generated document as stored: ids, title, number and where its PDF is."""

    case_id: str
    document_id: str
    doc_type: str
    title: str
    number: str
    path: Path
    size: int
    text: str


def _unit_name(session: Session, unit_id: str | None, fallback: str) -> str:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit is not None else fallback


def _yuan(fen: int | None) -> str:
    return "不详" if fen is None else f"{fen / 100:,.2f}元"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def _number(session: Session, case: Case, word: str, day: date) -> str:
    prefix = parse_doc_number(case.case_number).prefix.strip()
    prefix = prefix.removesuffix("罚") or "文"
    head = f"{prefix}{word}〔{day.year}〕"
    taken = session.scalar(select(func.count(Document.id)).where(Document.number.like(f"{head}%")))
    return f"{head}{int(taken or 0) + 1}号"


def _materials(session: Session, case_id: str) -> list[dict[str, str]]:
    docs = session.scalars(
        select(Document)
        .where(Document.case_id == case_id, Document.deleted.is_(False))
        .order_by(Document.created_at, Document.id)
    )
    rows = [
        {
            "no": "",
            "title": d.title or label(DOC_TYPE_LABELS, d.doc_type),
            "pages": str(d.page_count or ""),
            "note": d.number,
        }
        for d in docs
        if d.doc_type not in COVERING
    ]
    for number, row in enumerate(rows, start=1):
        row["no"] = str(number)
    return rows or [{"no": "", "title": "（无）", "pages": "", "note": ""}]


def _seized(case: Case, events: list[Event]) -> list[dict[str, str]]:
    items: Any = None
    for event in events:
        if isinstance((event.data or {}).get("seized_items"), list):
            items = event.data["seized_items"]
    if items is None:
        items = (case.fields or {}).get("seized_items")
    rows = []
    for number, item in enumerate(items if isinstance(items, list) else [], start=1):
        if not isinstance(item, Mapping):
            continue
        quantity = f"{item.get('quantity', '')}{item.get('unit', '')}"
        rows.append(
            {
                "no": str(number),
                "name": str(item.get("name", "")),
                "quantity": quantity,
                "place": str(item.get("place", "")),
                "note": str(item.get("note", "")),
            }
        )
    return rows or [{"no": "", "name": "（无）", "quantity": "", "place": "", "note": ""}]


def _local_day(at: datetime) -> date:
    return at.astimezone(CST).date()


def _reply_values(session: Session, case: Case, events: list[Event]) -> dict[str, str]:
    referral = session.scalar(select(Referral).where(Referral.case_id == case.id))
    if referral is None or not referral.opinion_number:
        raise UserError("本案没有附检察意见的反向移送，不能生成检察意见回复")
    decision = "本案正在依法办理中，处理结果将另行回复。"
    offset = ""
    received = next((e for e in events if e.kind == "referral_received"), None)
    after = [e for e in events if received is None or e.occurred_at >= received.occurred_at]
    for event in after:
        data = event.data or {}
        day = chinese_date(_local_day(event.occurred_at))
        if event.kind == "penalty_decided":
            text = str(data.get("decision") or "").strip()
            fine = f"罚款{_yuan(case.penalty_fen)}" if case.penalty_fen is not None else ""
            decision = _sentence(
                f"本机关于{day}依法作出行政处罚决定：{text or fine or '予以行政处罚'}"
            )
            offset = _offset_text(data.get("offset"))
        elif event.kind == "no_penalty_decided":
            decision = _sentence(f"本机关于{day}决定不予行政处罚，理由：{data.get('reason', '')}")
            offset = ""
    return {
        "opinion_number": referral.opinion_number,
        "opinion_unit": _unit_name(session, referral.source_unit_id, "人民检察院"),
        "referral_source": REVERSE_SOURCES.get(referral.source_kind, referral.source_kind),
        "received_on": chinese_date(_local_day(referral.received_at)),
        "decision": decision,
        "offset": offset,
    }


def _offset_text(offset: Any) -> str:
    if not isinstance(offset, Mapping):
        return ""
    parts = []
    if offset.get("fine_paid_yuan") is not None:
        parts.append(f"当事人已缴纳的罚金{offset['fine_paid_yuan']:,}元已依法折抵罚款")
    if offset.get("detention_days") is not None:
        parts.append(f"已执行的拘留{offset['detention_days']}日已依法折抵行政拘留")
    if offset.get("note"):
        parts.append(str(offset["note"]))
    return _sentence("；".join(parts)) if parts else ""


def build_context(session: Session, case_id: str, doc_type: str, at: datetime) -> DocContext:
    """Read what ``doc_type`` needs from the store."""
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        raise UserError(f"找不到案件 {case_id}")
    template = load_template(doc_type)
    unit = session.get_one(Unit, case.unit_id)
    parties = session.scalars(
        select(Party.name).where(Party.case_id == case_id, Party.deleted.is_(False))
    ).all()
    transfer = session.scalar(
        select(Transfer).where(Transfer.case_id == case_id).order_by(Transfer.created_at.desc())
    )
    events = list(
        session.scalars(
            select(Event)
            .where(Event.case_id == case_id, Event.deleted.is_(False))
            .order_by(Event.occurred_at, Event.id)
        )
    )
    day = _local_day(at)
    values: dict[str, str] = {
        "unit_kind_word": unit.name[-1] if unit.name[-1:] in "局厅委所队院" else "单位",
        "party_names": "、".join(parties) or "当事人",
        "case_title": case.title,
        "case_number": case.case_number or "—",
        "facts": _sentence(case.facts),
        "amount": _yuan(case.amount_fen),
        "offence": (transfer.suspected_offence if transfer else "") or "犯罪",
        "police_unit": _unit_name(
            session, transfer.police_unit_id if transfer else None, "公安机关"
        ),
        "procuratorate_unit": _unit_name(
            session, transfer.procuratorate_unit_id if transfer else None, "同级人民检察院"
        ),
    }
    if doc_type == "opinion_reply":
        values.update(_reply_values(session, case, events))
    return DocContext(
        unit_name=unit.name,
        number=_number(session, case, template.number_word, day),
        issued_on=day,
        values=values,
        rows={"materials": _materials(session, case_id), "seized_items": _seized(case, events)},
    )


def make_document(
    store: Store, actor: SignedInUser, case_id: str, doc_type: str, *, at: datetime
) -> GeneratedDocument:
    """Generate ``doc_type`` for the case and store it as the case's document."""
    actor.require(Permission.ATTACH_DOCUMENTS)
    with store.session() as session:
        ctx = build_context(session, case_id, doc_type, at)
    generated = generate(doc_type, ctx)  # drawing takes a second: outside the transaction
    with store.session() as session:
        if session.get(Case, case_id) is None:
            raise UserError(f"找不到案件 {case_id}")
        document_id = attach_bytes(
            session,
            store.paths.attachments,
            case_id,
            generated.pdf,
            doc_type=doc_type,
            filename=f"{generated.title}.pdf",
            title=generated.title,
            number=generated.number,
            text=generated.text,
            issued_on=ctx.issued_on,
        )
        audit.record(
            session,
            "generate_document",
            user_id=actor.id,
            entity="document",
            entity_id=document_id,
            detail={"case_id": case_id, "doc_type": doc_type, "number": generated.number},
        )
        reindex_cases(session, [case_id])
    blob = AttachmentStore(store.paths.attachments)
    sha = hashlib.sha256(generated.pdf).hexdigest()
    return GeneratedDocument(
        case_id=case_id,
        document_id=document_id,
        doc_type=doc_type,
        title=generated.title,
        number=generated.number,
        path=blob.path_for(sha),
        size=len(generated.pdf),
        text=generated.text,
    )


__all__ = ["GeneratedDocument", "build_context", "make_document"]
