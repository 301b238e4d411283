"""Rules about organisations and users."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Organization, OrganizationKind, Role, User

_hasher = PasswordHasher()


def get_or_create_organization(
    session: Session,
    name: str,
    kind: OrganizationKind = OrganizationKind.enterprise,
    city_code: str | None = None,
) -> Organization:
    """The organisation of that name; created with ``kind`` when it does not exist yet."""
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name, kind=kind.value, city_code=city_code)
        session.add(org)
        session.flush()
    return org


def ensure_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role,
    organization: Organization | None,
    full_name: str = "",
) -> tuple[User, bool]:
    """The user with that e-mail, created if missing; an existing user is left untouched."""
    user = session.scalar(select(User).where(User.email == email.lower()))
    if user is not None:
        return user, False
    user = User(
        email=email.lower(),
        password_hash=_hasher.hash(password),
        role=role.value,
        organization_id=organization.id if organization else None,
        full_name=full_name,
    )
    session.add(user)
    session.flush()
    return user, True
