"""API shapes for needs."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

from pydantic import BaseModel, Field

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


class NeedListItem(NeedPublic):
    """A need in a list; a free-text search adds its score and highlighted snippets."""

    score: float | None = None
    highlight: dict[str, str] | None = None


class NeedList(BaseModel):
    items: list[NeedListItem]
    total: int
    page: int
    per_page: int
    facets: FacetCounts
    degraded: bool = Field(
        default=False, description="The search engine was down; SQL answered instead"
    )
    matched: Literal["all", "any"] | None = None


class NeedSort(enum.StrEnum):
    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"
    budget_desc = "budget_desc"
    budget_asc = "budget_asc"
