"""Tables for leads and their audit log."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, UTCDateTime, check_in, utcnow


class LeadStage(enum.StrEnum):
    new = "new"
    contacted = "contacted"
    negotiating = "negotiating"
    signed = "signed"
    landed = "landed"
    closed = "closed"


OPEN = "stage NOT IN ('landed', 'closed')"


class Lead(TimestampMixin, Base):
    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(check_in("stage", LeadStage), name="stage"),
        CheckConstraint(
            "landed_amount_wan IS NULL OR landed_amount_wan >= 0", name="amount_not_negative"
        ),
        CheckConstraint(
            "stage != 'landed' OR (landed_city IS NOT NULL AND landed_on IS NOT NULL)",
            name="landing_recorded",
        ),
        # One open lead per organisation and project, whichever way interest arrives and
        # however requests race (an enterprise's own interest, one recorded at a roadshow).
        Index(
            "uq_leads_open",
            "project_id",
            "organization_id",
            unique=True,
            postgresql_where=text(OPEN),
            sqlite_where=text(OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(16), default=LeadStage.new, index=True)
    landed_city: Mapped[str | None] = mapped_column(ForeignKey("cities.code"))
    landed_amount_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    landed_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API


class LeadEvent(Base):
    """Every change of a lead: who, when, from which stage to which, and why."""

    __tablename__ = "lead_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
