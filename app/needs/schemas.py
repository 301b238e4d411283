"""API shapes for needs."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.auth.models import OrganizationKind
from app.fields import CommonFields, LongText, Money, ShortText, Titled, Trl
from app.listing import FacetCounts
from app.needs.models import NeedVisibility


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


class MyNeeds(BaseModel):
    items: list[NeedPublic]


# --- writing: the bodies of POST and PATCH, and the import format's base ---


class NeedFields(CommonFields):
    """A need's own fields, as the import format and the API write them."""

    description_zh: LongText | None = None
    description_en: LongText | None = None
    min_trl: Trl | None = None
    budget_wan: Money | None = None
    visibility: NeedVisibility | None = None


class NeedCreate(Titled, NeedFields):
    """A new need (``POST /api/v1/needs``); the secretariat may name the posting body."""

    organization: ShortText | None = None
    organization_kind: OrganizationKind | None = None


class NeedPatch(NeedFields):
    """An edit (``PATCH /api/v1/needs/{id}``) with the version it was made on."""

    version: int = Field(ge=1)

    @model_validator(mode="after")
    def _keeps_its_identity(self) -> NeedPatch:
        if self.external_id is not None:
            raise ValueError("external_id cannot be changed")
        return self
