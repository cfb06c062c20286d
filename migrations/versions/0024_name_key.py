"""the name search's key on cases: the young person's names, searched with the mission locale

Revision ID: 0024_name_key
Revises: 0023_lists_1m
Create Date: 2026-12-01 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_name_key"
down_revision: str | None = "0023_lists_1m"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `cases.name_key` = lower(first name) U+001F lower(last name) of the case's young person (the
# rule and its upkeep: adapters/db/name_keys.py). On PostgreSQL one GIN index holds the mission
# locale (btree_gin) and the key's trigrams (pg_trgm), both trusted extensions the database's
# owner may create: the search intersects place and text in the index before reading a row
# (measured with bench/scale.py, README "A million cases, measured", branch namesearch).
INDEX = "ix_cases_ml_name_key"
BACKFILL = (
    "UPDATE cases SET name_key = ("
    "SELECT lower(people.first_name) || chr(31) || lower(people.last_name) "
    "FROM people WHERE people.id = cases.person_id)"
)


def upgrade() -> None:
    """Apply this revision."""
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("name_key", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
    # SQLite spells chr() char(); one set-based statement either way.
    op.execute(BACKFILL if postgres else BACKFILL.replace("chr(31)", "char(31)"))
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.create_index(
        INDEX,
        "cases",
        ["mission_locale_id", "name_key"],
        postgresql_using="gin",
        postgresql_ops={"name_key": "gin_trgm_ops"} if postgres else {},
    )


def downgrade() -> None:
    """Revert this revision (pg_trgm stays: 0021_lists uses it)."""
    op.drop_index(INDEX, table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS btree_gin")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("name_key")
