"""Load the demo content in ``seed/demo``: projects, needs, organisations and demo accounts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.auth.models import OrganizationKind, Role
from app.auth.service import ensure_user, get_or_create_organization
from app.bulk.formats import FileFormat
from app.bulk.service import ImportRejectedError, ImportReport, import_text


@dataclass
class SeedReport:
    content: ImportReport
    users_created: int

    def summary(self) -> str:
        return f"{self.content.summary()}; demo users: {self.users_created} created"


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
    return SeedReport(content=content, users_created=created)
