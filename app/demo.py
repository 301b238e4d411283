"""Load the demo content in ``seed/demo``: projects, needs, organisations and demo accounts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Organization, OrganizationKind, Role, User
from app.auth.security import hash_password
from app.auth.service import ensure_user, get_or_create_organization
from app.bulk.formats import FileFormat
from app.bulk.service import ImportRejectedError, ImportReport, import_text
from app.catalog import records as catalog
from app.catalog.models import ProjectEvent
from app.geo.service import ReferenceCodes, reference_codes
from app.leads import service as leads
from app.leads.models import Lead, LeadStage
from app.leads.schemas import Landing, LeadUpdate
from app.roadshows import attendance, lineup
from app.roadshows import service as roadshows
from app.roadshows.models import (
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    Roadshow,
    RoadshowInterest,
    RoadshowStatus,
)
from app.roadshows.schemas import (
    InterestCreate,
    InvitationCreate,
    InvitationResponse,
    RoadshowCreate,
    RoadshowUpdate,
    SlotCreate,
)
from app.roadshows.service import SHANGHAI

DEMO_ENTERPRISE_PASSWORD = "ketao-demo-enterprise"  # noqa: S105 - demo accounts only
SECRETARIAT = "secretariat@ketao.local"  # the demo account that reviews, invites, moves leads


@dataclass
class SeedReport:
    content: ImportReport
    users_created: int
    journeys_created: int = 0
    roadshows_created: int = 0

    def summary(self) -> str:
        return (
            f"{self.content.summary()}; demo users: {self.users_created} created; "
            f"drafts and leads: {self.journeys_created} created; "
            f"roadshows: {self.roadshows_created} created"
        )


def demo_files(seed_dir: Path) -> list[Path]:
    demo = seed_dir / "demo"
    return [*sorted((demo / "projects").glob("*.jsonl")), demo / "needs.jsonl"]


def load_demo(session: Session, seed_dir: Path) -> SeedReport:
    """Idempotent: a second run finds every record unchanged and every user present."""
    content = ImportReport()
    for path in demo_files(seed_dir):
        try:
            report = import_text(session, path.read_text(encoding="utf-8"), FileFormat.jsonl)
        except ImportRejectedError as exc:
            raise ImportRejectedError(f"{path.name}: {exc.detail}", exc.errors) from exc
        content.merge(report)
    accounts = json.loads((seed_dir / "demo" / "users.json").read_text(encoding="utf-8"))
    orgs = {
        o["name"]: get_or_create_organization(
            session, o["name"], OrganizationKind(o["kind"]), city_code=o.get("city")
        )
        for o in accounts["organizations"]
    }
    created = 0
    for user in accounts["users"]:
        _, was_created = ensure_user(
            session,
            email=user["email"],
            password=user["password"],
            role=Role(user["role"]),
            organization=orgs[user["organization"]],
            full_name=user["full_name"],
        )
        created += was_created
    journeys = _load_journeys(session, seed_dir / "demo" / "journeys.json")
    accounts_created, roadshows = _load_roadshows(session, seed_dir / "demo" / "roadshows.json")
    return SeedReport(
        content=content,
        users_created=created + accounts_created,
        journeys_created=journeys,
        roadshows_created=roadshows,
    )


def _stages_to(target: str) -> list[str]:
    """The moves that take a new lead to ``target`` by the pipeline's own rules (``leads.NEXT``),
    the shortest way: new → contacted → … → landed, or new → closed."""
    paths: dict[str, list[str]] = {LeadStage.new: []}
    queue: list[str] = [LeadStage.new]
    for stage in queue:  # breadth first; the queue grows as it is read
        for after in sorted(leads.NEXT[stage]):
            if after not in paths:
                paths[after] = [*paths[stage], after]
                queue.append(after)
    return paths[target]


def _advance(
    session: Session,
    secretariat: User,
    refs: ReferenceCodes,
    lead_id: int,
    spec: dict[str, Any],
) -> None:
    """Move a seeded lead to ``spec["stage"]`` the way the secretariat does, through the leads
    service (its rules, its audit events); ``spec["note"]`` goes on the last move."""
    target = spec.get("stage", LeadStage.new)
    for stage in _stages_to(target):
        update = LeadUpdate(
            stage=LeadStage(stage),
            note=spec.get("note") if stage == target else None,
            landing=_landing(spec["landing"]) if stage == LeadStage.landed else None,
        )
        leads.move(session, secretariat, lead_id, update, refs)


def _landing(spec: dict[str, Any]) -> Landing:
    """Where, for how much and when a lead landed: on a date, or ``day_offset`` days from today."""
    today = dt.datetime.now(SHANGHAI).date()
    return Landing(
        city=spec["city"],
        amount_wan=spec["amount_wan"],
        date=dt.date.fromisoformat(spec["date"])
        if "date" in spec
        else today + dt.timedelta(days=spec["day_offset"]),
    )


def _load_journeys(session: Session, path: Path) -> int:
    """Drafts at each step of review and leads at each stage; skipped where they exist."""
    if not path.exists():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    users = {u.email: u for u in session.scalars(select(User))}
    created = 0
    for draft in data["drafts"]:
        record = draft["record"]
        if catalog.projects_by_external_id(session, [record["external_id"]]):
            continue
        owner = users[draft["owner"]]
        _, project = catalog.upsert_project(
            session, None, {**record, "status": "draft"}, owner_id=owner.id
        )
        assert project is not None
        steps = ["draft", "submitted", "changes_requested"]
        path_to = steps[: steps.index(draft["status"]) + 1]
        session.add(ProjectEvent(project_id=project.id, actor_id=owner.id, action="created",
                                 to_status="draft"))  # fmt: skip
        reviewer = users.get(SECRETARIAT)
        for before, after in itertools.pairwise(path_to):
            actor = owner if after == "submitted" else reviewer
            action = "submitted" if after == "submitted" else "request_changes"
            session.add(
                ProjectEvent(
                    project_id=project.id,
                    actor_id=actor.id if actor else None,
                    action=action,
                    from_status=before,
                    to_status=after,
                    note=draft.get("note") if after == "changes_requested" else None,
                )
            )
        project.status = draft["status"]
        created += 1
    secretariat = users[SECRETARIAT]
    refs = reference_codes(session)
    for spec in data["leads"]:
        project = catalog.projects_by_external_id(session, [spec["project"]])[spec["project"]]
        enterprise = users[spec["enterprise"]]
        exists = session.scalar(
            select(Lead.id).where(
                Lead.project_id == project.id, Lead.organization_id == enterprise.organization_id
            )
        )
        if exists is not None or enterprise.organization_id is None:
            continue
        lead = leads.show_interest(session, enterprise, project.id, spec["message"])
        _advance(session, secretariat, refs, lead.id, spec)
        created += 1
    session.flush()
    return created


def _load_roadshows(session: Session, path: Path) -> tuple[int, int]:
    """Two held roadshows with their outcome and one upcoming; dates relative to today.
    Returns (accounts created, roadshows created); skipped where they exist."""
    if not path.exists():
        return 0, 0
    data = json.loads(path.read_text(encoding="utf-8"))
    accounts = 0
    shared_hash = hash_password(DEMO_ENTERPRISE_PASSWORD)  # once, not once per account
    for account in data["accounts"]:
        org = get_or_create_organization(session, account["organization"])
        _, was_created = ensure_user(
            session,
            email=account["email"],
            password=DEMO_ENTERPRISE_PASSWORD,
            role=Role.enterprise,
            organization=org,
            full_name=account["full_name"],
            password_hash=shared_hash,
        )
        accounts += was_created
    cast = _Cast(
        users={u.email: u for u in session.scalars(select(User).order_by(User.id))},
        orgs={o.name: o for o in session.scalars(select(Organization))},
        refs=reference_codes(session),
    )
    created = 0
    for spec in data["roadshows"]:
        if session.scalar(select(Roadshow.id).where(Roadshow.title_zh == spec["title_zh"])):
            continue
        _replay_roadshow(session, cast, spec)
        created += 1
    session.flush()
    return accounts, created


@dataclass
class _Cast:
    """The demo's people and organisations, and the codes the services check against."""

    users: dict[str, User]
    orgs: dict[str, Organization]
    refs: ReferenceCodes

    @property
    def secretariat(self) -> User:
        return self.users[SECRETARIAT]

    def account_of(self, organization: Organization) -> User:
        """Who answers the organisation's invitation: its enterprise account, else the
        secretariat (an answer given by phone)."""
        for user in self.users.values():
            if user.organization_id == organization.id and user.role == Role.enterprise:
                return user
        return self.secretariat


