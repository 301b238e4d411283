"""The life of a need: an enterprise, city or zone posts it, edits it, closes it; who sees it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import OrganizationKind, Role, User
from app.common import checked_edit
from app.errors import ConflictError, FieldError, ForbiddenError, InvalidInputError, NotFoundError
from app.geo.service import ReferenceCodes, check_references
from app.needs import schemas
from app.needs.models import Need, NeedStatus, NeedVisibility
from app.needs.records import LOAD, to_public, upsert_need
from app.needs.schemas import NeedCreate, NeedPatch


def is_insider(need: Need, user: User | None) -> bool:
    """The posting organisation's enterprise accounts, the poster and the secretariat."""
    if user is None:
        return False
    if user.role == Role.secretariat or (need.owner_id is not None and need.owner_id == user.id):
        return True
    return (
        user.role == Role.enterprise
        and need.organization_id is not None
        and need.organization_id == user.organization_id
    )


def need_for(session: Session, need_id: int, user: User | None) -> Need:
    """The need if this user may see it (public and open, or theirs); a 404 otherwise."""
    need = session.scalar(select(Need).where(Need.id == need_id).options(*LOAD))
    if need is None or not (
        (need.visibility == NeedVisibility.public and need.status == NeedStatus.open)
        or is_insider(need, user)
    ):
        raise NotFoundError(f"No need you may see has the id {need_id}")
    return need


def create_need(
    session: Session, user: User, data: NeedCreate, refs: ReferenceCodes
) -> schemas.NeedPublic:
    values = data.model_dump(exclude_unset=True)
    check_references(values, refs)
    if user.role == Role.enterprise:
        if data.organization is not None:
            raise InvalidInputError(
                "Enterprises post needs for their own organisation",
                [FieldError(field="organization", location="body", message="not allowed")],
            )
        if user.organization is None:
            raise ConflictError("Your account belongs to no organisation")
        values["organization"] = user.organization.name
    elif data.organization is None and user.organization is not None:
        values["organization"] = user.organization.name
    values.setdefault("organization_kind", OrganizationKind.government.value)
    values["status"] = NeedStatus.open.value
    _, need = upsert_need(session, None, values, owner_id=user.id)
    session.flush()
    return to_public(need_for(session, need.id, user))


def update_need(
    session: Session, user: User, need_id: int, patch: NeedPatch, refs: ReferenceCodes
) -> schemas.NeedPublic:
    need = need_for(session, need_id, user)
    if not is_insider(need, user):
        raise ForbiddenError("Only the posting organisation or the secretariat may edit a need")
    if need.status == NeedStatus.closed:
        raise ConflictError("The need is closed")
    values = patch.model_dump(exclude_unset=True, exclude={"version"})
    checked_edit("need", need, patch.version, values)
    check_references(values, refs)
    upsert_need(session, need, values)
    session.flush()
    return to_public(need)


def close_need(session: Session, user: User, need_id: int) -> schemas.NeedPublic:
    need = need_for(session, need_id, user)
    if not is_insider(need, user):
        raise ForbiddenError("Only the posting organisation or the secretariat may close a need")
    if need.status == NeedStatus.closed:
        raise ConflictError("The need is already closed")
    upsert_need(session, need, {"status": NeedStatus.closed.value})
    session.flush()
    return to_public(need)


def reopen_need(session: Session, user: User, need_id: int) -> schemas.NeedPublic:
    """A closed need opened again (by whoever may close it)."""
    need = need_for(session, need_id, user)
    if not is_insider(need, user):
        raise ForbiddenError("Only the posting organisation or the secretariat may reopen a need")
    if need.status == NeedStatus.open:
        raise ConflictError("The need is already open")
    upsert_need(session, need, {"status": NeedStatus.open.value})
    session.flush()
    return to_public(need)


def my_needs(session: Session, user: User) -> list[schemas.NeedPublic]:
    """The needs of the user's organisation (enterprises) or posted by the user, any state."""
    mine = Need.owner_id == user.id
    if user.role == Role.enterprise and user.organization_id is not None:
        mine = mine | (Need.organization_id == user.organization_id)
    rows = session.scalars(select(Need).where(mine).options(*LOAD).order_by(Need.id.desc()))
    return [to_public(n) for n in rows]
