"""API shapes for needs."""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel

from app.listing import FacetCounts


class OrganizationRef(BaseModel):
    id: int
    name: str
    kind: str


class NeedPublic(BaseModel):
    id: int
    external_id: str
    title_zh: str | None
    title_en: str | None
    description_zh: str | None
    description_en: str | None
    keywords: list[str]
    industries: list[str]
    city: str | None
    min_trl: int | None
    transfer_modes: list[str]
    budget_wan: float | None
    organization: OrganizationRef | None
    visibility: str
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class NeedList(BaseModel):
    items: list[NeedPublic]
    total: int
    page: int
    per_page: int
    facets: FacetCounts


class NeedSort(enum.StrEnum):
    newest = "newest"
    oldest = "oldest"
    budget_desc = "budget_desc"
    budget_asc = "budget_asc"