def _replay_roadshow(session: Session, cast: _Cast, spec: dict[str, Any]) -> None:
    """A demo roadshow's history, replayed through the roadshow services as it happened: planned
    and published, invitations sent and answered, seats taken and given back, and, once held,
    check-ins at the door, completion, and the interest recorded there, each lead moved along.

    The services read the clock: registration closes once a roadshow has ended, and what they
    record is stamped "now". So a roadshow already held is planned and filled while it is still
    ahead (its dates shifted forward by ``ahead``), then moved to the day it was held; and each
    stamp is set back, right after the call that made it, to when it happened (``# happened:``).
    """
    sec, refs = cast.secretariat, cast.refs
    now = dt.datetime.now(SHANGHAI)
    day = now.date() + dt.timedelta(days=spec["day_offset"])

    def moment(clock: str) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.fromisoformat(clock), SHANGHAI)

    starts, ends = moment(spec["starts"]), moment(spec["ends"])
    before = min(starts, now)  # planning, invitations and registrations came before both
    ahead = max(dt.timedelta(0), now - starts + dt.timedelta(days=1))
    roadshow = roadshows.create_roadshow(
        session,
        sec,
        RoadshowCreate(
            title_zh=spec["title_zh"],
            title_en=spec["title_en"],
            description_zh=spec["description_zh"],
            description_en=spec["description_en"],
            industries=spec["industries"],
            city=spec["city"],
            venue=spec["venue"],
            starts_at=starts + ahead,
            ends_at=ends + ahead,
            capacity=spec["capacity"],
        ),
        refs,
    )
    roadshow.created_at = before - dt.timedelta(days=40)  # happened: planned 40 days ahead
    projects = catalog.projects_by_external_id(session, [s["project"] for s in spec["slots"]])
    for slot in spec["slots"]:
        lineup.add_slot(
            session,
            sec,
            roadshow.id,
            SlotCreate(
                project_id=projects[slot["project"]].id,
                starts_at=moment(slot["at"]) + ahead,
                minutes=slot["minutes"],
                presenter=slot["presenter"],
            ),
        )
    roadshows.update_roadshow(
        session, sec, roadshow.id, RoadshowUpdate(status=RoadshowStatus.published), refs
    )

    # Before the event, in the order it happened: invitations, registrations, answers,
    # cancellations (a seat given back goes to the first on the waitlist).
    steps: list[tuple[dt.datetime, Callable[[dt.datetime], None]]] = []
    for n, invitation in enumerate(spec["invitations"]):
        org = cast.orgs[invitation["organization"]]
        sent = before - dt.timedelta(days=30) + dt.timedelta(hours=n)  # an hour apart, in order
        steps.append((sent, partial(_invite, session, sec, roadshow, org)))
        if invitation["status"] != InvitationStatus.invited:
            answer = InvitationResponse(status=invitation["status"], note=invitation.get("note"))
            steps.append(
                (
                    before - dt.timedelta(days=20 - n),
                    partial(_answer, session, cast.account_of(org), roadshow, org, answer),
                )
            )
    for n, registration in enumerate(spec["registrations"]):
        user = cast.users[registration["account"]]
        at = before - dt.timedelta(days=25 - n)
        steps.append((at, partial(_register, session, user, roadshow)))
        if registration.get("cancelled"):
            steps.append((at + dt.timedelta(days=3), partial(_cancel, session, user, roadshow)))
    for at, step in sorted(steps, key=lambda s: s[0]):  # stable: ties keep the order above
        step(at)
        session.flush()  # its stamps, before the next step reads who came first

    if ahead:  # held: it took place on its day (its lineup moves with it)
        roadshows.update_roadshow(
            session, sec, roadshow.id, RoadshowUpdate(starts_at=starts, ends_at=ends), refs
        )
    for n, registration in enumerate(spec["registrations"]):
        if registration.get("checked_in"):
            seat = attendance.registration_of(
                session, roadshow.id, cast.users[registration["account"]]
            )
            assert seat is not None
            checked = attendance.check_in(session, sec, roadshow.id, seat.id)
            checked.checked_in_at = starts - dt.timedelta(minutes=15 - n)  # happened: at the door
    if spec["status"] != roadshow.status:
        roadshows.update_roadshow(
            session, sec, roadshow.id, RoadshowUpdate(status=RoadshowStatus(spec["status"])), refs
        )
    for interest in spec["interest"]:
        org = cast.orgs[interest["organization"]]
        project = catalog.projects_by_external_id(session, [interest["project"]])[
            interest["project"]
        ]
        lead, new = attendance.record_interest(
            session,
            sec,
            roadshow.id,
            InterestCreate(organization_id=org.id, project_id=project.id, note=interest["note"]),
        )
        if new:
            _advance(session, sec, refs, lead.id, {**interest, "note": None})
    for recorded in session.scalars(
        select(RoadshowInterest).where(RoadshowInterest.roadshow_id == roadshow.id)
    ):
        recorded.at = ends  # happened: recorded as the event closed
    session.flush()


