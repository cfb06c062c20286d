"""portal: the young person's own pages (single-use sign-in links, portal sessions)

Revision ID: 0018_portal
Revises: 0016_privacy
Create Date: 2026-12-01 00:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018_portal"
down_revision: str | None = "0016_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _table(name: str, extra: list[sa.Column]) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("guardian_id", BigId, nullable=True),
        *extra,
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{name}_person_id", name, ["person_id"])
    op.create_index(f"ix_{name}_expires_at", name, ["expires_at"])


def upgrade() -> None:
    """Apply this revision."""
    _table(
        "portal_links",
        [
            sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        ],
    )
    _table(
        "portal_sessions",
        [sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)],
    )


def downgrade() -> None:
    """Revert this revision."""
    for name in ("portal_sessions", "portal_links"):
        op.drop_index(f"ix_{name}_expires_at", table_name=name)
        op.drop_index(f"ix_{name}_person_id", table_name=name)
        op.drop_table(name)
