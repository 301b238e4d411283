"""A roadshow's lineup: timed slots that stay inside the event and never overlap, their order,
and the suggestions the secretariat plans from — projects on theme for the host city, and the
enterprises whose open needs match what will be shown."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import OrganizationKind, User
from app.catalog.models import Project, ProjectStatus
from app.db import utcnow
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.matching import service as matching
from app.matching.schemas import NeedMatch, Reason
from app.needs.schemas import OrganizationRef
from app.roadshows import schemas
from app.roadshows.models import Invitation, InvitationStatus, Roadshow, RoadshowStatus, Slot
from app.roadshows.service import (
    PUBLIC,
    ProjectTitle,
    clock,
    industries_of,
    is_secretariat,
    local,
    project_titles,
    roadshow_for,
)
from app.search.service import SearchEngine

NEEDS_PER_PROJECT = 30
INVITE_FIT = 0.6  # a (need, lineup project) pair counts for an invitation from this score
ORG_BREADTH_BONUS = 0.05  # per further lineup project an organisation's needs also match


def slots_of(session: Session, roadshow_id: int) -> list[Slot]:
    return list(
        session.scalars(
            select(Slot).where(Slot.roadshow_id == roadshow_id).order_by(Slot.starts_at, Slot.id)
        )
    )


def _visible(
    slots: Sequence[Slot], titles: dict[int, ProjectTitle], user: User | None
) -> list[Slot]:
    """The slots the caller may see, by start: a project withdrawn since it was put in the
    lineup stays there for the secretariat only."""
    return sorted(
        (s for s in slots if titles[s.project_id].published or is_secretariat(user)),
        key=lambda s: (s.starts_at, s.id),
    )


def visible_slots(session: Session, slots: Sequence[Slot], user: User | None) -> list[Slot]:
    return _visible(slots, project_titles(session, [s.project_id for s in slots]), user)


def render_slots(
    session: Session, slots: Sequence[Slot], user: User | None
) -> list[schemas.SlotPublic]:
    titles = project_titles(session, [s.project_id for s in slots])
    ordered = _visible(slots, titles, user)
    return [
        schemas.SlotPublic(
            id=s.id,
            position=position,
            project_id=s.project_id,
            project_external_id=titles[s.project_id].external_id,
            project_title_zh=titles[s.project_id].title_zh,
            project_title_en=titles[s.project_id].title_en,
            presenter=s.presenter,
            starts_at=local(s.starts_at),
            ends_at=local(s.ends_at),
            minutes=s.minutes,
        )
        for position, s in enumerate(ordered, start=1)
    ]


def _editable(roadshow: Roadshow) -> None:
    if roadshow.status == RoadshowStatus.completed:
        raise ConflictError("The roadshow is completed; its lineup is the record of what was shown")


def _touch(roadshow: Roadshow) -> None:
    """A lineup change is a change of the roadshow: its version (the agenda's SEQUENCE, so
    calendars take the new times on re-import) and its last-modified time move on."""
    roadshow.updated_at = utcnow()


def _describe(slot: Slot) -> str:
    return f"slot {slot.id} ({clock(slot.starts_at)}–{clock(slot.ends_at)})"


def _place(
    session: Session,
    roadshow: Roadshow,
    starts_at: dt.datetime,
    minutes: int,
    moving: Slot | None = None,
) -> dt.datetime:
    """Where a slot of ``minutes`` at ``starts_at`` may go: inside the event (else 422) and
    overlapping no other slot (else 409 naming it). Returns its end."""
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    if starts_at < roadshow.starts_at or ends_at > roadshow.ends_at:
        window = f"{local(roadshow.starts_at).isoformat()} – {local(roadshow.ends_at).isoformat()}"
        raise InvalidInputError(
            f"The slot must fall within the roadshow ({window})",
            [
                FieldError.in_body(
                    "starts_at", f"{clock(starts_at)}–{clock(ends_at)} is outside {window}"
                ),
                FieldError.in_body("minutes", f"{minutes} minutes from {clock(starts_at)}"),
            ],
        )
    hit = session.scalar(
        select(Slot)
        .where(
            Slot.roadshow_id == roadshow.id,
            Slot.starts_at < ends_at,
            Slot.ends_at > starts_at,
            Slot.id != (moving.id if moving else -1),
        )
        .order_by(Slot.starts_at)
        .limit(1)
    )
    if hit is not None:
        raise ConflictError(
            f"{clock(starts_at)}–{clock(ends_at)} overlaps {_describe(hit)}",
            [FieldError.in_body("starts_at", f"overlaps {_describe(hit)}")],
        )
    return ends_at


def add_slot(session: Session, user: User, roadshow_id: int, body: schemas.SlotCreate) -> Slot:
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    _editable(roadshow)
    project = session.get(Project, body.project_id)
    if project is None or project.status != ProjectStatus.published:
        raise InvalidInputError(
            f"No published project has the id {body.project_id}",
            [FieldError.in_body("project_id", "not a published project")],
        )
    already = session.scalar(
        select(Slot).where(Slot.roadshow_id == roadshow.id, Slot.project_id == project.id)
    )
    if already is not None:
        raise ConflictError(
            f"The project is already in the lineup: {_describe(already)}",
            [FieldError.in_body("project_id", f"already in {_describe(already)}")],
        )
    ends_at = _place(session, roadshow, body.starts_at, body.minutes)
    slot = Slot(
        roadshow_id=roadshow.id,
        project_id=project.id,
        presenter=body.presenter,
        starts_at=body.starts_at,
        ends_at=ends_at,
        minutes=body.minutes,
    )
    session.add(slot)
    _touch(roadshow)
    session.flush()
    return slot


def _slot(session: Session, roadshow: Roadshow, slot_id: int) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None or slot.roadshow_id != roadshow.id:
        raise NotFoundError(f"Roadshow {roadshow.id} has no slot {slot_id}")
    return slot


def update_slot(
    session: Session, user: User, roadshow_id: int, slot_id: int, body: schemas.SlotUpdate
) -> Slot:
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    _editable(roadshow)
    slot = _slot(session, roadshow, slot_id)
    starts_at = body.starts_at or slot.starts_at
    minutes = body.minutes or slot.minutes
    slot.ends_at = _place(session, roadshow, starts_at, minutes, moving=slot)
    slot.starts_at, slot.minutes = starts_at, minutes
    if body.presenter is not None:
        slot.presenter = body.presenter
    _touch(roadshow)
    session.flush()
    return slot


def delete_slot(session: Session, user: User, roadshow_id: int, slot_id: int) -> None:
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    _editable(roadshow)
    session.delete(_slot(session, roadshow, slot_id))
    _touch(roadshow)
    session.flush()


def reorder(session: Session, user: User, roadshow_id: int, order: Sequence[int]) -> list[Slot]:
    """Put the slots in a new order: laid out again from the first slot's start, each keeping
    its minutes and every break between slots staying at its place in the running order."""
    roadshow = roadshow_for(session, roadshow_id, user, lock=True)
    _editable(roadshow)
    slots = slots_of(session, roadshow.id)
    by_id = {s.id: s for s in slots}
    unknown = [i for i in order if i not in by_id]
    missing = [i for i in by_id if i not in order]
    repeated = len(order) != len(set(order))
    if unknown or missing or repeated:
        problems = []
        if unknown:
            problems.append(f"not in this lineup: {', '.join(map(str, unknown))}")
        if missing:
            problems.append(f"missing: {', '.join(map(str, missing))}")
        if repeated:
            problems.append("an id is repeated")
        raise InvalidInputError(
            "slot_ids must list every slot of the lineup once: " + "; ".join(problems),
            [FieldError.in_body("slot_ids", p) for p in problems],
        )
    breaks = [b.starts_at - a.ends_at for a, b in itertools.pairwise(slots)]
    moment = slots[0].starts_at
    for index, slot_id in enumerate(order):
        slot = by_id[slot_id]
        slot.starts_at = moment
        slot.ends_at = moment + dt.timedelta(minutes=slot.minutes)
        moment = slot.ends_at + (breaks[index] if index < len(breaks) else dt.timedelta())
    _touch(roadshow)
    session.flush()
    return slots_of(session, roadshow.id)


# --- suggestions ---


def theme_of(session: Session, roadshow: Roadshow) -> matching.Theme:
    text = " ".join(
        t
        for t in (
            roadshow.title_zh,
            roadshow.title_en,
            roadshow.description_zh,
            roadshow.description_en,
        )
        if t
    )
    industries = tuple(industries_of(session, [roadshow.id]).get(roadshow.id, []))
    return matching.Theme(text=text, industries=industries, city=roadshow.city_code)


def _reason(code: str, zh: str, en: str) -> Reason:
    return Reason(code=code, message_zh=zh, message_en=en)


def suggest_projects(
    session: Session,
    search: SearchEngine,
    matcher: matching.Matcher,
    user: User,
    roadshow_id: int,
    limit: int,
    recent_days: int,
) -> schemas.ProjectSuggestions:
    """Projects for the lineup, best first, leaving out those already in it and those shown at
    another roadshow in the ``recent_days`` before this one starts."""
    roadshow = roadshow_for(session, roadshow_id, user)
    left_out: dict[int, Reason] = {}
    for slot in slots_of(session, roadshow.id):
        left_out[slot.project_id] = _reason(
            "lineup.already", "已在本场路演的安排中", "Already in this lineup"
        )
    since = roadshow.starts_at - dt.timedelta(days=recent_days)
    shown = session.execute(
        select(Slot.project_id, Roadshow.title_zh, Roadshow.title_en, Roadshow.starts_at)
        .join(Roadshow, Roadshow.id == Slot.roadshow_id)
        .where(
            Roadshow.id != roadshow.id,
            Roadshow.status.in_(PUBLIC),
            Slot.starts_at >= since,
            Slot.starts_at < roadshow.starts_at,
        )
        .order_by(Roadshow.starts_at.desc())
    )
    for row in shown:
        day = local(row.starts_at).date().isoformat()
        left_out.setdefault(
            row.project_id,
            _reason(
                "lineup.shown_recently",
                f"{day} 已在「{row.title_zh or row.title_en}」路演",
                f"Shown at '{row.title_en or row.title_zh}' on {day}",
            ),
        )
    items = matching.roadshow_to_projects(
        session, search, matcher, theme_of(session, roadshow), limit, exclude=left_out.keys()
    )
    return schemas.ProjectSuggestions(
        roadshow_id=roadshow.id,
        items=[schemas.ProjectSuggestion(**m.model_dump()) for m in items],
        left_out=[schemas.LeftOut(project_id=p, reason=r) for p, r in left_out.items()],
    )


def suggest_enterprises(
    session: Session,
    search: SearchEngine,
    matcher: matching.Matcher,
    user: User,
    roadshow_id: int,
    limit: int,
) -> schemas.EnterpriseSuggestions:
    """Organisations whose open public needs match the lineup's projects (or, before there is
    a lineup, the theme), best first, each with the needs and the reasons behind it."""
    roadshow = roadshow_for(session, roadshow_id, user)
    project_ids = [s.project_id for s in slots_of(session, roadshow.id)]
    titles = project_titles(session, project_ids)
    pairs: list[tuple[NeedMatch, int | None]] = []
    presented = [p for p in project_ids if titles[p].published]  # withdrawn ones match nothing
    for project_id in presented:
        found = matching.project_to_needs(session, search, matcher, project_id, NEEDS_PER_PROJECT)
        pairs += [(m, project_id) for m in found.items]
    basis: Literal["lineup", "theme"] = "lineup" if presented else "theme"
    if not presented:
        theme = theme_of(session, roadshow)
        pairs = [(m, None) for m in matching.theme_to_needs(session, search, matcher, theme, 50)]
    by_org: dict[int, list[tuple[NeedMatch, int | None]]] = {}
    orgs: dict[int, OrganizationRef] = {}
    for match, shown in pairs:
        org = match.need.organization
        if org is None or org.kind == OrganizationKind.secretariat:
            continue
        if not match.components.get("text"):
            continue
        if shown is None:  # matched against the theme: a looser bar, there is no lineup yet
            if match.score < matching.NEED_FIT:
                continue
        elif match.score < INVITE_FIT or match.components.get("industry") not in (None, 1.0):
            # A need outside the project's field that shares a word ("test", "automatic") is
            # no reason to take an organisation's afternoon: invitations favour precision.
            continue
        orgs[org.id] = org
        by_org.setdefault(org.id, []).append((match, shown))
    invited = {
        row.organization_id: InvitationStatus(row.status)
        for row in session.execute(
            select(Invitation.organization_id, Invitation.status).where(
                Invitation.roadshow_id == roadshow.id
            )
        )
    }
    items = []
    for org_id, found_pairs in by_org.items():
        found_pairs.sort(key=lambda p: p[0].score, reverse=True)
        projects = {p for _, p in found_pairs if p is not None}
        best = found_pairs[0][0].score
        score = round(min(1.0, best + ORG_BREADTH_BONUS * max(0, len(projects) - 1)), 4)
        reasons = [_pair_reason(m, titles.get(p) if p else None) for m, p in found_pairs[:3]]
        first = found_pairs[0][0].reasons
        if first and first[0].code.startswith("text."):
            reasons.append(first[0])
        items.append(
            schemas.EnterpriseSuggestion(
                organization=orgs[org_id],
                score=score,
                reasons=reasons,
                needs=[
                    schemas.MatchedNeed(
                        need_id=m.need.id,
                        need_title_zh=m.need.title_zh,
                        need_title_en=m.need.title_en,
                        project_id=p,
                        score=m.score,
                    )
                    for m, p in found_pairs[:5]
                ],
                invitation=invited.get(org_id),
            )
        )
    items.sort(key=lambda i: (i.score, -i.organization.id), reverse=True)
    return schemas.EnterpriseSuggestions(
        roadshow_id=roadshow.id,
        basis=basis,
        items=items[:limit],
    )


def _pair_reason(match: NeedMatch, project: ProjectTitle | None) -> Reason:
    need_zh = (match.need.title_zh or match.need.title_en or "")[:40]
    need_en = (match.need.title_en or match.need.title_zh or "")[:80]
    if project is None:
        return _reason(
            "roadshow.theme_need",
            f"需求「{need_zh}」切合路演主题（{match.score:.2f}）",
            f"Need '{need_en}' fits the theme ({match.score:.2f})",
        )
    project_zh, project_en = project.title_zh, project.title_en
    return _reason(
        "roadshow.lineup_need",
        f"需求「{need_zh}」与路演项目「{(project_zh or project_en or '')[:40]}」匹配"
        f"（{match.score:.2f}）",
        f"Need '{need_en}' matches the presented project "
        f"'{(project_en or project_zh or '')[:80]}' ({match.score:.2f})",
    )
