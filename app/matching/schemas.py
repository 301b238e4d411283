"""API shapes for matches: every score comes with its components and readable reasons."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from app.catalog.schemas import ProjectPublic
from app.geo.schemas import CitySummary
from app.geo.taxonomy import TRL_MAX, TRL_MIN, TransferMode
from app.needs.schemas import NeedPublic
from app.text import Text


class Reason(BaseModel):
    """Why a pair scored as it did, or what keeps it from scoring higher."""

    code: str
    message_zh: str
    message_en: str


Components = dict[str, float | None]  # each in [0, 1]; None: the need says nothing about it


class ProjectMatch(BaseModel):
    project: ProjectPublic
    score: float
    components: Components
    reasons: list[Reason]


class NeedMatch(BaseModel):
    need: NeedPublic
    score: float
    components: Components
    reasons: list[Reason]


class CityMatch(BaseModel):
    city: CitySummary
    score: float
    components: Components
    reasons: list[Reason]


class NeedMatches(BaseModel):
    need: NeedPublic
    items: list[ProjectMatch]


class AdHocNeedMatches(BaseModel):
    need: AdHocNeed
    items: list[ProjectMatch]


class ProjectNeedMatches(BaseModel):
    project: ProjectPublic
    items: list[NeedMatch]


class ProjectCityMatches(BaseModel):
    project: ProjectPublic
    items: list[CityMatch]


class CityProjectMatches(BaseModel):
    city: CitySummary
    items: list[ProjectMatch]


class AdHocNeed(BaseModel):
    """A need that is not stored: text and/or structure (at least one of them)."""

    text: Text | None = Field(default=None, max_length=5000, description="What is needed")
    industries: list[str] = Field(default=[], max_length=10)
    city: str | None = Field(default=None, max_length=16)
    min_trl: int | None = Field(default=None, ge=TRL_MIN, le=TRL_MAX)
    transfer_modes: list[TransferMode] = Field(default=[], max_length=4)
    budget_wan: float | None = Field(default=None, ge=0, le=1e9)

    @model_validator(mode="after")
    def _says_something(self) -> AdHocNeed:
        if not (self.text and self.text.strip()) and not (
            self.industries or self.city or self.min_trl or self.transfer_modes or self.budget_wan
        ):
            raise ValueError(
                "an ad-hoc need needs text or at least one of industries, city, min_trl, "
                "transfer_modes, budget_wan"
            )
        return self
