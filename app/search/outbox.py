"""Record changes to indexed entities in the outbox, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.search.models import OutboxEntity, OutboxEntry, OutboxOp


def record_change(session: Session, entity: OutboxEntity, entity_id: int, op: OutboxOp) -> None:
    session.add(OutboxEntry(entity=entity.value, entity_id=entity_id, op=op.value))


def pending_count(session: Session) -> int:
    stmt = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.processed_at.is_(None))
    return session.scalar(stmt) or 0
