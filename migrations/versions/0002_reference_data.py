"""reference data: industry taxonomy, sources, cities and zones with their profiles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:30:00
"""

from collections.abc import Sequence

from alembic import op

from app.geo.reference import sync_reference_data

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    sync_reference_data(op.get_bind())


def downgrade() -> None:
    # The reference rows leave with their tables when 0001 is downgraded; deleting them here
    # would fail on any database whose projects still point at a city or an industry.
    pass
