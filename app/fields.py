"""Field types the write schemas of projects and needs share (the API's create and patch
bodies, and the import format built on them): trimmed, bounded, no control characters in one
line, no NUL anywhere."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.geo.taxonomy import TRL_MAX, TRL_MIN, TransferMode
from app.text import check_line, check_text

# Checked after surrounding whitespace is trimmed: a control character inside a one-line field
# (a title, a name, a code) is refused, line breaks and tabs inside a text are kept; NUL never.
OneLine = AfterValidator(check_line)
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), OneLine
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20_000), AfterValidator(check_text)
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


class CommonFields(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    external_id: ExternalId | None = None
    title_zh: ShortText | None = None
    title_en: ShortText | None = None
    keywords: list[Keyword] | None = Field(default=None, max_length=50)
    industries: list[Code] | None = Field(default=None, max_length=10)
    city: Code | None = None
    transfer_modes: list[TransferMode] | None = Field(default=None, max_length=4)


class Titled(CommonFields):
    @model_validator(mode="after")
    def _has_a_title(self) -> Titled:
        if self.title_zh is None and self.title_en is None:
            raise ValueError("a record needs at least one of title_zh and title_en")
        return self
