"""people: guardians, consent dates and sources, profile at entry, sensitive data apart

Revision ID: 0007_people
Revises: 0006_core
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_people"
down_revision: str | None = "0006_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _people_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("consent_email_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_email_source", _text(100), nullable=True),
        sa.Column("consent_sms_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_sms_source", _text(100), nullable=True),
        sa.Column("gender", _text(16), nullable=True),
        sa.Column("commune_insee", _text(5), nullable=True),
        sa.Column("departement", _text(3), nullable=True),
        sa.Column("qpv", _text(8), nullable=False, server_default="unknown"),
        sa.Column("rural", _text(8), nullable=False, server_default="unknown"),
        sa.Column("education_level", _text(24), nullable=True),
        sa.Column("situation_at_entry", _text(32), nullable=True),
        sa.Column("imilo_id", _text(20), nullable=True),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "guardians",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("name", _text(100), nullable=False),
        sa.Column("link", _text(16), nullable=False),
        sa.Column("parental_authority", sa.Boolean(), nullable=False),
        sa.Column("email", _text(254), nullable=True),
        sa.Column("phone", _text(32), nullable=True),
        sa.Column("language", _text(2), nullable=False),
        sa.Column("preferred_channel", _text(8), nullable=False),
        sa.Column("consent_email", sa.Boolean(), nullable=False),
        sa.Column("consent_sms", sa.Boolean(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_source", _text(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_guardians_person_id"), "guardians", ["person_id"], unique=False)
    op.create_table(
        "person_sensitive",
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("rqth", sa.Boolean(), nullable=False),
        sa.Column("fewer_opportunities", sa.Boolean(), nullable=False),
        sa.Column("fewer_opportunities_reason", _text(16), nullable=True),
        sa.Column("inclusion_support_amount", sa.Numeric(10, 2), nullable=True),
        sa.Column("inclusion_support_justification", sa.Text(), nullable=True),
        sa.Column("health_needs", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", _text(64), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "sensitive_reads",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("actor", _text(64), nullable=False),
        sa.Column("role", _text(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sensitive_reads_at"), "sensitive_reads", ["at"], unique=False)
    op.create_index(
        op.f("ix_sensitive_reads_person_id"), "sensitive_reads", ["person_id"], unique=False
    )
    op.create_table(
        "communes",
        sa.Column("insee_code", _text(5), nullable=False),
        sa.Column("departement", _text(3), nullable=False),
        sa.Column("qpv", _text(8), nullable=False),
        sa.Column("rural", _text(8), nullable=False),
        sa.PrimaryKeyConstraint("insee_code"),
    )
    for column in _people_columns():
        op.add_column("people", column)
    # The single guardian contact of before becomes a guardian record, then its columns go.
    op.execute(
        "INSERT INTO guardians (person_id, name, link, parental_authority, email, phone, "
        "language, preferred_channel, consent_email, consent_sms, created_at, updated_at) "
        "SELECT id, 'Représentant légal', 'legal_guardian', TRUE, guardian_email, "
        "guardian_phone, language, CASE WHEN guardian_email IS NULL THEN 'sms' ELSE 'email' END, "
        "TRUE, consent_sms, updated_at, updated_at FROM people "
        "WHERE guardian_email IS NOT NULL OR guardian_phone IS NOT NULL"
    )
    with op.batch_alter_table("people") as batch:
        batch.drop_column("guardian_phone")
        batch.drop_column("guardian_email")
    # Defaults belong to the models, not the database (as everywhere else in the schema).
    with op.batch_alter_table("people") as batch:
        batch.alter_column("qpv", server_default=None)
        batch.alter_column("rural", server_default=None)


def downgrade() -> None:
    """Revert this revision (guardians beyond one e-mail and phone per person are lost)."""
    op.add_column("people", sa.Column("guardian_email", _text(254), nullable=True))
    op.add_column("people", sa.Column("guardian_phone", _text(32), nullable=True))
    op.execute(
        "UPDATE people SET guardian_email = (SELECT MIN(g.email) FROM guardians g "
        "WHERE g.person_id = people.id), guardian_phone = (SELECT MIN(g.phone) FROM guardians g "
        "WHERE g.person_id = people.id)"
    )
    with op.batch_alter_table("people") as batch:
        for column in reversed(_people_columns()):
            batch.drop_column(column.name)
    op.drop_table("communes")
    op.drop_index(op.f("ix_sensitive_reads_person_id"), table_name="sensitive_reads")
    op.drop_index(op.f("ix_sensitive_reads_at"), table_name="sensitive_reads")
    op.drop_table("sensitive_reads")
    op.drop_table("person_sensitive")
    op.drop_index(op.f("ix_guardians_person_id"), table_name="guardians")
    op.drop_table("guardians")
