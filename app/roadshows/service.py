"""Rules about roadshows themselves: who sees which, planning and editing them, and the status

    draft → published ⇄ closed → completed      (published → completed too)

Published, closed and completed roadshows are public; drafts are the secretariat's. ``closed``
means registration is closed; ``completed`` means the event was held. Times are stored in UTC
and shown in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.catalog.models import Project, ProjectStatus
from app.db import utcnow
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.geo.service import ReferenceCodes, check_references
from app.listing import expand_industries
from app.roadshows import schemas
from app.roadshows.models import (
    Registration,
    RegistrationStatus,
    Roadshow,
    RoadshowIndustry,
    RoadshowStatus,
    Slot,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLIC = (RoadshowStatus.published, RoadshowStatus.closed, RoadshowStatus.completed)
NEXT: dict[str, set[str]] = {
    RoadshowStatus.draft: {RoadshowStatus.published},
    RoadshowStatus.published: {RoadshowStatus.closed, RoadshowStatus.completed},
    RoadshowStatus.closed: {RoadshowStatus.published, RoadshowStatus.completed},
    RoadshowStatus.completed: set(),
}


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def clock(moment: dt.datetime) -> str:
    """A time as people at the venue read it, e.g. ``09:30``."""
    return local(moment).strftime("%H:%M")


def is_secretariat(user: User | None) -> bool:
    return user is not None and user.role == Role.secretariat


def _visible(stmt: Select[Any], user: User | None) -> Select[Any]:
    return stmt if is_secretariat(user) else stmt.where(Roadshow.status.in_(PUBLIC))


def roadshow_for(
    session: Session, roadshow_id: int, user: User | None, *, lock: bool = False
) -> Roadshow:
    """The roadshow if the caller may see it (drafts: the secretariat only), else a 404.

    ``lock`` takes the roadshow's row lock until the transaction ends (SELECT … FOR UPDATE on
    PostgreSQL; on SQLite a writing session already holds the database's write lock): every
    change to its seats is made under it, so racing registrations are taken one at a time.
    """
    stmt = _visible(select(Roadshow).where(Roadshow.id == roadshow_id), user)
    if lock:
        stmt = stmt.with_for_update()
    roadshow: Roadshow | None = session.scalar(stmt)
    if roadshow is None:
        raise NotFoundError(f"No roadshow you may see has the id {roadshow_id}")
    return roadshow


def industries_of(session: Session, roadshow_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row in session.execute(
        select(RoadshowIndustry.roadshow_id, RoadshowIndustry.industry_code)
        .where(RoadshowIndustry.roadshow_id.in_(roadshow_ids))
        .order_by(RoadshowIndustry.position)
    ):
        out.setdefault(row.roadshow_id, []).append(row.industry_code)
    return out


def seat_counts(session: Session, roadshow_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {i: {} for i in roadshow_ids}
    for row in session.execute(
        select(Registration.roadshow_id, Registration.status, func.count())
        .where(Registration.roadshow_id.in_(roadshow_ids))
        .group_by(Registration.roadshow_id, Registration.status)
    ):
        counts[row[0]][row[1]] = row[2]
    return counts


def confirmed_count(session: Session, roadshow_id: int) -> int:
    return seat_counts(session, [roadshow_id])[roadshow_id].get(RegistrationStatus.confirmed, 0)


def _slot_counts(
    session: Session, roadshow_ids: Sequence[int], user: User | None
) -> dict[int, int]:
    """Slots per roadshow as the caller sees them (withdrawn projects: the secretariat only)."""
    stmt = select(Slot.roadshow_id, func.count()).where(Slot.roadshow_id.in_(roadshow_ids))
    if not is_secretariat(user):
        stmt = stmt.join(Project, Project.id == Slot.project_id).where(
            Project.status == ProjectStatus.published
        )
    rows = session.execute(stmt.group_by(Slot.roadshow_id))
    return {row[0]: int(row[1]) for row in rows}


def summaries(
    session: Session, roadshows: Sequence[Roadshow], user: User | None
) -> list[schemas.RoadshowSummary]:
    ids = [r.id for r in roadshows]
    industries = industries_of(session, ids)
    seats = seat_counts(session, ids)
    slots = _slot_counts(session, ids, user)
    out = []
    for r in roadshows:
        confirmed = seats[r.id].get(RegistrationStatus.confirmed, 0)
        out.append(
            schemas.RoadshowSummary(
                id=r.id,
                title_zh=r.title_zh,
                title_en=r.title_en,
                description_zh=r.description_zh,
                description_en=r.description_en,
                industries=industries.get(r.id, []),
                city=r.city_code,
                venue=r.venue,
                starts_at=local(r.starts_at),
                ends_at=local(r.ends_at),
                capacity=r.capacity,
                confirmed=confirmed,
                waitlisted=seats[r.id].get(RegistrationStatus.waitlisted, 0),
                seats_left=max(0, r.capacity - confirmed),
                slot_count=slots.get(r.id, 0),
                status=RoadshowStatus(r.status),
                version=r.version,
                created_at=local(r.created_at),
                updated_at=local(r.updated_at),
            )
        )
    return out


def summary(session: Session, roadshow: Roadshow, user: User | None) -> schemas.RoadshowSummary:
    return summaries(session, [roadshow], user)[0]


def list_roadshows(
    session: Session,
    user: User | None,
    refs: ReferenceCodes,
    *,
    status: RoadshowStatus | None,
    city: str | None,
    industry: str | None,
    when: schemas.When | None,
    page: int,
    per_page: int,
) -> schemas.RoadshowList:
    stmt = _visible(select(Roadshow), user)
    if status is not None:
        stmt = stmt.where(Roadshow.status == status)
    if city is not None:
        stmt = stmt.where(Roadshow.city_code == city)
    if industry is not None:
        themed = select(RoadshowIndustry.roadshow_id).where(
            RoadshowIndustry.industry_code.in_(expand_industries([industry], refs))
        )
        stmt = stmt.where(Roadshow.id.in_(themed))
    now = utcnow()
    if when == schemas.When.upcoming:
        stmt = stmt.where(Roadshow.ends_at > now).order_by(Roadshow.starts_at, Roadshow.id)
    elif when == schemas.When.past:
        stmt = stmt.where(Roadshow.ends_at <= now).order_by(
            Roadshow.starts_at.desc(), Roadshow.id.desc()
        )
    else:
        stmt = stmt.order_by(Roadshow.starts_at.desc(), Roadshow.id.desc())
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return schemas.RoadshowList(
        items=summaries(session, rows, user), total=total, page=page, per_page=per_page
    )


def _check_codes(values: dict[str, Any], refs: ReferenceCodes) -> None:
    check_references({k: values[k] for k in ("industries", "city") if k in values}, refs)


def _set_industries(session: Session, roadshow: Roadshow, codes: Sequence[str]) -> None:
    session.execute(delete(RoadshowIndustry).where(RoadshowIndustry.roadshow_id == roadshow.id))
    for position, code in enumerate(dict.fromkeys(codes)):
        session.add(
            RoadshowIndustry(roadshow_id=roadshow.id, industry_code=code, position=position)
        )


def create_roadshow(
    session: Session, user: User, body: schemas.RoadshowCreate, refs: ReferenceCodes
) -> Roadshow:
    values = body.model_dump()
    _check_codes(values, refs)
    roadshow = Roadshow(
        title_zh=body.title_zh,
        title_en=body.title_en,
        description_zh=body.description_zh,
        description_en=body.description_en,
        city_code=body.city,
        venue=body.venue,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        capacity=body.capacity,
        created_by=user.id,
    )
    session.add(roadshow)
    session.flush()
    _set_industries(session, roadshow, body.industries)
    session.flush()
    return roadshow


FIELDS = {
    "title_zh": "title_zh",
    "title_en": "title_en",
    "description_zh": "description_zh",
    "description_en": "description_en",
    "city": "city_code",
    "venue": "venue",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "capacity": "capacity",
}


def update_roadshow(
    session: Session,
    user: User,
    roadshow_id: int,
    body: schemas.RoadshowUpdate,
    refs: ReferenceCodes,
) -> Roadshow:
    """Edit a roadshow and/or move its status; times must keep every slot inside the event,
    and a smaller capacity must still seat everyone confirmed (a larger one seats the
    waitlist in turn)."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    values = body.model_dump(exclude_unset=True)
    if body.version is not None and body.version != roadshow.version:
        raise ConflictError(
            f"The roadshow changed since version {body.version} (it is at version "
            f"{roadshow.version}); reload it and edit again"
        )
    if roadshow.status == RoadshowStatus.completed and set(values) - {"version"}:
        raise ConflictError("The roadshow is completed; it can no longer be changed")
    for key in ("city", "starts_at", "ends_at", "capacity"):
        if key in values and values[key] is None:
            raise InvalidInputError(
                f"'{key}' cannot be emptied", [FieldError.in_body(key, "cannot be null")]
            )
    if "venue" in values and not values["venue"] and roadshow.status != RoadshowStatus.draft:
        raise InvalidInputError(
            f"A {roadshow.status} roadshow keeps its venue",
            [FieldError.in_body("venue", "required")],
        )
    _check_codes(values, refs)
    if not (values.get("title_zh", roadshow.title_zh) or values.get("title_en", roadshow.title_en)):
        raise InvalidInputError(
            "A roadshow keeps at least one of title_zh and title_en",
            [FieldError.in_body("title_zh", "a title is required")],
        )
    starts_at = values.get("starts_at") or roadshow.starts_at
    ends_at = values.get("ends_at") or roadshow.ends_at
    try:
        schemas.check_times(starts_at, ends_at)
    except ValueError as exc:
        raise InvalidInputError(str(exc), [FieldError.in_body("ends_at", str(exc))]) from exc
    if "starts_at" in values or "ends_at" in values:
        moved = starts_at - roadshow.starts_at
        if moved and ends_at - roadshow.ends_at == moved:
            # The whole event moved (postponed, brought forward): its agenda moves with it.
            _shift_slots(session, roadshow.id, moved)
        _check_slots_inside(session, roadshow.id, starts_at, ends_at)
    if "capacity" in values:
        confirmed = confirmed_count(session, roadshow.id)
        if values["capacity"] < confirmed:
            raise ConflictError(
                f"{confirmed} registrations are confirmed; the capacity cannot go below that",
            )
    for key, column in FIELDS.items():
        if key in values:
            setattr(roadshow, column, values[key])
    if "industries" in values:
        _set_industries(session, roadshow, values["industries"] or [])
    if body.status is not None and body.status != roadshow.status:
        _move(roadshow, body.status)
    if set(values) - {"version"}:
        roadshow.updated_at = utcnow()  # a change of theme industries alone is a change too
    session.flush()
    if "capacity" in values:
        fill_seats(session, roadshow)
    return roadshow


