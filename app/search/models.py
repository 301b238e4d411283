"""The search outbox: a row per change to an indexed entity, written in its transaction."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow


class OutboxEntity(enum.StrEnum):
    project = "project"
    need = "need"


class OutboxOp(enum.StrEnum):
    upsert = "upsert"
    delete = "delete"


class OutboxEntry(Base):
    __tablename__ = "search_outbox"
    __table_args__ = (
        CheckConstraint(check_in("entity", OutboxEntity), name="entity"),
        CheckConstraint(check_in("op", OutboxOp), name="op"),
        Index("ix_search_outbox_pending", "processed_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
