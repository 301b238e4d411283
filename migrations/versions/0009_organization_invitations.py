"""organisation names need not be unique; invitations to join an organisation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _organizations(*, unique_name: bool) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("city_code", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("kind IN ('enterprise', 'research', 'government', 'secretariat')",
                           name=op.f("ck_organizations_kind")),
        sa.ForeignKeyConstraint(["city_code"], ["cities.code"],
                                name=op.f("fk_organizations_city_code_cities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        *([sa.UniqueConstraint("name", name=op.f("uq_organizations_name"))] if unique_name else []),
    ]  # fmt: skip


def _rebuild_organizations_on_sqlite(*, unique_name: bool) -> None:
    """SQLite cannot drop a table's UNIQUE clause: the table is copied (by SQLite's own
    procedure; ``app.dbmigrate.migrating`` turns foreign keys off around it and checks them
    after)."""
    op.create_table("_organizations_new", *_organizations(unique_name=unique_name))
    op.execute(
        "INSERT INTO _organizations_new (id, name, kind, city_code, created_at, updated_at) "
        "SELECT id, name, kind, city_code, created_at, updated_at FROM organizations"
    )
    op.drop_table("organizations")
    op.rename_table("_organizations_new", "organizations")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_organizations_on_sqlite(unique_name=False)
    else:
        op.drop_constraint("uq_organizations_name", "organizations", type_="unique")
    op.create_index(op.f("ix_organizations_name"), "organizations", ["name"], unique=False)

    op.create_table(
        "organization_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('enterprise', 'researcher', 'secretariat')",
            name=op.f("ck_organization_invitations_role"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_organization_invitations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_invitations_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["users.id"],
            name=op.f("fk_organization_invitations_used_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_organization_invitations_token_hash")),
    )
    with op.batch_alter_table("organization_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_invitations_organization_id"),
            ["organization_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("organization_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_invitations_organization_id"))
    op.drop_table("organization_invitations")
    # Names made equal since the upgrade cannot be unique again: number the later ones.
    op.execute(
        "UPDATE organizations SET name = name || ' (' || id || ')' WHERE EXISTS (SELECT 1 "
        "FROM organizations AS o WHERE o.name = organizations.name AND o.id < organizations.id)"
    )
    op.drop_index(op.f("ix_organizations_name"), table_name="organizations")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_organizations_on_sqlite(unique_name=True)
    else:
        op.create_unique_constraint("uq_organizations_name", "organizations", ["name"])
