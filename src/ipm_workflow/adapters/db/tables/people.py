"""Young people, their guardians, their special-category data (and its reads), the communes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, func, text
from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import (
    BigId,
    Reachable,
    big_id,
    big_ref,
    long_text,
    table_of,
    timestamp,
)


class PersonRow(Reachable, table=True):
    """A young person; one person can have several cases over the years."""

    __tablename__ = "people"

    id: int | None = big_id()
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date | None = None
    timezone: str = Field(default="Europe/Paris", max_length=64)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    pseudonymised_at: datetime | None = timestamp(nullable=True)
    merged_into_id: int | None = big_ref("people.id", nullable=True, index=False)
    # Who registered the person (an actor reference, never a name): they keep seeing them.
    registered_by: str | None = Field(default=None, max_length=64)
    # People (0007): consent per channel with its date and source; the profile at entry.
    consent_email_at: datetime | None = timestamp(nullable=True)
    consent_email_source: str | None = Field(default=None, max_length=100)
    consent_sms_at: datetime | None = timestamp(nullable=True)
    consent_sms_source: str | None = Field(default=None, max_length=100)
    gender: str | None = Field(default=None, max_length=16)
    commune_insee: str | None = Field(default=None, max_length=5)
    departement: str | None = Field(default=None, max_length=3)
    qpv: str = Field(default="unknown", max_length=8)
    rural: str = Field(default="unknown", max_length=8)
    education_level: str | None = Field(default=None, max_length=24)
    situation_at_entry: str | None = Field(default=None, max_length=32)
    imilo_id: str | None = Field(default=None, max_length=20)


# 0013_indexes: the search by name, measured with bench/scale.py.
Index("ix_people_lower_last_name", func.lower(table_of(PersonRow).c.last_name))
# 0021_lists: the name search by trigram on PostgreSQL (GIN, pg_trgm), a plain expression
# index on SQLite.
for _name, _column in (
    ("ix_people_first_name_trgm", table_of(PersonRow).c.first_name),
    ("ix_people_last_name_trgm", table_of(PersonRow).c.last_name),
):
    Index(
        _name,
        func.lower(_column).label(f"lower_{_column.name}"),
        postgresql_using="gin",
        postgresql_ops={f"lower_{_column.name}": "gin_trgm_ops"},
    )


class GuardianRow(Reachable, table=True):
    """A legal guardian of a young person (personal data of a minor)."""

    __tablename__ = "guardians"

    id: int | None = big_id()
    person_id: int = big_ref("people.id")
    name: str = Field(max_length=100)
    link: str = Field(max_length=16)
    parental_authority: bool = True
    consent_at: datetime | None = timestamp(nullable=True)
    consent_source: str | None = Field(default=None, max_length=100)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class PersonSensitiveRow(SQLModel, table=True):
    """Special-category data of a young person, apart: read only with the right, each read kept."""

    __tablename__ = "person_sensitive"

    person_id: int = Field(sa_type=BigId, foreign_key="people.id", primary_key=True)
    rqth: bool = False
    fewer_opportunities: bool = False
    fewer_opportunities_reason: str | None = Field(default=None, max_length=16)
    inclusion_support_amount: Decimal | None = Field(
        default=None, sa_type=Numeric(10, 2), nullable=True
    )
    inclusion_support_justification: str | None = long_text()
    health_needs: str | None = long_text()
    updated_at: datetime = timestamp()
    updated_by: str = Field(max_length=64)


class SensitiveReadRow(SQLModel, table=True):
    """One read of a person's sensitive data: who, in which role, when, on which case."""

    __tablename__ = "sensitive_reads"

    id: int | None = big_id()
    person_id: int = big_ref("people.id")
    case_id: int | None = big_ref(nullable=True, index=False)
    actor: str = Field(max_length=64)
    role: str = Field(max_length=20)
    at: datetime = timestamp(index=True)
    # Data protection (0016_privacy): the page or endpoint read from; a refused read is kept too.
    entry_point: str | None = Field(default=None, max_length=64)
    allowed: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})


class CommuneRow(SQLModel, table=True):
    """The communes reference an admin loads: INSEE code -> département, QPV, rural."""

    __tablename__ = "communes"

    insee_code: str = Field(primary_key=True, max_length=5)
    departement: str = Field(max_length=3)
    qpv: str = Field(default="unknown", max_length=8)
    rural: str = Field(default="unknown", max_length=8)
