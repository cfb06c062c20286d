"""the audit by mission locale at a million: history entries carry their case's mission locale

Revision ID: 0025_history_ml
Revises: 0024_name_key
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_history_ml"
down_revision: str | None = "0024_name_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit search by mission locale, newest first: PostgreSQL walks this index backwards
# (`ORDER BY at DESC, id DESC`) and stops after a page, without joining the cases.
INDEX = ("ix_history_ml_at", ["mission_locale_id", "at", "id"])


# The history's indexes that back no constraint (its primary key and `(case_id, seq)` stay).
SECONDARY = sa.text(
    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid "
    "WHERE x.indrelid = 'history_entries'::regclass "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
)


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("history_entries", sa.Column("mission_locale_id", sa.String(64), nullable=True))
    # Back-fill from the cases: a copy of the case's *current* mission locale, outside the hash
    # chain (kept in step from now on by the history's append and the case repository's update).
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _back_fill_postgresql(bind)
    else:
        op.execute(
            "UPDATE history_entries SET mission_locale_id = "
            "(SELECT mission_locale_id FROM cases WHERE cases.id = history_entries.case_id)"
        )
    op.create_index(INDEX[0], "history_entries", INDEX[1])


def _back_fill_postgresql(bind: sa.Connection) -> None:
    """One `UPDATE … FROM cases`, the history's secondary indexes dropped around it.

    The UPDATE writes every history row again (a new row version each: the table takes about
    twice its size until VACUUM reclaims the old ones). Maintaining six secondary indexes row
    by row made it 2.4 to 5 times slower than dropping them and building each again in one
    sorted pass from its saved definition: 246 s against 104 s and 45 s at 2 million rows
    (bench/scale_fill.py's data, 100,000 cases, the new index built in both, load 4–7 on two
    cores); roughly ten times that at 20 million. Meanwhile the history is locked against reads
    too (DROP INDEX): like every revision, `ipm-workflow db upgrade` runs it while the service
    is stopped (the service refuses a database with a revision pending).
    """
    secondary = bind.execute(SECONDARY).all()
    for name, _definition in secondary:
        op.execute(f'DROP INDEX "{name}"')
    op.execute(
        "UPDATE history_entries SET mission_locale_id = cases.mission_locale_id "
        "FROM cases WHERE cases.id = history_entries.case_id"
    )
    for _name, definition in secondary:
        op.execute(definition)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(INDEX[0], table_name="history_entries")
    with op.batch_alter_table("history_entries") as batch:
        batch.drop_column("mission_locale_id")
