"""API shapes for leads."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.leads.models import LeadStage
from app.text import Text


class InterestRequest(BaseModel):
    message: Text = Field(min_length=1, max_length=2000, description="What the enterprise wants")


class Landing(BaseModel):
    city: str = Field(max_length=16, description="City or zone code where it landed")
    amount_wan: float = Field(ge=0, le=1e9, description="Amount of the deal, 万元")
    date: dt.date


class LeadUpdate(BaseModel):
    stage: LeadStage
    note: Text | None = Field(default=None, max_length=2000)
    landing: Landing | None = Field(default=None, description="Required to move to landed")


class LeadEventPublic(BaseModel):
    at: dt.datetime
    actor_id: int | None
    from_stage: str | None
    to_stage: str
    note: str | None


class LeadPublic(BaseModel):
    id: int
    project_id: int
    project_title_zh: str | None
    project_title_en: str | None
    organization_id: int
    organization_name: str
    message: str
    stage: str
    landed_city: str | None
    landed_amount_wan: float | None
    landed_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    events: list[LeadEventPublic]


class LeadList(BaseModel):
    items: list[LeadPublic]
    total: int
    page: int
    per_page: int
