"""Tables for projects, their industries, target cities, transfer modes and patents."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, UTCDateTime, check_in, utcnow
from app.geo.taxonomy import TransferMode


class ProjectStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    changes_requested = "changes_requested"
    published = "published"
    rejected = "rejected"
    archived = "archived"


class PatentStatus(enum.StrEnum):
    granted = "granted"
    pending = "pending"
    lapsed = "lapsed"


class Project(TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("title_zh IS NOT NULL OR title_en IS NOT NULL", name="has_title"),
        CheckConstraint("trl IS NULL OR (trl >= 1 AND trl <= 9)", name="trl_range"),
        CheckConstraint("price_wan IS NULL OR price_wan >= 0", name="price_not_negative"),
        CheckConstraint(check_in("status", ProjectStatus), name="status"),
        # The site's "recently published" (home page, sitemap): newest first, without a sort.
        Index("ix_projects_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    title_zh: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary_zh: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    # Staged disclosure: the summary is public; the full description and the contact are
    # for signed-in accounts.
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    trl: Mapped[int | None] = mapped_column(SmallInteger)
    institution: Mapped[str | None] = mapped_column(String(200))
    city_code: Mapped[str | None] = mapped_column(ForeignKey("cities.code"), index=True)
    price_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(24), default=ProjectStatus.draft, index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The researcher who submitted it; imported listings belong to the secretariat (None).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    industries: Mapped[list[ProjectIndustry]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProjectIndustry.position"
    )
    target_cities: Mapped[list[ProjectTargetCity]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProjectTargetCity.position"
    )
    transfer_modes: Mapped[list[ProjectTransferMode]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProjectTransferMode.position"
    )
    patents: Mapped[list[ProjectPatent]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProjectPatent.position"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API


class ProjectIndustry(Base):
    __tablename__ = "project_industries"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    industry_code: Mapped[str] = mapped_column(
        ForeignKey("industries.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ProjectTargetCity(Base):
    __tablename__ = "project_target_cities"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ProjectTransferMode(Base):
    __tablename__ = "project_transfer_modes"
    __table_args__ = (CheckConstraint(check_in("mode", TransferMode), name="mode"),)

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(24), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ProjectPatent(Base):
    __tablename__ = "project_patents"
    __table_args__ = (CheckConstraint(check_in("status", PatentStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ProjectEvent(Base):
    """The audit log of a project: every transition, who made it, when, and why."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)


class RevisionStatus(enum.StrEnum):
    open = "open"  # being edited by its author
    submitted = "submitted"
    changes_requested = "changes_requested"
    approved = "approved"
    rejected = "rejected"


class ProjectRevision(Base):
    """Edits to a published project, reviewed before they replace what the public sees."""

    __tablename__ = "project_revisions"
    __table_args__ = (CheckConstraint(check_in("status", RevisionStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(24), default=RevisionStatus.open, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
