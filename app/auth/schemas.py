"""API shapes for accounts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from app.text import Name, check_line

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
    AfterValidator(check_line),
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
    """Enterprises and researchers register themselves; secretariat accounts come from the CLI.

    Without ``invitation`` the account founds a new organisation named ``organization``; with
    one it joins the organisation that invited it, in the role the invitation gives.
    """

    email: Email
    password: str = Field(min_length=10, max_length=128)
    full_name: Name = Field(min_length=1, max_length=120)
    role: Literal["enterprise", "researcher"] | None = None
    organization: Name | None = Field(
        default=None, min_length=2, max_length=200, description="Name of a new organisation"
    )
    city: str | None = Field(default=None, max_length=16, description="City or zone code")
    invitation: str | None = Field(
        default=None, max_length=100, description="An invitation token from a member"
    )

    @field_validator("organization")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 2:
            raise ValueError("at least 2 characters, not counting spaces")
        return value


class RegistrationAccepted(BaseModel):
    """The same answer whether or not the e-mail already had an account."""

    detail: str


class InvitationCreate(BaseModel):
    email: Email | None = Field(
        default=None, description="Only this address may use it (any address when absent)"
    )


class InvitationPublic(BaseModel):
    id: int
    organization: OrganizationPublic
    email: str | None
    role: str
    status: Literal["pending", "used", "expired", "revoked"]
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationCreated(InvitationPublic):
    token: str = Field(description="Shown once: give it to the invitee")
    register_url: str


class InvitationList(BaseModel):
    items: list[InvitationPublic]


class Member(BaseModel):
    id: int
    email: str
    full_name: str
    role: str
    is_active: bool


class MemberList(BaseModel):
    organization: OrganizationPublic
    items: list[Member]


class MemberAdd(BaseModel):
    user_id: int = Field(gt=0, lt=2**31)


class OrganizationMerge(BaseModel):
    duplicate_id: int = Field(gt=0, lt=2**31, description="Merged into this one, then removed")
