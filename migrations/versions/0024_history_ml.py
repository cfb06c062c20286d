"""the audit by mission locale at a million: history entries carry their case's mission locale

Revision ID: 0024_history_ml
Revises: 0023_lists_1m
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_history_ml"
down_revision: str | None = "0023_lists_1m"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit search by mission locale, newest first: PostgreSQL walks this index backwards
# (`ORDER BY at DESC, id DESC`) and stops after a page, without joining the cases.
INDEX = ("ix_history_ml_at", ["mission_locale_id", "at", "id"])


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("history_entries", sa.Column("mission_locale_id", sa.String(64), nullable=True))
    # Back-fill from the cases: a copy of the case's *current* mission locale, outside the hash
    # chain (kept in step from now on by the history's append and the case repository's update).
    # One set-based UPDATE: on PostgreSQL a hash join of the cases with the history, every
    # history row written again (a new row version each: the table and its indexes grow to
    # about twice their size until VACUUM reclaims the old versions), the index built after,
    # in one pass. Minutes at 20 million rows; the table stays locked against writes meanwhile.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE history_entries SET mission_locale_id = cases.mission_locale_id "
            "FROM cases WHERE cases.id = history_entries.case_id"
        )
    else:
        op.execute(
            "UPDATE history_entries SET mission_locale_id = "
            "(SELECT mission_locale_id FROM cases WHERE cases.id = history_entries.case_id)"
        )
    op.create_index(INDEX[0], "history_entries", INDEX[1])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(INDEX[0], table_name="history_entries")
    with op.batch_alter_table("history_entries") as batch:
        batch.drop_column("mission_locale_id")
