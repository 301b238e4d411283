"""Temporary: the two names app.demo still imports from here; both now live in catalog.records."""

from __future__ import annotations

from app.catalog.records import projects_by_external_id, upsert_project

__all__ = ["projects_by_external_id", "upsert_project"]
