"""case lists at a million: per mission locale by last change, deadline or id; names by trigram

Revision ID: 0021_lists
Revises: 0020_scale
Create Date: 2026-12-01 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_lists"
down_revision: str | None = "0020_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, columns) on cases: measured with bench/scale.py (README, "A million cases").
INDEXES = (
    # A mission locale's cases by last change (the supervisor's list), with the id: the walk of
    # each mission locale reads the index alone (replaces 0013's index without the id).
    ("ix_cases_ml_updated_id", ["mission_locale_id", "updated_at", "id"]),
    # A mission locale's cases by deadline (the My cases page's order, the overdue filter):
    # PostgreSQL walks it in order and stops after a page.
    ("ix_cases_ml_due", ["mission_locale_id", "due_at", "id"]),
    # A mission locale's cases by id (the API's default order), one walk per mission locale.
    ("ix_cases_ml_id", ["mission_locale_id", "id"]),
)
# The name search ("contains", any case): trigram indexes on PostgreSQL (pg_trgm, a trusted
# extension the database's owner may create); plain expression indexes on SQLite.
NAMES = (("ix_people_first_name_trgm", "first_name"), ("ix_people_last_name_trgm", "last_name"))


REPLACED = ("ix_cases_ml_updated_at", ["mission_locale_id", "updated_at"])


def upgrade() -> None:
    """Apply this revision."""
    for name, columns in INDEXES:
        op.create_index(name, "cases", columns)
    op.drop_index(REPLACED[0], table_name="cases")
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in NAMES:
        op.create_index(
            name,
            "people",
            [sa.text(f"lower({column})")],
            postgresql_using="gin",
            postgresql_ops={f"lower({column})": "gin_trgm_ops"} if postgres else {},
        )


def downgrade() -> None:
    """Revert this revision."""
    for name, _column in reversed(NAMES):
        op.drop_index(name, table_name="people")
    op.create_index(REPLACED[0], "cases", REPLACED[1])
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
