"""Tables for organisations and users."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, UTCDateTime, check_in, utcnow
from app.geo import models as _geo  # noqa: F401 - the cities table our foreign key names


class Role(enum.StrEnum):
    enterprise = "enterprise"
    researcher = "researcher"
    secretariat = "secretariat"


class OrganizationKind(enum.StrEnum):
    enterprise = "enterprise"
    research = "research"
    government = "government"
    secretariat = "secretariat"


class Organization(TimestampMixin, Base):
    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint(check_in("kind", OrganizationKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not unique: registering never joins an existing organisation, so two companies may share
    # a name; the secretariat merges true duplicates.
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    city_code: Mapped[str | None] = mapped_column(ForeignKey("cities.code"))


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(check_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    is_active: Mapped[bool] = mapped_column(default=True)

    organization: Mapped[Organization | None] = relationship(lazy="raise")


class OrganizationInvitation(Base):
    """An invitation to join an organisation: single use, expiring, addressed or not.

    Only a hash of the token is kept; the token itself is shown once, to whoever made it.
    """

    __tablename__ = "organization_invitations"
    __table_args__ = (CheckConstraint(check_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
