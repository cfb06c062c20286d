"""clocks: time limits that pause (a stored deadline per case), suspension with a reason

Revision ID: 0009_clocks
Revises: 0008_attribution
Create Date: 2026-11-30 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_clocks"
down_revision: str | None = "0008_attribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Plain ADD COLUMNs on both databases: no table rebuild on SQLite. Existing cases start
    # their clock where they entered their state; `due_at` is set as they next move (or by
    # `ipm-workflow cases clocks`), since the time limits live in the workflow files.
    op.add_column(
        "cases",
        sa.Column("clock_state", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column("cases", sa.Column("clock_started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "cases",
        sa.Column("clock_paused_seconds", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "cases", sa.Column("clock_paused_since", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("cases", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("suspension_reason", sa.Text(), nullable=True))
    op.create_index(op.f("ix_cases_due_at"), "cases", ["due_at"], unique=False)
    # Whom a sent message reached, named: the reminder list says it for in-app messages too.
    op.add_column(
        "reminders",
        sa.Column("addressee", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column(
        "sandbox_outbox",
        sa.Column("addressee", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.execute(
        "UPDATE cases SET clock_state = state, clock_started_at = state_entered_at "
        "WHERE closed_at IS NULL"
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("sandbox_outbox") as batch:
        batch.drop_column("addressee")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("addressee")
    op.drop_index(op.f("ix_cases_due_at"), table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for column in (
            "suspension_reason",
            "suspended_at",
            "due_at",
            "clock_paused_since",
            "clock_paused_seconds",
            "clock_started_at",
            "clock_state",
        ):
            batch.drop_column(column)
