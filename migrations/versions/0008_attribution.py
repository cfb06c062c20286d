"""attribution: referring mission locale, ML contact, moves between MLs, deactivated users

Revision ID: 0008_attribution
Revises: 0007_people
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_attribution"
down_revision: str | None = "0007_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    # Plain ADD COLUMNs on both databases: no table rebuild on SQLite.
    op.add_column(
        "cases",
        sa.Column(
            "referring_mission_locale_id",
            sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=True,
        ),
    )
    op.add_column(
        "cases",
        sa.Column("ml_contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column(
        "cases",
        sa.Column("ml_contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    )
    op.create_index(
        "ix_cases_referring_mission_locale_id", "cases", ["referring_mission_locale_id"]
    )
    # Existing cases were referred by the mission locale they are at (nothing moved them yet).
    op.execute("UPDATE cases SET referring_mission_locale_id = mission_locale_id")
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "mission_locale_moves",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column(
            "from_mission_locale_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column(
            "to_mission_locale_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mission_locale_moves_case_id", "mission_locale_moves", ["case_id"])
    op.create_index(
        "ix_mission_locale_moves_to_mission_locale_id",
        "mission_locale_moves",
        ["to_mission_locale_id"],
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_mission_locale_moves_to_mission_locale_id", "mission_locale_moves")
    op.drop_index("ix_mission_locale_moves_case_id", "mission_locale_moves")
    op.drop_table("mission_locale_moves")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deactivated_at")
    op.drop_index("ix_cases_referring_mission_locale_id", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("ml_contact_email")
        batch.drop_column("ml_contact_name")
        batch.drop_column("referring_mission_locale_id")
