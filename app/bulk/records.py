"""The import format: one record per project or need, checked field by field."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.auth.models import OrganizationKind
from app.catalog.models import PatentStatus, ProjectStatus
from app.geo.taxonomy import TRL_MAX, TRL_MIN, TransferMode
from app.needs.models import NeedStatus, NeedVisibility
from app.text import line_problem, text_problem


def _one_line(value: str) -> str:
    problem = line_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# Checked after surrounding whitespace is trimmed: a control character inside a one-line field
# (a title, a name, a code) is refused, line breaks and tabs inside a text are kept; NUL never.
OneLine = AfterValidator(_one_line)
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), OneLine
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20_000), AfterValidator(_text)
]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16), OneLine
]
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S+$"),
    OneLine,
]
Keyword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), OneLine
]
Trl = Annotated[int, Field(ge=TRL_MIN, le=TRL_MAX)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    external_id: ExternalId | None = None
    title_zh: Text | None = None
    title_en: Text | None = None
    keywords: list[Keyword] | None = Field(default=None, max_length=50)
    industries: list[Code] | None = Field(default=None, max_length=10)
    city: Code | None = None
    transfer_modes: list[TransferMode] | None = Field(default=None, max_length=4)


class _Record(_Common):
    @model_validator(mode="after")
    def _has_a_title(self) -> _Record:
        if self.title_zh is None and self.title_en is None:
            raise ValueError("a record needs at least one of title_zh and title_en")
        return self


class PatentRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), OneLine
    ]
    title: Text | None = None
    status: PatentStatus | None = None


class ProjectFields(_Common):
    """A project's own fields, as the import format and the API write them."""

    summary_zh: LongText | None = None
    summary_en: LongText | None = None
    description_zh: LongText | None = None
    description_en: LongText | None = None
    contact_name: Text | None = None
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
    institution: Text | None = None
    target_cities: list[Code] | None = Field(default=None, max_length=15)
    price_wan: Money | None = None
    patents: list[PatentRecord] | None = Field(default=None, max_length=50)


class ProjectCreate(_Record, ProjectFields):
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


class ProjectRecord(ProjectCreate):
    type: Literal["project"]
    status: ProjectStatus | None = None


class NeedFields(_Common):
    """A need's own fields, as the import format and the API write them."""

    description_zh: LongText | None = None
    description_en: LongText | None = None
    min_trl: Trl | None = None
    budget_wan: Money | None = None
    visibility: NeedVisibility | None = None


class NeedCreate(_Record, NeedFields):
    """A new need (``POST /api/v1/needs``); the secretariat may name the posting body."""

    organization: Text | None = None
    organization_kind: OrganizationKind | None = None


class NeedPatch(NeedFields):
    """An edit (``PATCH /api/v1/needs/{id}``) with the version it was made on."""

    version: int = Field(ge=1)

    @model_validator(mode="after")
    def _keeps_its_identity(self) -> NeedPatch:
        if self.external_id is not None:
            raise ValueError("external_id cannot be changed")
        return self


class NeedRecord(NeedCreate):
    type: Literal["need"]
    status: NeedStatus | None = None


LIST_FIELDS = frozenset({"keywords", "industries", "transfer_modes", "target_cities", "patents"})
