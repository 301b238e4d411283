"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.auth.models import Organization, User
from app.catalog.models import (
    Project,
    ProjectEvent,
    ProjectIndustry,
    ProjectPatent,
    ProjectRevision,
    ProjectTargetCity,
    ProjectTransferMode,
)
from app.db import Base
from app.geo.models import City, CityIndustryWeight, Industry, ReferenceSource
from app.leads.models import Lead, LeadEvent
from app.needs.models import Need, NeedIndustry, NeedTransferMode
from app.roadshows.models import (
    Invitation,
    Registration,
    Roadshow,
    RoadshowIndustry,
    RoadshowInterest,
    Slot,
)
from app.search.models import OutboxEntry

__all__ = [
    "Base",
    "City",
    "CityIndustryWeight",
    "Industry",
    "Invitation",
    "Lead",
    "LeadEvent",
    "Need",
    "NeedIndustry",
    "NeedTransferMode",
    "Organization",
    "OutboxEntry",
    "Project",
    "ProjectEvent",
    "ProjectIndustry",
    "ProjectPatent",
    "ProjectRevision",
    "ProjectTargetCity",
    "ProjectTransferMode",
    "ReferenceSource",
    "Registration",
    "Roadshow",
    "RoadshowIndustry",
    "RoadshowInterest",
    "Slot",
    "User",
]
