"""reports: targets per year and funder, reference populations, history by state entered

Revision ID: 0014_reports
Revises: 0013_indexes
Create Date: 2026-12-01 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_reports"
down_revision: str | None = "0013_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_targets",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("funder", sa.String(length=100), nullable=False),
        sa.Column("indicator", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", "funder", "indicator"),
    )
    op.create_table(
        "reference_populations",
        sa.Column("mission_locale_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mission_locale_id", "year"),
    )
    # The reports find the cases that entered a state in a period.
    op.create_index("ix_history_to_state_at", "history_entries", ["to_state", "at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_history_to_state_at", table_name="history_entries")
    op.drop_table("reference_populations")
    op.drop_table("report_targets")