def _invite(
    session: Session, secretariat: User, roadshow: Roadshow, org: Organization, at: dt.datetime
) -> None:
    invitation = attendance.invite(
        session, secretariat, roadshow.id, InvitationCreate(organization_id=org.id)
    )
    invitation.created_at = at  # happened


def _answer(
    session: Session,
    user: User,
    roadshow: Roadshow,
    org: Organization,
    answer: InvitationResponse,
    at: dt.datetime,
) -> None:
    invitation_id = session.scalar(
        select(Invitation.id).where(
            Invitation.roadshow_id == roadshow.id, Invitation.organization_id == org.id
        )
    )
    assert invitation_id is not None
    answered = attendance.respond(session, user, roadshow.id, invitation_id, answer)
    answered.responded_at = at  # happened


def _register(session: Session, user: User, roadshow: Roadshow, at: dt.datetime) -> None:
    registration = attendance.register(session, user, roadshow.id, "")
    registration.created_at = at  # happened
    if registration.confirmed_at is not None:
        registration.confirmed_at = at  # happened: seated at once


def _cancel(session: Session, user: User, roadshow: Roadshow, at: dt.datetime) -> None:
    seat = attendance.registration_of(session, roadshow.id, user)
    assert seat is not None
    waiting = set(
        session.scalars(
            select(Registration.id).where(
                Registration.roadshow_id == roadshow.id,
                Registration.status == RegistrationStatus.waitlisted,
            )
        )
    )
    attendance.cancel(session, user, roadshow.id, seat.id)
    cancelled = session.get(Registration, seat.id)
    assert cancelled is not None
    cancelled.cancelled_at = at  # happened
    for promoted in session.scalars(
        select(Registration).where(
            Registration.id.in_(waiting), Registration.status == RegistrationStatus.confirmed
        )
    ):
        promoted.confirmed_at = at  # happened: the seat given back went to them then
    session.flush()
