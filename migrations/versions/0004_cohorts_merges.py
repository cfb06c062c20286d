"""cohorts and merged people

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 23:45:45.215480
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("workflow", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_foreign_key("fk_cases_cohort_id", "cohorts", ["cohort_id"], ["id"])

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "merged_into_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            "fk_people_merged_into_id", "people", ["merged_into_id"], ["id"]
        )


def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint("fk_people_merged_into_id", type_="foreignkey")
        batch_op.drop_column("merged_into_id")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cases_cohort_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_cohort_id"))
        batch_op.drop_column("cohort_id")

    op.drop_table("cohorts")
