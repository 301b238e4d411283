"""Organisations and their members: invitations to join, the secretariat adding a member,
merging duplicates.

Registering never joins an existing organisation (see ``service.register``); membership comes
only from an invitation made by a member or from the secretariat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import schemas
from app.auth.models import Organization, OrganizationInvitation, OrganizationKind, Role, User
from app.db import Base, utcnow
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError

INVITATION_DAYS = 7
# The role an invitee gets, by the kind of organisation that invites.
ROLE_OF_KIND = {
    OrganizationKind.enterprise: Role.enterprise,
    OrganizationKind.government: Role.enterprise,
    OrganizationKind.research: Role.researcher,
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def organization_public(org: Organization) -> schemas.OrganizationPublic:
    return schemas.OrganizationPublic(id=org.id, name=org.name, kind=org.kind, city=org.city_code)


def _organization(session: Session, user: User, org_id: int) -> Organization:
    """The organisation, for its members and the secretariat; a 404 for everyone else."""
    org = session.get(Organization, org_id)
    if org is None or (user.role != Role.secretariat and user.organization_id != org_id):
        raise NotFoundError(f"No organisation you belong to has the id {org_id}")
    return org


def _status(invitation: OrganizationInvitation, now: dt.datetime) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None:
        return "used"
    return "expired" if invitation.expires_at <= now else "pending"


def _public(invitation: OrganizationInvitation, org: Organization) -> schemas.InvitationPublic:
    return schemas.InvitationPublic(
        id=invitation.id,
        organization=organization_public(org),
        email=invitation.email,
        role=invitation.role,
        status=_status(invitation, utcnow()),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


def invite(
    session: Session, user: User, org_id: int, body: schemas.InvitationCreate, public_url: str
) -> schemas.InvitationCreated:
    """A single-use invitation to join ``org_id``, valid for a week; its token is shown once."""
    org = _organization(session, user, org_id)
    role = ROLE_OF_KIND.get(OrganizationKind(org.kind))
    if role is None:
        raise ConflictError(
            "Secretariat accounts are created with `ketao users create`, not by invitation"
        )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = OrganizationInvitation(
        organization_id=org.id,
        token_hash=_hash(token),
        email=body.email,
        role=role.value,
        created_by_id=user.id,
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    return schemas.InvitationCreated(
        **_public(invitation, org).model_dump(),
        token=token,
        register_url=f"{public_url}/register?invitation={token}",
    )


def invitations(session: Session, user: User, org_id: int) -> schemas.InvitationList:
    org = _organization(session, user, org_id)
    rows = session.scalars(
        select(OrganizationInvitation)
        .where(OrganizationInvitation.organization_id == org.id)
        .order_by(OrganizationInvitation.id.desc())
    )
    return schemas.InvitationList(items=[_public(i, org) for i in rows])


def revoke(session: Session, user: User, org_id: int, invitation_id: int) -> None:
    """Revoke a pending invitation; revoking one already used, expired or revoked changes
    nothing."""
    _organization(session, user, org_id)
    session.execute(
        update(OrganizationInvitation)
        .where(
            OrganizationInvitation.id == invitation_id,
            OrganizationInvitation.organization_id == org_id,
            OrganizationInvitation.used_at.is_(None),
            OrganizationInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def usable_invitation(session: Session, request: schemas.RegisterRequest) -> OrganizationInvitation:
    """The pending invitation behind ``request.invitation``, or a 422 naming the field."""
    assert request.invitation is not None
    invitation = session.scalar(
        select(OrganizationInvitation).where(
            OrganizationInvitation.token_hash == _hash(request.invitation)
        )
    )
    status = _status(invitation, utcnow()) if invitation is not None else "unknown"
    if invitation is None or status != "pending":
        message = {
            "unknown": "no such invitation",
            "used": "this invitation has been used",
            "expired": "this invitation has expired; ask for a new one",
            "revoked": "this invitation was withdrawn",
        }[status]
        raise InvalidInputError(
            f"The invitation cannot be used: {message}",
            [FieldError.in_body("invitation", message)],
        )
    if invitation.email is not None and invitation.email != request.email:
        raise InvalidInputError(
            "The invitation is for another e-mail address",
            [FieldError.in_body("invitation", "made out to another e-mail address")],
        )
    return invitation


def use_invitation(session: Session, invitation: OrganizationInvitation, user: User) -> None:
    """Mark the invitation used by ``user``; a concurrent use of the same token loses (409)."""
    used = session.execute(
        update(OrganizationInvitation)
        .where(
            OrganizationInvitation.id == invitation.id,
            OrganizationInvitation.used_at.is_(None),
            OrganizationInvitation.revoked_at.is_(None),
        )
        .values(used_at=utcnow(), used_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        raise ConflictError(
            "The invitation was used a moment ago",
            [FieldError.in_body("invitation", "this invitation has been used")],
        )


def members(session: Session, user: User, org_id: int) -> schemas.MemberList:
    org = _organization(session, user, org_id)
    rows = session.scalars(select(User).where(User.organization_id == org.id).order_by(User.id))
    return schemas.MemberList(
        organization=organization_public(org),
        items=[
            schemas.Member(
                id=u.id, email=u.email, full_name=u.full_name, role=u.role, is_active=u.is_active
            )
            for u in rows
        ],
    )


def add_member(session: Session, actor: User, org_id: int, user_id: int) -> schemas.MemberList:
    """The secretariat moves an account into an organisation (one it belongs to no more)."""
    org = _organization(session, actor, org_id)
    member = session.get(User, user_id)
    if member is None:
        raise NotFoundError(f"No account has the id {user_id}")
    role = ROLE_OF_KIND.get(OrganizationKind(org.kind))
    if role is None or member.role != role:
        raise ConflictError(
            f"A {member.role} account cannot join a {org.kind} organisation",
            [FieldError.in_body("user_id", f"the account's role is {member.role}")],
        )
    member.organization_id = org.id
    session.flush()
    return members(session, actor, org_id)


def merge(session: Session, actor: User, keep_id: int, duplicate_id: int) -> schemas.MemberList:
    """Merge ``duplicate_id`` into ``keep_id``: everything that points at the duplicate points at
    the kept organisation, then the duplicate is removed. A clash (both hold an open lead on the
    same project, both invited to the same roadshow) is a 409 naming it; nothing is changed."""
    keep = _organization(session, actor, keep_id)
    duplicate = session.get(Organization, duplicate_id)
    if duplicate is None or duplicate_id == keep_id:
        raise NotFoundError(f"No other organisation has the id {duplicate_id}")
    if duplicate.kind != keep.kind:
        raise ConflictError(
            f"Cannot merge a {duplicate.kind} organisation into a {keep.kind} one",
            [FieldError.in_body("duplicate_id", "of another kind")],
        )
    references = [
        (table, fk.parent)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == Organization.__tablename__ and table.name != "organizations"
    ]
    try:
        with session.begin_nested():
            for table, column in references:
                session.execute(
                    update(table).where(column == duplicate_id).values({column.name: keep_id})
                )
            session.execute(delete(Organization).where(Organization.id == duplicate_id))
    except IntegrityError as exc:
        raise ConflictError(
            f"'{duplicate.name}' and '{keep.name}' both hold the same thing (an open lead on one "
            "project, an invitation to one roadshow); resolve that first",
            [FieldError.in_body("duplicate_id", "holds something the other holds too")],
        ) from exc
    session.expire_all()
    return members(session, actor, keep_id)