def fill_seats(session: Session, roadshow: Roadshow) -> list[Registration]:
    """Seat the waitlist, first come first served, while seats are free (call under the
    roadshow's lock). Returns the registrations it confirmed."""
    if roadshow.status == RoadshowStatus.completed or roadshow.ends_at <= utcnow():
        return []
    confirmed = confirmed_count(session, roadshow.id)
    free = roadshow.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        session.scalars(
            select(Registration)
            .where(
                Registration.roadshow_id == roadshow.id,
                Registration.status == RegistrationStatus.waitlisted,
            )
            .order_by(Registration.created_at, Registration.id)
            .limit(free)
        )
    )
    now = utcnow()
    for registration in promoted:
        registration.status = RegistrationStatus.confirmed
        registration.confirmed_at = now
    session.flush()
    return promoted


def _move(roadshow: Roadshow, target: RoadshowStatus) -> None:
    if target not in NEXT[roadshow.status]:
        allowed = ", ".join(sorted(NEXT[roadshow.status])) or "none: it is completed"
        raise ConflictError(
            f"A {roadshow.status} roadshow cannot move to {target} (allowed: {allowed})"
        )
    if target == RoadshowStatus.published and not roadshow.venue:
        raise InvalidInputError(
            "A roadshow needs a venue before it is published",
            [FieldError.in_body("venue", "required to publish")],
        )
    if target == RoadshowStatus.completed and roadshow.starts_at > utcnow():
        raise ConflictError(
            f"The roadshow starts at {local(roadshow.starts_at).isoformat()}; it can be marked "
            "completed once it has been held"
        )
    roadshow.status = target


