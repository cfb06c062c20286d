"""the agenda at scale: reminders carry their case's mission locale, indexed

Revision ID: 0020_scale
Revises: 0019_uploads
Create Date: 2026-12-01 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_scale"
down_revision: str | None = "0019_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_reminders_ml_status_due"


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("reminders", sa.Column("mission_locale_id", sa.String(64), nullable=True))
    # Back-fill from the cases (kept in step from now on by the case repository's update).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE reminders SET mission_locale_id = cases.mission_locale_id "
            "FROM cases WHERE cases.id = reminders.case_id"
        )
    else:
        op.execute(
            "UPDATE reminders SET mission_locale_id = "
            "(SELECT mission_locale_id FROM cases WHERE cases.id = reminders.case_id)"
        )
    # The agenda: a few missions locales' active reminders by due time, without the cases.
    op.create_index(INDEX, "reminders", ["mission_locale_id", "status", "due_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(INDEX, table_name="reminders")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("mission_locale_id")
