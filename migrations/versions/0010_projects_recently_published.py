"""index for the projects published last

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The site's home page and sitemap read the newest published projects: with this index
    # that is a walk down one index, not a sort of every published project.
    op.create_index(
        "ix_projects_status_published_at", "projects", ["status", "published_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_projects_status_published_at", table_name="projects")
