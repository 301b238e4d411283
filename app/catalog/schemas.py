"""API shapes for projects."""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel

from app.listing import FacetCounts


class PatentPublic(BaseModel):
    number: str
    title: str | None
    status: str | None


class ProjectPublic(BaseModel):
    id: int
    external_id: str
    title_zh: str | None
    title_en: str | None
    summary_zh: str | None
    summary_en: str | None
    keywords: list[str]
    industries: list[str]
    trl: int | None
    transfer_modes: list[str]
    institution: str | None
    city: str | None
    target_cities: list[str]
    price_wan: float | None
    patents: list[PatentPublic]
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None


class ProjectList(BaseModel):
    items: list[ProjectPublic]
    total: int
    page: int
    per_page: int
    facets: FacetCounts


class ProjectSort(enum.StrEnum):
    newest = "newest"
    oldest = "oldest"
    trl_desc = "trl_desc"
    trl_asc = "trl_asc"
    price_asc = "price_asc"
    price_desc = "price_desc"
