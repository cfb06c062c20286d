"""core: who registered a person, who created a cohort (visibility)

Revision ID: 0006_core
Revises: 0005
Create Date: 2026-11-30 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_core"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # A plain ADD COLUMN on both databases: no table rebuild on SQLite.
    op.add_column(
        "people",
        sa.Column("registered_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "cohorts",
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("created_by")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("registered_by")
