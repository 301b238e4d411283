"""API shapes for roadshows. Times are ISO 8601 with an offset; Ketao answers in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, model_validator

from app.catalog.schemas import ProjectPublic
from app.matching.schemas import Components, Reason
from app.needs.schemas import OrganizationRef
from app.roadshows.models import InvitationStatus, RegistrationStatus, RoadshowStatus
from app.text import Line, Text

MAX_DAYS = 14  # a roadshow longer than this is a typo, not an event
YEARS = (2000, 2100)  # a time outside these years is a typo, and would not fit every database


def _plausible(moment: dt.datetime) -> dt.datetime:
    # The year as written, before any conversion: converting year 1 or 9999 can overflow.
    if not YEARS[0] <= moment.year < YEARS[1]:
        raise ValueError(f"must fall between the years {YEARS[0]} and {YEARS[1]}")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]
TitleField = Field(default=None, min_length=1, max_length=300)
DescriptionField = Field(default=None, max_length=4000)


def check_times(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    if ends_at - starts_at > dt.timedelta(days=MAX_DAYS):
        raise ValueError(f"a roadshow lasts at most {MAX_DAYS} days")


class RoadshowCreate(BaseModel):
    title_zh: Line | None = TitleField
    title_en: Line | None = TitleField
    description_zh: Text | None = DescriptionField
    description_en: Text | None = DescriptionField
    industries: list[str] = Field(
        default_factory=list, max_length=10, description="Theme industry codes"
    )
    city: str = Field(max_length=16, description="City or zone code")
    venue: Line | None = Field(default=None, max_length=300)
    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=100_000, description="Seats; registrations past it wait")

    @model_validator(mode="after")
    def _valid(self) -> RoadshowCreate:
        if not (self.title_zh or self.title_en):
            raise ValueError("give at least one of title_zh and title_en")
        check_times(self.starts_at, self.ends_at)
        return self


class RoadshowUpdate(BaseModel):
    """Fields carried replace the roadshow's; ``status`` moves it along
    draft → published ⇄ closed → completed. ``version``, when given, must be the current one."""

    version: int | None = Field(default=None, ge=1)
    title_zh: Line | None = TitleField
    title_en: Line | None = TitleField
    description_zh: Text | None = DescriptionField
    description_en: Text | None = DescriptionField
    industries: list[str] | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=16)
    venue: Line | None = Field(default=None, max_length=300)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    status: RoadshowStatus | None = None

    @model_validator(mode="after")
    def _valid(self) -> RoadshowUpdate:
        check_times(self.starts_at, self.ends_at)
        return self


class SlotCreate(BaseModel):
    project_id: int = Field(ge=1, le=2**31 - 1)
    starts_at: Moment
    minutes: int = Field(ge=1, le=600)
    presenter: Line = Field(default="", max_length=200)


class SlotUpdate(BaseModel):
    starts_at: Moment | None = None
    minutes: int | None = Field(default=None, ge=1, le=600)
    presenter: Line | None = Field(default=None, max_length=200)


class SlotOrder(BaseModel):
    slot_ids: list[int] = Field(
        min_length=1,
        max_length=200,
        description="Every slot of the lineup, in the new order; times are laid out again from "
        "the first slot's start, each slot keeping its minutes and every break its place",
    )


class SlotPublic(BaseModel):
    id: int
    position: int = Field(description="1-based place in the lineup, by start time")
    project_id: int
    project_external_id: str
    project_title_zh: str | None
    project_title_en: str | None
    presenter: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int


class RegistrationCreate(BaseModel):
    note: Text = Field(default="", max_length=1000)


class RegistrationPublic(BaseModel):
    id: int
    roadshow_id: int
    status: RegistrationStatus
    waitlist_position: int | None = Field(description="1 = next to get a seat; waitlisted only")
    user_id: int
    full_name: str
    email: str
    organization: OrganizationRef | None
    note: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    checked_in_at: dt.datetime | None


class RegistrationCounts(BaseModel):
    confirmed: int
    waitlisted: int
    cancelled: int
    checked_in: int


class RegistrationList(BaseModel):
    items: list[RegistrationPublic]
    total: int
    counts: RegistrationCounts


class InvitationCreate(BaseModel):
    organization_id: int = Field(ge=1, le=2**31 - 1)
    message: Text = Field(default="", max_length=2000)


class InvitationResponse(BaseModel):
    status: Literal[InvitationStatus.accepted, InvitationStatus.declined]
    note: Text | None = Field(default=None, max_length=1000)


class InvitationPublic(BaseModel):
    id: int
    roadshow_id: int
    roadshow_title_zh: str | None
    roadshow_title_en: str | None
    organization: OrganizationRef
    status: InvitationStatus
    message: str
    created_at: dt.datetime
    responded_at: dt.datetime | None
    response_note: str | None
    registration: RegistrationPublic | None = Field(
        default=None, description="The seat an enterprise account took by accepting"
    )


class InvitationList(BaseModel):
    items: list[InvitationPublic]
    total: int


class RoadshowSummary(BaseModel):
    id: int
    title_zh: str | None
    title_en: str | None
    description_zh: str | None
    description_en: str | None
    industries: list[str]
    city: str
    venue: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str = "Asia/Shanghai"
    capacity: int
    confirmed: int
    waitlisted: int
    seats_left: int
    slot_count: int
    status: RoadshowStatus
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RoadshowPublic(RoadshowSummary):
    slots: list[SlotPublic]
    my_registration: RegistrationPublic | None = Field(
        default=None, description="The caller's live registration, if any"
    )
    my_invitation: InvitationPublic | None = Field(
        default=None, description="The caller's organisation's invitation, if any"
    )


class RoadshowList(BaseModel):
    items: list[RoadshowSummary]
    total: int
    page: int
    per_page: int


class When(enum.StrEnum):
    upcoming = "upcoming"  # not yet ended, soonest first
    past = "past"  # ended, latest first


class InterestCreate(BaseModel):
    organization_id: int = Field(ge=1, le=2**31 - 1)
    project_id: int = Field(ge=1, le=2**31 - 1)
    note: Text = Field(default="", max_length=2000)


# --- suggestions ---


class ProjectSuggestion(BaseModel):
    project: ProjectPublic
    score: float
    components: Components
    reasons: list[Reason]


class LeftOut(BaseModel):
    project_id: int
    reason: Reason


class ProjectSuggestions(BaseModel):
    roadshow_id: int
    items: list[ProjectSuggestion]
    left_out: list[LeftOut] = Field(
        description="Candidates left out: already in the lineup, or shown at another roadshow "
        "in the days before this one"
    )


class MatchedNeed(BaseModel):
    need_id: int
    need_title_zh: str | None
    need_title_en: str | None
    project_id: int | None = Field(description="The lineup project it matches; none for the theme")
    score: float


class EnterpriseSuggestion(BaseModel):
    organization: OrganizationRef
    score: float
    reasons: list[Reason]
    needs: list[MatchedNeed]
    invitation: InvitationStatus | None = Field(description="Already invited: how they answered")


class EnterpriseSuggestions(BaseModel):
    roadshow_id: int
    basis: Literal["lineup", "theme"] = Field(
        description="Matched against the lineup's projects, or against the theme while the "
        "lineup is empty"
    )
    items: list[EnterpriseSuggestion]


# --- outcome ---


class LeadStanding(BaseModel):
    lead_id: int
    organization: OrganizationRef
    stage: str
    landed_city: str | None
    landed_amount_wan: float | None


class ProjectOutcome(BaseModel):
    project_id: int
    project_title_zh: str | None
    project_title_en: str | None
    slot_starts_at: dt.datetime | None = Field(description="None: no longer in the lineup")
    interest: int
    leads: list[LeadStanding]


class Attendance(BaseModel):
    capacity: int
    confirmed: int
    waitlisted: int
    cancelled: int
    checked_in: int
    rate: float | None = Field(description="checked in ÷ confirmed")


class InvitationCounts(BaseModel):
    sent: int
    accepted: int
    declined: int
    pending: int


class LeadCounts(BaseModel):
    total: int
    by_stage: dict[str, int]
    landed_amount_wan: float


class Outcome(BaseModel):
    roadshow: RoadshowSummary
    attendance: Attendance
    invitations: InvitationCounts
    projects: list[ProjectOutcome]
    leads: LeadCounts
