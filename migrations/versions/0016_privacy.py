"""privacy: consent records, erasure requests, exports, messages sent, audited refused reads

Revision ID: 0016_privacy
Revises: 0014_reports
Create Date: 2026-12-01 00:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016_privacy"
down_revision: str | None = "0014_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("sensitive_reads", sa.Column("entry_point", _S(length=64), nullable=True))
    op.add_column(
        "sensitive_reads",
        sa.Column("allowed", sa.Boolean(), nullable=False, server_default=sa.text("true")),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("purpose", _S(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("method", _S(length=100), nullable=False),
        sa.Column("given_by", _S(length=16), nullable=False),
        sa.Column("guardian_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite")),
        sa.Column("recorded_by", _S(length=64), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consents_person_id", "consents", ["person_id"])
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("requester", _S(length=16), nullable=False),
        sa.Column("decision", _S(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", _S(length=64), nullable=True),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("carried_out_at", _TS, nullable=True),
        sa.Column("recorded_by", _S(length=64), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_erasure_requests_person_id", "erasure_requests", ["person_id"])
    op.create_table(
        "data_exports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("actor", _S(length=64), nullable=False),
        sa.Column("role", _S(length=20), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("format", _S(length=8), nullable=False),
        sa.Column("entry_point", _S(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_exports_person_id", "data_exports", ["person_id"])
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "reminder_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient", _S(length=32), nullable=False),
        sa.Column("addressee", _S(length=200), nullable=True),
        sa.Column("channel", _S(length=8), nullable=False),
        sa.Column("recipients", _S(length=1000), nullable=False),
        sa.Column("subject", _S(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", _S(length=2), nullable=False),
        sa.Column("message_id", _S(length=200), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sent_messages_reminder_id", "sent_messages", ["reminder_id"])
    op.create_index("ix_sent_messages_case_id", "sent_messages", ["case_id"])


def downgrade() -> None:
    """Revert this revision."""
    for name, columns in (
        ("sent_messages", ("case_id", "reminder_id")),
        ("data_exports", ("person_id",)),
        ("erasure_requests", ("person_id",)),
        ("consents", ("person_id",)),
    ):
        for column in columns:
            op.drop_index(f"ix_{name}_{column}", table_name=name)
        op.drop_table(name)
    with op.batch_alter_table("sensitive_reads") as batch:
        batch.drop_column("allowed")
        batch.drop_column("entry_point")
