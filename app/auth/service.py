"""Rules about organisations and users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.auth import schemas
from app.auth.models import Organization, OrganizationKind, Role, User
from app.auth.security import hash_password, verify_password
from app.errors import ConflictError, FieldError, InvalidInputError


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
    password_hash: str | None = None,
) -> tuple[User, bool]:
    """The user with that e-mail, created if missing; an existing user is left untouched.
    ``password_hash`` (of ``password``), when given, saves hashing it again."""
    user = session.scalar(select(User).where(User.email == email.lower()))
    if user is not None:
        return user, False
    user = User(
        email=email.lower(),
        password_hash=password_hash or hash_password(password),
        role=role.value,
        organization_id=organization.id if organization else None,
        full_name=full_name,
    )
    session.add(user)
    session.flush()
    return user, True


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password; the same work whether or not it exists."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and user.is_active else None


def get_user(session: Session, user_id: int) -> User | None:
    return session.scalar(
        select(User)
        .where(User.id == user_id, User.is_active.is_(True))
        .options(selectinload(User.organization))
    )


def to_public(user: User) -> schemas.UserPublic:
    org = user.organization
    return schemas.UserPublic(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        organization=schemas.OrganizationPublic(
            id=org.id, name=org.name, kind=org.kind, city=org.city_code
        )
        if org
        else None,
    )


def register(
    session: Session, request: schemas.RegisterRequest, cities: frozenset[str]
) -> schemas.UserPublic:
    """A self-registered enterprise or researcher account, in its organisation."""
    if request.city is not None and request.city not in cities:
        raise InvalidInputError(
            f"Unknown city or zone code '{request.city}'",
            [FieldError(field="city", location="body", message="unknown city or zone code")],
        )
    taken = ConflictError("An account with this e-mail already exists")
    if session.scalar(select(User.id).where(User.email == request.email)) is not None:
        raise taken
    kind = (
        OrganizationKind.enterprise if request.role == "enterprise" else OrganizationKind.research
    )
    try:
        with session.begin_nested():  # a concurrent registration of the same e-mail loses here
            org = get_or_create_organization(session, request.organization, kind, request.city)
            user, _ = ensure_user(
                session,
                email=request.email,
                password=request.password,
                role=Role(request.role),
                organization=org,
                full_name=request.full_name,
            )
    except IntegrityError as exc:
        raise taken from exc
    user = get_user(session, user.id) or user
    return to_public(user)
