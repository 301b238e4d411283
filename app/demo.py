"""Load the demo content in ``seed/demo``: projects, needs, organisations and demo accounts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import OrganizationKind, Role, User
from app.auth.service import ensure_user, get_or_create_organization
from app.bulk.formats import FileFormat
from app.bulk.service import ImportRejectedError, ImportReport, import_text
from app.catalog import service as catalog
from app.catalog.models import ProjectEvent
from app.leads.models import Lead, LeadEvent


@dataclass
class SeedReport:
    content: ImportReport
    users_created: int
    journeys_created: int = 0

    def summary(self) -> str:
        return (
            f"{self.content.summary()}; demo users: {self.users_created} created; "
            f"drafts and leads: {self.journeys_created} created"
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
    return SeedReport(content=content, users_created=created, journeys_created=journeys)


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
        stages = ["new", "contacted", "negotiating", "signed", "landed"]
        target = spec["stage"]
        path_to = stages[: stages.index(target) + 1] if target != "closed" else ["new", "closed"]
        for before, after in itertools.pairwise(path_to):
            session.add(
                LeadEvent(
                    lead_id=lead.id,
                    actor_id=secretariat.id if secretariat else None,
                    from_stage=before,
                    to_stage=after,
                    note=spec.get("note") if after == target else None,
                )
            )
        if target == "landed":
            landing = spec["landing"]
            lead.landed_city = landing["city"]
            lead.landed_amount_wan = Decimal(str(landing["amount_wan"]))
            lead.landed_on = dt.date.fromisoformat(landing["date"])
        lead.stage = target
        created += 1
    session.flush()
    return created
