"""API shapes for projects."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.catalog.models import PatentStatus
from app.fields import (
    Code,
    CommonFields,
    LongText,
    Money,
    OneLine,
    ShortText,
    Titled,
    Trl,
)
from app.listing import FacetCounts
from app.search.backend import SearchSort
from app.text import Text


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


class ProjectListItem(ProjectPublic):
    """A project in a list; a free-text search adds its score and highlighted snippets.

    ``highlight`` maps a field (``title_zh``, ``summary_en``, ``keywords``…) to its text,
    HTML-escaped, with the matches in ``<mark>``.
    """

    score: float | None = None
    highlight: dict[str, str] | None = None


class ProjectList(BaseModel):
    items: list[ProjectListItem]
    total: int
    page: int
    per_page: int
    facets: FacetCounts
    degraded: bool = Field(
        default=False, description="The search engine was down; SQL answered instead"
    )
    matched: Literal["all", "any"] | None = Field(
        default=None, description="With q: whether every word matched, or (none did) any"
    )


class ProjectSuggestion(BaseModel):
    id: int
    external_id: str
    title_zh: str | None
    title_en: str | None
    highlight: str | None


class SuggestionList(BaseModel):
    items: list[ProjectSuggestion]


# Projects sort as the search engine does (SQL answers the same orders without ``q``).
ProjectSort = SearchSort


class ProjectEventPublic(BaseModel):
    """One entry of a project's audit log."""

    at: dt.datetime
    actor_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None


class RevisionPublic(BaseModel):
    """Edits to a published project awaiting (or back from) review."""

    status: str
    changes: dict[str, Any]


class ChecklistItem(BaseModel):
    item: str
    done: bool
    message_zh: str
    message_en: str


class Completeness(BaseModel):
    """How ready a listing is for enterprises: a score (0–100) and what is still missing."""

    score: int
    checklist: list[ChecklistItem]


class Contact(BaseModel):
    name: str | None
    email: str | None
    phone: str | None


class ProjectDetail(ProjectPublic):
    """A project. Anyone sees its public summary; signed-in accounts also the full description
    and the contact (``disclosure: full``); its owner and the secretariat also its audit log,
    open revision and completeness checklist."""

    disclosure: Literal["summary", "full"] = "summary"
    description_zh: str | None = None
    description_en: str | None = None
    contact: Contact | None = None
    owner_id: int | None = None
    completeness: Completeness | None = None
    events: list[ProjectEventPublic] | None = None
    revision: RevisionPublic | None = None


class ReviewDecision(enum.StrEnum):
    approve = "approve"
    reject = "reject"
    request_changes = "request_changes"


class ReviewRequest(BaseModel):
    decision: ReviewDecision
    note: Text | None = Field(default=None, max_length=2000)


class ReviewItem(BaseModel):
    kind: Literal["submission", "revision"]
    project: ProjectPublic
    completeness: Completeness
    changes: dict[str, Any] | None = None


class ReviewQueue(BaseModel):
    items: list[ReviewItem]


class MyProjects(BaseModel):
    items: list[ProjectPublic]


# --- writing: the bodies of POST and PATCH, and the import format's base ---


class PatentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), OneLine
    ]
    title: ShortText | None = None
    status: PatentStatus | None = None


class ProjectFields(CommonFields):
    """A project's own fields, as the import format and the API write them."""

    summary_zh: LongText | None = None
    summary_en: LongText | None = None
    description_zh: LongText | None = None
    description_en: LongText | None = None
    contact_name: ShortText | None = None
    contact_email: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
            OneLine,
        ]
        | None
    ) = None
    contact_phone: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, max_length=40, pattern=r"^[0-9+()\-\s]{5,40}$"
            ),
            OneLine,
        ]
        | None
    ) = None
    trl: Trl | None = None
    institution: ShortText | None = None
    target_cities: list[Code] | None = Field(default=None, max_length=15)
    price_wan: Money | None = None
    patents: list[PatentIn] | None = Field(default=None, max_length=50)


class ProjectCreate(Titled, ProjectFields):
    """A new project (``POST /api/v1/projects``): at least one title."""


class ProjectPatch(ProjectFields):
    """An edit (``PATCH /api/v1/projects/{id}``): the fields it carries, and the version it
    was made on (a stale one is a 409)."""

    version: int = Field(ge=1)

    @model_validator(mode="after")
    def _keeps_its_identity(self) -> ProjectPatch:
        if self.external_id is not None:
            raise ValueError("external_id cannot be changed")
        return self
