"""Record changes to indexed entities in the outbox, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.search.models import OutboxEntity, OutboxEntry, OutboxOp

OUTBOX_DIRTY = "ketao.outbox_dirty"


def record_change(session: Session, entity: OutboxEntity, entity_id: int, op: OutboxOp) -> None:
    """Add the outbox row to the caller's transaction; the indexer is woken after commit."""
    session.add(OutboxEntry(entity=entity.value, entity_id=entity_id, op=op.value))
    session.info[OUTBOX_DIRTY] = True
