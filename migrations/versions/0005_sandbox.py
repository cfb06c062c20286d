"""instance mode and sandbox outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 23:53:22.314759
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "instance",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sandbox_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "reminder_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("recipients", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sandbox_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_outbox_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_outbox_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table("sandbox_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_outbox_case_id"))
        batch_op.drop_index(batch_op.f("ix_sandbox_outbox_at"))

    op.drop_table("sandbox_outbox")
    op.drop_table("instance")
