"""Drafts: cases being entered through the wizard (a local table, never synced).

A draft keeps the entry standard (spec id and version) it began with, the raw values entered
so far (JSON, exactly what the forms engine reads) and the step the person was on. Autosave
rewrites ``values``/``current_step`` with one UPDATE (:mod:`app.services.drafts`).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.ids import new_id
from app.store.models import Base
from app.store.types import UTCDateTime, utc_now

DRAFT_OPEN = "open"
DRAFT_FINISHED = "finished"
DRAFT_DISCARDED = "discarded"


class DraftRecord(Base):
    """One draft of a new case (``case_id`` empty) or of edits to an existing case."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_user_state", "user_id", "state", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), default=None)
    spec_id: Mapped[str] = mapped_column(String(60))
    spec_version: Mapped[str] = mapped_column(String(40))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12), default=DRAFT_OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
