"""SQLModel tables: the schema of the embedded SQLite and of PostgreSQL alike."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# SQLite only autoincrements INTEGER PRIMARY KEY, so BIGINT keys fall back to it there.
BigId = BigInteger().with_variant(Integer, "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


class MissionLocaleRow(SQLModel, table=True):
    """A mission locale that refers young people."""

    __tablename__ = "mission_locales"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    departement: str | None = Field(default=None, max_length=3)
    contact_email: str | None = Field(default=None, max_length=254)


class UserRow(SQLModel, table=True):
    """Someone who acts on cases: advisor, supervisor or admin."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    active: bool = True
    email: str | None = Field(default=None, max_length=254)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    created_at: datetime = _ts()


class UserMissionLocaleRow(SQLModel, table=True):
    """Which missions locales a user works for (an advisor sees only these cases)."""

    __tablename__ = "user_mission_locales"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    mission_locale_id: str = Field(foreign_key="mission_locales.id", primary_key=True)


class PersonRow(SQLModel, table=True):
    """A young person; one person can have several cases over the years."""

    __tablename__ = "people"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date | None = None
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="fr", max_length=2)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    preferred_channel: str = Field(default="email", max_length=8)
    consent_email: bool = True
    consent_sms: bool = False
    guardian_email: str | None = Field(default=None, max_length=254)
    guardian_phone: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    pseudonymised_at: datetime | None = _ts(nullable=True)
    merged_into_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("people.id"), nullable=True)
    )
    # Who registered the person (an actor reference, never a name): they keep seeing them.
    registered_by: str | None = Field(default=None, max_length=64)


class CohortRow(SQLModel, table=True):
    """A group of cases leaving together (a group mobility)."""

    __tablename__ = "cohorts"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=200)
    workflow: str = Field(max_length=64)
    planned_start: date | None = None
    planned_end: date | None = None
    created_at: datetime = _ts()
    created_by: str | None = Field(default=None, max_length=64)  # an actor reference


class CaseRow(SQLModel, table=True):
    """A journey of one young person on one workflow version."""

    __tablename__ = "cases"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    workflow: str = Field(max_length=64, index=True)
    workflow_version: int
    state: str = Field(max_length=64, index=True)
    previous_state: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(Json, nullable=False))
    documents: dict[str, Any] = Field(default_factory=dict, sa_column=Column(Json, nullable=False))
    mission_locale_id: str = Field(foreign_key="mission_locales.id", index=True, max_length=64)
    advisor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    version: int = 0
    opened_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()
    state_entered_at: datetime = _ts()
    closed_at: datetime | None = _ts(nullable=True)
    history_seq: int = 0
    history_head: str = Field(max_length=64)
    cohort_id: int | None = Field(default=None, foreign_key="cohorts.id", index=True)


class HistoryRow(SQLModel, table=True):
    """An append-only, hash-chained record of what happened to a case."""

    __tablename__ = "history_entries"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_history_case_seq"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    case_id: int = Field(
        sa_column=Column(BigId, ForeignKey("cases.id"), nullable=False, index=True)
    )
    seq: int
    at: datetime = _ts(index=True)
    actor: str = Field(max_length=64, index=True)
    role: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    trigger: str | None = Field(default=None, max_length=64, index=True)
    from_state: str | None = Field(default=None, max_length=64)
    to_state: str | None = Field(default=None, max_length=64)
    workflow: str = Field(max_length=64)
    workflow_version: int
    request_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(Json, nullable=False))
    payload_salt: str | None = Field(default=None, max_length=32)
    payload_digest: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ApiTokenRow(SQLModel, table=True):
    """A bearer token, stored only as its SHA-256; expiring and revocable."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)
    last_used_at: datetime | None = _ts(nullable=True)


class IdempotencyRow(SQLModel, table=True):
    """The first answer to a request sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_keys"

    actor: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(Json, nullable=False))
    created_at: datetime = _ts(index=True)


class ReminderRow(SQLModel, table=True):
    """One planned message, escalation or timeout of a case, and its delivery state."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "case_id",
            "rule_id",
            "anchor_at",
            "kind",
            "occurrence",
            "recipient",
            name="uq_reminder_occurrence",
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    case_id: int = Field(
        sa_column=Column(BigId, ForeignKey("cases.id"), nullable=False, index=True)
    )
    rule_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    occurrence: int = 0
    recipient: str = Field(max_length=32)
    template: str | None = Field(default=None, max_length=100)
    trigger: str | None = Field(default=None, max_length=64)
    anchor_at: datetime = _ts()
    due_at: datetime = _ts()
    next_attempt_at: datetime = _ts(index=True)
    status: str = Field(max_length=16, index=True)
    attempts: int = 0
    channel: str | None = Field(default=None, max_length=8)
    message_id: str | None = Field(default=None, max_length=200)
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _ts(nullable=True)
    sent_at: datetime | None = _ts(nullable=True)
    acknowledged_at: datetime | None = _ts(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, max_length=500)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ReminderAttemptRow(SQLModel, table=True):
    """One delivery attempt of a reminder, kept for the record."""

    __tablename__ = "reminder_attempts"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    reminder_id: int = Field(
        sa_column=Column(BigId, ForeignKey("reminders.id"), nullable=False, index=True)
    )
    attempt: int
    at: datetime = _ts()
    worker: str = Field(max_length=64)
    channel: str | None = Field(default=None, max_length=8)
    result: str = Field(max_length=16)
    detail: str | None = Field(default=None, max_length=500)


class InstanceRow(SQLModel, table=True):
    """Facts about this database: whether it is a production or a training sandbox one."""

    __tablename__ = "instance"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=500)


class SandboxOutboxRow(SQLModel, table=True):
    """A message a training sandbox captured instead of sending."""

    __tablename__ = "sandbox_outbox"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    reminder_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    case_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True, index=True))
    channel: str = Field(max_length=8)
    recipients: str = Field(max_length=1000)
    subject: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str = Field(max_length=200)
    at: datetime = _ts(index=True)


# --------------------------------------------------------------------------- scale (0013_indexes)
# Indexes of the pages' lists and the audit search, measured with bench/scale.py.
_cases, _people = CaseRow.__table__, PersonRow.__table__  # type: ignore[attr-defined]
_history = HistoryRow.__table__  # type: ignore[attr-defined]
Index(
    "ix_cases_ml_workflow_state",
    _cases.c.mission_locale_id,
    _cases.c.workflow,
    _cases.c.state,
    _cases.c.state_entered_at,
)
Index("ix_cases_ml_updated_at", _cases.c.mission_locale_id, _cases.c.updated_at)
Index(
    "ix_cases_unassigned",
    _cases.c.mission_locale_id,
    _cases.c.opened_at,
    sqlite_where=text("advisor_id IS NULL"),
    postgresql_where=text("advisor_id IS NULL"),
)
Index("ix_people_lower_last_name", func.lower(_people.c.last_name))
Index("ix_history_actor_at", _history.c.actor, _history.c.at)
