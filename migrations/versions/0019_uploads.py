"""uploads: documents sent by the young person or a guardian, the files kept outside the database

Revision ID: 0019_uploads
Revises: 0018_portal
Create Date: 2026-12-01 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_uploads"
down_revision: str | None = "0018_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "uploads",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("document", _text(64), nullable=False),
        sa.Column("media_type", _text(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("storage_key", _text(128), nullable=True),
        sa.Column("uploaded_by", _text(64), nullable=False),
        sa.Column("uploaded_role", _text(32), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scan", _text(16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("decided_by", _text(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_uploads_case_id", "uploads", ["case_id"])
    op.create_index("ix_uploads_person_id", "uploads", ["person_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_uploads_person_id", table_name="uploads")
    op.drop_index("ix_uploads_case_id", table_name="uploads")
    op.drop_table("uploads")
