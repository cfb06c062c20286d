"""case lists at a million: the name search's cases read from one index by young person

Revision ID: 0023_lists_1m
Revises: 0022_report_snapshots
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_lists_1m"
down_revision: str | None = "0022_report_snapshots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name search finds the young people first (trigram indexes, 0021), then their cases in a
# few missions locales: with the mission locale, deadline and id beside the person in one
# index, PostgreSQL filters and orders the candidates without reading a case row per person
# (measured with bench/scale.py, README "A million cases, measured", branch lists1m).
INDEX = ("ix_cases_person_ml_due", ["person_id", "mission_locale_id", "due_at", "id"])


def upgrade() -> None:
    """Apply this revision."""
    op.create_index(INDEX[0], "cases", INDEX[1])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(INDEX[0], table_name="cases")
