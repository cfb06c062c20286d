"""report snapshots: the dashboards' default views computed ahead by the worker (issue 16)

Revision ID: 0022_report_snapshots
Revises: 0021_lists
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022_report_snapshots"
down_revision: str | None = "0021_lists"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_snapshots",
        sa.Column("report", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "rows",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("report", "period", "scope"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("report_snapshots")
