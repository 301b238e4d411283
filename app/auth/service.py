"""Rules about organisations and users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.auth import organizations, schemas
from app.auth.models import Organization, OrganizationKind, Role, User
from app.auth.security import hash_password, verify_password
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.text import normalise_name


def get_or_create_organization(
    session: Session,
    name: str,
    kind: OrganizationKind = OrganizationKind.enterprise,
    city_code: str | None = None,
) -> Organization:
    """The organisation of that name (the oldest, when several share it); created with ``kind``
    when there is none. For the secretariat's tools (import, seed, CLI), never registration."""
    name = normalise_name(name)
    org = session.scalar(
        select(Organization).where(Organization.name == name).order_by(Organization.id).limit(1)
    )
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


def register(session: Session, request: schemas.RegisterRequest, cities: frozenset[str]) -> None:
    """A self-registered enterprise or researcher account.

    Without an invitation it founds a new organisation of its own, whatever the name typed:
    naming an existing company never makes anyone its member. With an invitation (single use,
    unexpired) it joins the inviting organisation. An e-mail that already has an account gets
    the same answer and takes the same time as a new one, and nothing is changed.
    """
    if request.city is not None and request.city not in cities:
        raise InvalidInputError(
            f"Unknown city or zone code '{request.city}'",
            [FieldError.in_body("city", "unknown city or zone code")],
        )
    invitation = organizations.usable_invitation(session, request) if request.invitation else None
    if invitation is None and (request.organization is None or request.role is None):
        missing = [f for f in ("organization", "role") if getattr(request, f) is None]
        raise InvalidInputError(
            "Name your organisation and role, or register with an invitation",
            [FieldError.in_body(f, "required without an invitation") for f in missing],
        )
    if session.scalar(select(User.id).where(User.email == request.email)) is not None:
        hash_password(request.password)  # the same work as a new account: no timing tell
        return
    try:
        with session.begin_nested():  # a concurrent registration of the same e-mail loses here
            if invitation is not None:
                org_id, role = invitation.organization_id, Role(invitation.role)
            else:
                assert request.organization is not None
                assert request.role is not None
                kind = (
                    OrganizationKind.enterprise
                    if request.role == "enterprise"
                    else OrganizationKind.research
                )
                org = Organization(name=request.organization, kind=kind, city_code=request.city)
                session.add(org)
                session.flush()
                org_id, role = org.id, Role(request.role)
            user = User(
                email=request.email,
                password_hash=hash_password(request.password),
                role=role.value,
                organization_id=org_id,
                full_name=request.full_name,
            )
            session.add(user)
            session.flush()
            if invitation is not None:
                organizations.use_invitation(session, invitation, user)
    except IntegrityError:
        return  # the e-mail was registered by a request a moment earlier: the same answer


# The secretariat's account tools: find accounts and organisations, disable, change a role.


def _contains(value: str) -> str:
    """A LIKE pattern for ``value`` anywhere, its wildcards taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_accounts(
    session: Session, q: str, role: Role | None, page: int, per_page: int
) -> tuple[list[User], int]:
    """Accounts whose name or e-mail contains ``q`` (any case), of one role or all, newest first,
    with their organisation loaded; and how many there are in all."""
    stmt = select(User)
    if q:
        pattern = _contains(q.lower())
        stmt = stmt.where(
            func.lower(User.email).like(pattern, escape="\\")
            | func.lower(User.full_name).like(pattern, escape="\\")
        )
    if role is not None:
        stmt = stmt.where(User.role == role.value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    users = session.scalars(
        stmt.options(selectinload(User.organization))
        .order_by(User.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(users), total


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def _other_account(session: Session, actor: User, user_id: int, what: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"No account has the id {user_id}")
    if user.id == actor.id:
        raise ConflictError(f"You cannot {what} your own account")
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """The secretariat disables an account (it can no longer sign in, and its sessions and
    tokens stop working) or enables it again; never its own."""
    user = _other_account(session, actor, user_id, "disable" if not active else "enable")
    user.is_active = active
    session.flush()
    return user


def change_role(session: Session, actor: User, user_id: int, role: Role) -> User:
    """The secretariat changes another account's role (never its own: it could demote itself
    out of the workspace). The organisation stays; ``organizations.add_member`` moves it."""
    user = _other_account(session, actor, user_id, "change the role of")
    user.role = role.value
    session.flush()
    return user


def list_organizations(
    session: Session, q: str, kind: OrganizationKind | None, page: int, per_page: int
) -> tuple[list[tuple[Organization, int]], int]:
    """Organisations whose name contains ``q``, of one kind or all, by name, each with its
    number of accounts; and how many there are in all."""
    stmt = select(Organization)
    if q:
        stmt = stmt.where(func.lower(Organization.name).like(_contains(q.lower()), escape="\\"))
    if kind is not None:
        stmt = stmt.where(Organization.kind == kind.value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    orgs = session.scalars(
        stmt.order_by(Organization.name, Organization.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [(org, n) for org, n in zip(orgs, _member_counts(session, orgs), strict=True)], total


def _member_counts(session: Session, orgs: Sequence[Organization]) -> list[int]:
    counts = dict(
        session.execute(
            select(User.organization_id, func.count())
            .where(User.organization_id.in_([o.id for o in orgs]))
            .group_by(User.organization_id)
        ).all()
    )
    return [int(counts.get(o.id, 0)) for o in orgs]


def duplicate_organizations(session: Session, limit: int = 50) -> list[list[Organization]]:
    """Groups of organisations of one kind sharing a name (names are normalised when stored):
    the likely duplicates a secretariat merges."""
    shared = (
        select(Organization.name, Organization.kind)
        .group_by(Organization.name, Organization.kind)
        .having(func.count() > 1)
        .order_by(Organization.name)
        .limit(limit)
        .subquery()
    )
    rows = session.scalars(
        select(Organization)
        .join(shared, (Organization.name == shared.c.name) & (Organization.kind == shared.c.kind))
        .order_by(Organization.name, Organization.kind, Organization.id)
    ).all()
    groups: dict[tuple[str, str], list[Organization]] = {}
    for org in rows:
        groups.setdefault((org.name, org.kind), []).append(org)
    return list(groups.values())
