"""Tables for the industry taxonomy, the cities and zones, and their industry profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Industry(Base):
    """A code of 战略性新兴产业分类(2018): level 1 ("1") or level 2 ("1.2")."""

    __tablename__ = "industries"
    __table_args__ = (CheckConstraint("level IN (1, 2)", name="level"),)

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("industries.code"))
    level: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ReferenceSource(Base):
    """A public source that the reference data cites by number (shared/reference/gba.md)."""

    __tablename__ = "reference_sources"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    url: Mapped[str] = mapped_column(String(512))
    mirror: Mapped[bool] = mapped_column(default=False)


class City(Base):
    """One of the 11 GBA cities or 4 cooperation zones."""

    __tablename__ = "cities"
    __table_args__ = (CheckConstraint("kind IN ('city', 'zone')", name="kind"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("cities.code"))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_zh_hant: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    clusters: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    platforms: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    research: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    profile: Mapped[list[CityIndustryWeight]] = relationship(
        lazy="raise", order_by="desc(CityIndustryWeight.weight)", cascade="all, delete-orphan"
    )


class CityIndustryWeight(Base):
    """How strongly a city or zone wants, and can absorb, projects of one industry."""

    __tablename__ = "city_industry_weights"
    __table_args__ = (CheckConstraint("weight > 0 AND weight <= 1", name="weight_range"),)

    city_code: Mapped[str] = mapped_column(
        ForeignKey("cities.code", ondelete="CASCADE"), primary_key=True
    )
    industry_code: Mapped[str] = mapped_column(ForeignKey("industries.code"), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    basis_zh: Mapped[str] = mapped_column(Text, default="")
    basis_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[int]] = mapped_column(JSON, default=list)