def _shift_slots(session: Session, roadshow_id: int, delta: dt.timedelta) -> None:
    if not delta:
        return
    for slot in session.scalars(select(Slot).where(Slot.roadshow_id == roadshow_id)):
        slot.starts_at += delta
        slot.ends_at += delta
    session.flush()


def _check_slots_inside(
    session: Session, roadshow_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    outside = session.scalars(
        select(Slot)
        .where(Slot.roadshow_id == roadshow_id)
        .where((Slot.starts_at < starts_at) | (Slot.ends_at > ends_at))
        .order_by(Slot.starts_at)
    ).all()
    if outside:
        first = outside[0]
        raise ConflictError(
            f"Slot {first.id} ({clock(first.starts_at)}–{clock(first.ends_at)}) would fall "
            "outside the new times; move or remove it first",
            [
                FieldError.in_body(
                    "starts_at", f"slot {s.id} ({clock(s.starts_at)}–{clock(s.ends_at)})"
                )
                for s in outside
            ],
        )


@dataclass(frozen=True)
class ProjectTitle:
    external_id: str
    title_zh: str | None
    title_en: str | None
    published: bool


def project_titles(session: Session, project_ids: Sequence[int]) -> dict[int, ProjectTitle]:
    """External id, titles and whether each project is still published (a lineup keeps a
    project withdrawn since; only the secretariat still sees it there)."""
    if not project_ids:
        return {}
    return {
        row.id: ProjectTitle(
            row.external_id, row.title_zh, row.title_en, row.status == ProjectStatus.published
        )
        for row in session.execute(
            select(
                Project.id, Project.external_id, Project.title_zh, Project.title_en, Project.status
            ).where(Project.id.in_(project_ids))
        )
    }
