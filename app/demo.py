"""Load the demo content in ``seed/demo``: projects, needs, organisations and demo accounts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Organization, OrganizationKind, Role, User
from app.auth.security import hash_password
from app.auth.service import ensure_user, get_or_create_organization
from app.bulk.formats import FileFormat
from app.bulk.service import ImportRejectedError, ImportReport, import_text
from app.catalog import service as catalog
from app.catalog.models import ProjectEvent
from app.leads import service as leads
from app.leads.models import Lead, LeadEvent
from app.roadshows.models import (
    Invitation,
    Registration,
    Roadshow,
    RoadshowIndustry,
    RoadshowInterest,
    Slot,
)
from app.roadshows.service import SHANGHAI

DEMO_ENTERPRISE_PASSWORD = "ketao-demo-enterprise"  # noqa: S105 - demo accounts only


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


def _advance(session: Session, lead: Lead, spec: dict[str, Any], actor: User | None) -> None:
    """Walk a seeded lead along the pipeline to ``spec["stage"]``, with its audit events."""
    stages = ["new", "contacted", "negotiating", "signed", "landed"]
    target = spec.get("stage", "new")
    path_to = stages[: stages.index(target) + 1] if target != "closed" else ["new", "closed"]
    for before, after in itertools.pairwise(path_to):
        session.add(
            LeadEvent(
                lead_id=lead.id,
                actor_id=actor.id if actor else None,
                from_stage=before,
                to_stage=after,
                note=spec.get("note") if after == target else None,
            )
        )
    if target == "landed":
        landing = spec["landing"]
        lead.landed_city = landing["city"]
        lead.landed_amount_wan = Decimal(str(landing["amount_wan"]))
        lead.landed_on = (
            dt.date.fromisoformat(landing["date"])
            if "date" in landing
            else dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=landing["day_offset"])
        )
    lead.stage = target


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
        reviewer = users.get("secretariat@ketao.local")
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
    secretariat = users.get("secretariat@ketao.local")
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
        lead = Lead(
            project_id=project.id,
            organization_id=enterprise.organization_id,
            created_by=enterprise.id,
            message=spec["message"],
        )
        session.add(lead)
        session.flush()
        session.add(LeadEvent(lead_id=lead.id, actor_id=enterprise.id, to_stage="new",
                              note=spec["message"]))  # fmt: skip
        _advance(session, lead, spec, secretariat)
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
    users = {u.email: u for u in session.scalars(select(User))}
    orgs = {o.name: o for o in session.scalars(select(Organization))}
    secretariat = users["secretariat@ketao.local"]
    today = dt.datetime.now(SHANGHAI).date()
    created = 0
    for spec in data["roadshows"]:
        if session.scalar(select(Roadshow.id).where(Roadshow.title_zh == spec["title_zh"])):
            continue
        day = today + dt.timedelta(days=spec["day_offset"])

        def moment(clock: str, day: dt.date = day) -> dt.datetime:
            return dt.datetime.combine(day, dt.time.fromisoformat(clock), SHANGHAI)

        starts = moment(spec["starts"])
        # Planning, invitations and registrations happened before the event and before now.
        before = min(starts, dt.datetime.now(SHANGHAI))
        roadshow = Roadshow(
            title_zh=spec["title_zh"],
            title_en=spec["title_en"],
            description_zh=spec["description_zh"],
            description_en=spec["description_en"],
            city_code=spec["city"],
            venue=spec["venue"],
            starts_at=starts,
            ends_at=moment(spec["ends"]),
            capacity=spec["capacity"],
            status=spec["status"],
            created_by=secretariat.id,
            created_at=before - dt.timedelta(days=40),
        )
        session.add(roadshow)
        session.flush()
        for position, code in enumerate(spec["industries"]):
            session.add(RoadshowIndustry(roadshow_id=roadshow.id, industry_code=code,
                                         position=position))  # fmt: skip
        projects = catalog.projects_by_external_id(session, [s["project"] for s in spec["slots"]])
        for slot in spec["slots"]:
            at = moment(slot["at"])
            session.add(
                Slot(
                    roadshow_id=roadshow.id,
                    project_id=projects[slot["project"]].id,
                    presenter=slot["presenter"],
                    starts_at=at,
                    ends_at=at + dt.timedelta(minutes=slot["minutes"]),
                    minutes=slot["minutes"],
                )
            )
        for n, invitation in enumerate(spec["invitations"]):
            answered = invitation["status"] != "invited"
            session.add(
                Invitation(
                    roadshow_id=roadshow.id,
                    organization_id=orgs[invitation["organization"]].id,
                    status=invitation["status"],
                    invited_by=secretariat.id,
                    created_at=before - dt.timedelta(days=30, hours=n),
                    responded_at=before - dt.timedelta(days=20 - n) if answered else None,
                    response_note=invitation.get("note"),
                )
            )
        seated = 0
        for n, registration in enumerate(spec["registrations"]):
            user = users[registration["account"]]
            at = before - dt.timedelta(days=25 - n)
            status = "confirmed" if seated < roadshow.capacity else "waitlisted"
            if registration.get("cancelled"):
                status = "cancelled"
            seated += status == "confirmed"
            session.add(
                Registration(
                    roadshow_id=roadshow.id,
                    user_id=user.id,
                    organization_id=user.organization_id,
                    status=status,
                    created_at=at,
                    confirmed_at=at if status == "confirmed" else None,
                    cancelled_at=at + dt.timedelta(days=3) if status == "cancelled" else None,
                    checked_in_at=starts - dt.timedelta(minutes=15 - n)
                    if registration.get("checked_in") and status == "confirmed"
                    else None,
                )
            )
        session.flush()
        interested = catalog.projects_by_external_id(
            session, [i["project"] for i in spec["interest"]]
        )
        for interest in spec["interest"]:
            org = orgs[interest["organization"]]
            project = interested[interest["project"]]
            lead_view, new = leads.record_interest(
                session,
                secretariat,
                org.id,
                project.id,
                f"[路演 {spec['title_zh']}] {interest['note']}",
            )
            if new:
                lead = leads.leads_by_id(session, [lead_view.id])[lead_view.id]
                _advance(session, lead, {**interest, "note": None}, secretariat)
            session.add(
                RoadshowInterest(
                    roadshow_id=roadshow.id,
                    organization_id=org.id,
                    project_id=project.id,
                    lead_id=lead_view.id,
                    note=interest["note"],
                    recorded_by=secretariat.id,
                    at=moment(spec["ends"]),
                )
            )
        created += 1
    session.flush()
    return accounts, created
