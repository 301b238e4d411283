"""Tables for roadshows, their lineup slots, invitations, registrations and recorded interest."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, UTCDateTime, check_in, utcnow


class RoadshowStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    closed = "closed"  # registration closed
    completed = "completed"  # held; its outcome is recorded


class InvitationStatus(enum.StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"


class RegistrationStatus(enum.StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class Roadshow(TimestampMixin, Base):
    __tablename__ = "roadshows"
    __table_args__ = (
        CheckConstraint(check_in("status", RoadshowStatus), name="status"),
        CheckConstraint("title_zh IS NOT NULL OR title_en IS NOT NULL", name="has_title"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), index=True)
    venue: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=RoadshowStatus.draft, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API


class RoadshowIndustry(Base):
    """A theme industry of a roadshow, in the order given."""

    __tablename__ = "roadshow_industries"

    roadshow_id: Mapped[int] = mapped_column(
        ForeignKey("roadshows.id", ondelete="CASCADE"), primary_key=True
    )
    industry_code: Mapped[str] = mapped_column(ForeignKey("industries.code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Slot(Base):
    """A project's timed place in a roadshow's lineup: [starts_at, ends_at)."""

    __tablename__ = "roadshow_slots"
    __table_args__ = (
        UniqueConstraint("roadshow_id", "project_id"),
        CheckConstraint("minutes BETWEEN 1 AND 600", name="minutes_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roadshow_id: Mapped[int] = mapped_column(
        ForeignKey("roadshows.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    presenter: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)


class Invitation(TimestampMixin, Base):
    __tablename__ = "roadshow_invitations"
    __table_args__ = (
        UniqueConstraint("roadshow_id", "organization_id"),
        CheckConstraint(check_in("status", InvitationStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roadshow_id: Mapped[int] = mapped_column(
        ForeignKey("roadshows.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.invited)
    message: Mapped[str] = mapped_column(Text, default="")
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response_note: Mapped[str | None] = mapped_column(Text)
    # The seat an enterprise account took by accepting: a later decline gives back that one.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadshow_registrations.id", ondelete="SET NULL")
    )


class Registration(TimestampMixin, Base):
    """A signed-in enterprise account's seat (or place on the waitlist) at a roadshow."""

    __tablename__ = "roadshow_registrations"
    __table_args__ = (
        CheckConstraint(check_in("status", RegistrationStatus), name="status"),
        CheckConstraint("checked_in_at IS NULL OR status = 'confirmed'", name="checked_in_seated"),
        # One live registration per account and roadshow, whatever races the application loses.
        Index(
            "uq_roadshow_registrations_live",
            "roadshow_id",
            "user_id",
            unique=True,
            postgresql_where=text("status != 'cancelled'"),
            sqlite_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roadshow_id: Mapped[int] = mapped_column(
        ForeignKey("roadshows.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RoadshowInterest(Base):
    """Interest in a presented project, recorded by the secretariat at or after the event;
    it opens (or adds to) the organisation's lead on the project."""

    __tablename__ = "roadshow_interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    roadshow_id: Mapped[int] = mapped_column(
        ForeignKey("roadshows.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
