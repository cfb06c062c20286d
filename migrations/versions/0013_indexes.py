"""indexes for the pages' lists, the agenda and the audit search at a million cases

Revision ID: 0013_indexes
Revises: 0012_web
Create Date: 2026-11-30 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_indexes"
down_revision: str | None = "0012_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNASSIGNED = sa.text("advisor_id IS NULL")
# (name, table, columns): measured with bench/scale.py (README, "A million cases").
INDEXES = (
    # One mission locale's cases of a workflow in a state; its overdue ones (entered before).
    ("ix_cases_ml_workflow_state", "cases",
     ["mission_locale_id", "workflow", "state", "state_entered_at"]),
    # A mission locale's cases by last change (the supervisor's list).
    ("ix_cases_ml_updated_at", "cases", ["mission_locale_id", "updated_at"]),
    # Who did what lately (the audit search by actor, newest first).
    ("ix_history_actor_at", "history_entries", ["actor", "at"]),
)  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # The cases waiting for an advisor, by opening: a partial index stays small.
    op.create_index(
        "ix_cases_unassigned",
        "cases",
        ["mission_locale_id", "opened_at"],
        sqlite_where=UNASSIGNED,
        postgresql_where=UNASSIGNED,
    )
    # The name search: prefix ranges on the lower-cased surname (both databases).
    op.create_index("ix_people_lower_last_name", "people", [sa.text("lower(last_name)")])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_people_lower_last_name", table_name="people")
    op.drop_index("ix_cases_unassigned", table_name="cases")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
