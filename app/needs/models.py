"""Tables for needs, their industries and the transfer modes they accept."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization
from app.db import Base, TimestampMixin, check_in
from app.geo.taxonomy import TransferMode


class NeedVisibility(enum.StrEnum):
    public = "public"
    private = "private"


class NeedStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class Need(TimestampMixin, Base):
    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("title_zh IS NOT NULL OR title_en IS NOT NULL", name="has_title"),
        CheckConstraint("min_trl IS NULL OR (min_trl >= 1 AND min_trl <= 9)", name="min_trl_range"),
        CheckConstraint("budget_wan IS NULL OR budget_wan >= 0", name="budget_not_negative"),
        CheckConstraint(check_in("visibility", NeedVisibility), name="visibility"),
        CheckConstraint(check_in("status", NeedStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    city_code: Mapped[str | None] = mapped_column(ForeignKey("cities.code"), index=True)
    min_trl: Mapped[int | None] = mapped_column(SmallInteger)
    budget_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(16), default=NeedVisibility.public)
    status: Mapped[str] = mapped_column(String(16), default=NeedStatus.open, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The account that posted it; imported needs have none (the secretariat curates them).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    organization: Mapped[Organization | None] = relationship(lazy="raise")
    industries: Mapped[list[NeedIndustry]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="NeedIndustry.position"
    )
    transfer_modes: Mapped[list[NeedTransferMode]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="NeedTransferMode.position"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API


class NeedIndustry(Base):
    __tablename__ = "need_industries"

    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True
    )
    industry_code: Mapped[str] = mapped_column(
        ForeignKey("industries.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class NeedTransferMode(Base):
    __tablename__ = "need_transfer_modes"
    __table_args__ = (CheckConstraint(check_in("mode", TransferMode), name="mode"),)

    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(24), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
