"""API shapes for accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires")


class OrganizationPublic(BaseModel):
    id: int
    name: str
    kind: str
    city: str | None


class UserPublic(BaseModel):
    id: int
    email: str
    full_name: str
    role: str
    organization: OrganizationPublic | None


class RegisterRequest(BaseModel):
    """Enterprises and researchers register themselves; secretariat accounts come from the CLI."""

    email: Email
    password: str = Field(min_length=10, max_length=128)
    full_name: str = Field(min_length=1, max_length=120)
    role: Literal["enterprise", "researcher"]
    organization: str = Field(min_length=2, max_length=200, description="Organisation name")
    city: str | None = Field(default=None, max_length=16, description="City or zone code")
