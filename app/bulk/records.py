"""The import format: one record per project or need, checked field by field.

A record is the API's create body (``ProjectCreate``, ``NeedCreate``, owned by their domains)
plus its ``type`` and the ``status`` only an import may set.
"""

from __future__ import annotations

from typing import Literal

from app.catalog.models import ProjectStatus
from app.catalog.schemas import ProjectCreate
from app.needs.models import NeedStatus
from app.needs.schemas import NeedCreate


class ProjectRecord(ProjectCreate):
    type: Literal["project"]
    status: ProjectStatus | None = None


class NeedRecord(NeedCreate):
    type: Literal["need"]
    status: NeedStatus | None = None


LIST_FIELDS = frozenset({"keywords", "industries", "transfer_modes", "target_cities", "patents"})
