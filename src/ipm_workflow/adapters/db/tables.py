"""SQLModel tables: the schema of the embedded SQLite and of PostgreSQL alike."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
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
    # Staff who leave (issue 11): when the account was switched off (its tokens revoked then).
    deactivated_at: datetime | None = _ts(nullable=True)

    # Staff sign-in on the web pages (argon2; None: no password set) and the pages' language.
    password_hash: str | None = Field(default=None, max_length=200)
    language: str = Field(
        default="fr", sa_column=Column(String(2), nullable=False, server_default="fr")
    )


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
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    pseudonymised_at: datetime | None = _ts(nullable=True)
    merged_into_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("people.id"), nullable=True)
    )
    # Who registered the person (an actor reference, never a name): they keep seeing them.
    registered_by: str | None = Field(default=None, max_length=64)
    # People (0007): consent per channel with its date and source; the profile at entry.
    consent_email_at: datetime | None = _ts(nullable=True)
    consent_email_source: str | None = Field(default=None, max_length=100)
    consent_sms_at: datetime | None = _ts(nullable=True)
    consent_sms_source: str | None = Field(default=None, max_length=100)
    gender: str | None = Field(default=None, max_length=16)
    commune_insee: str | None = Field(default=None, max_length=5)
    departement: str | None = Field(default=None, max_length=3)
    qpv: str = Field(default="unknown", max_length=8)
    rural: str = Field(default="unknown", max_length=8)
    education_level: str | None = Field(default=None, max_length=24)
    situation_at_entry: str | None = Field(default=None, max_length=32)
    imilo_id: str | None = Field(default=None, max_length=20)


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
    # Clocks that pause (domain/clocks.py): the overdue filter reads `due_at < now`.
    clock_state: str | None = Field(default=None, max_length=64)
    clock_started_at: datetime | None = _ts(nullable=True)
    clock_paused_seconds: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    clock_paused_since: datetime | None = _ts(nullable=True)
    due_at: datetime | None = _ts(nullable=True, index=True)
    suspended_at: datetime | None = _ts(nullable=True)
    suspension_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Attribution (issue 11): `mission_locale_id` is the current mission locale (it sees the
    # case and counts its outcomes); the referring one keeps the referral. The mission locale's
    # own advisor is a contact on the case (personal data: never in history payloads).
    referring_mission_locale_id: str | None = Field(default=None, index=True, max_length=64)
    ml_contact_name: str | None = Field(default=None, max_length=200)
    ml_contact_email: str | None = Field(default=None, max_length=254)


class MissionLocaleMoveRow(SQLModel, table=True):
    """A case moving from one mission locale to another: from, to, date and reason."""

    __tablename__ = "mission_locale_moves"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    case_id: int = Field(
        sa_column=Column(BigId, ForeignKey("cases.id"), nullable=False, index=True)
    )
    from_mission_locale_id: str = Field(max_length=64)
    to_mission_locale_id: str = Field(max_length=64, index=True)
    moved_on: date
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = _ts()
    actor: str = Field(max_length=64)


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
    # Whom the message reached, named (in-app included); see services/routing.py.
    addressee: str | None = Field(default=None, max_length=200)
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _ts(nullable=True)
    sent_at: datetime | None = _ts(nullable=True)
    acknowledged_at: datetime | None = _ts(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, max_length=500)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # The case's current mission locale (0020_scale), for the agenda without the cases table;
    # written with the reminder, kept in step by the case repository when the case moves.
    mission_locale_id: str | None = Field(default=None, max_length=64)


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
    # Whom it was for, named: an in-app message has no address but always a recipient.
    addressee: str | None = Field(default=None, max_length=200)
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
Index(
    "ix_cases_unassigned",
    _cases.c.mission_locale_id,
    _cases.c.opened_at,
    sqlite_where=text("advisor_id IS NULL"),
    postgresql_where=text("advisor_id IS NULL"),
)
Index("ix_people_lower_last_name", func.lower(_people.c.last_name))
Index("ix_history_actor_at", _history.c.actor, _history.c.at)
_reminders = ReminderRow.__table__  # type: ignore[attr-defined]
Index(  # 0020_scale: the agenda by mission locale
    "ix_reminders_ml_status_due",
    _reminders.c.mission_locale_id,
    _reminders.c.status,
    _reminders.c.due_at,
)
# 0021_lists: a mission locale's cases by last change (0013's index with the id), by deadline
# and by id; the name search by trigram on PostgreSQL (GIN, pg_trgm), a plain expression index
# on SQLite.
Index("ix_cases_ml_updated_id", _cases.c.mission_locale_id, _cases.c.updated_at, _cases.c.id)
Index("ix_cases_ml_due", _cases.c.mission_locale_id, _cases.c.due_at, _cases.c.id)
Index("ix_cases_ml_id", _cases.c.mission_locale_id, _cases.c.id)
for _name, _column in (
    ("ix_people_first_name_trgm", _people.c.first_name),
    ("ix_people_last_name_trgm", _people.c.last_name),
):
    _lower = func.lower(_column).label(f"lower_{_column.name}")
    Index(
        _name,
        _lower,
        postgresql_using="gin",
        postgresql_ops={f"lower_{_column.name}": "gin_trgm_ops"},
    )

# --- People (0007): guardians, sensitive data apart, its reads, the communes reference. ---


class GuardianRow(SQLModel, table=True):
    """A legal guardian of a young person (personal data of a minor)."""

    __tablename__ = "guardians"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    name: str = Field(max_length=100)
    link: str = Field(max_length=16)
    parental_authority: bool = True
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="fr", max_length=2)
    preferred_channel: str = Field(default="email", max_length=8)
    consent_email: bool = True
    consent_sms: bool = False
    consent_at: datetime | None = _ts(nullable=True)
    consent_source: str | None = Field(default=None, max_length=100)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class PersonSensitiveRow(SQLModel, table=True):
    """Special-category data of a young person, apart: read only with the right, each read kept."""

    __tablename__ = "person_sensitive"

    person_id: int = Field(sa_column=Column(BigId, ForeignKey("people.id"), primary_key=True))
    rqth: bool = False
    fewer_opportunities: bool = False
    fewer_opportunities_reason: str | None = Field(default=None, max_length=16)
    inclusion_support_amount: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(10, 2), nullable=True)
    )
    inclusion_support_justification: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True)
    )
    health_needs: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = _ts()
    updated_by: str = Field(max_length=64)


class SensitiveReadRow(SQLModel, table=True):
    """One read of a person's sensitive data: who, in which role, when, on which case."""

    __tablename__ = "sensitive_reads"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    case_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    actor: str = Field(max_length=64)
    role: str = Field(max_length=20)
    at: datetime = _ts(index=True)
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


# --- follow-up: contact attempts (migration 0011_followup) ---


class ContactAttemptRow(SQLModel, table=True):
    """One try to reach a young person during the follow-up (the note is free text)."""

    __tablename__ = "contact_attempts"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    case_id: int = Field(
        sa_column=Column(BigId, ForeignKey("cases.id"), nullable=False, index=True)
    )
    at: datetime = _ts()
    channel: str = Field(max_length=16)
    answered: bool
    by: str = Field(max_length=64)  # an actor reference, never a name
    checkpoint: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recorded_at: datetime = _ts()


# --- web pages (issue 13) ---------------------------------------------------------------------


class WebSessionRow(SQLModel, table=True):
    """A signed-in staff member's page session, known by the SHA-256 of its cookie only."""

    __tablename__ = "web_sessions"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts(index=True)


# --- reports (issue 14, migration 0014_reports) -----------------------------------------------


class ReportTargetRow(SQLModel, table=True):
    """A target a supervisor sets: so many for an indicator, a year and a funder."""

    __tablename__ = "report_targets"

    year: int = Field(primary_key=True)
    funder: str = Field(primary_key=True, max_length=100)
    indicator: str = Field(primary_key=True, max_length=32)
    value: int
    set_by: str = Field(max_length=64)
    set_at: datetime = _ts()


class ReferencePopulationRow(SQLModel, table=True):
    """Young people living in a mission locale's area in a year (loaded by an admin)."""

    __tablename__ = "reference_populations"

    mission_locale_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    population: int


Index("ix_history_to_state_at", _history.c.to_state, _history.c.at)
# --- data protection (0016_privacy): consents, erasure requests, exports, messages sent ---


class ConsentRow(SQLModel, table=True):
    """One consent given or withdrawn: for what, when, how, by whom."""

    __tablename__ = "consents"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    purpose: str = Field(max_length=32)
    granted: bool
    at: datetime = _ts()
    method: str = Field(max_length=100)
    given_by: str = Field(max_length=16)
    guardian_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = _ts()


class ErasureRequestRow(SQLModel, table=True):
    """A request to erase a person's data and its decision (kept after the person is gone)."""

    __tablename__ = "erasure_requests"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    person_id: int = Field(sa_column=Column(BigId, nullable=False, index=True))
    received_on: date
    requester: str = Field(max_length=16)
    decision: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _ts(nullable=True)
    carried_out_at: datetime | None = _ts(nullable=True)
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = _ts()


class DataExportRow(SQLModel, table=True):
    """One subject access export: whose data, by whom, when, in which format."""

    __tablename__ = "data_exports"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    person_id: int = Field(sa_column=Column(BigId, nullable=False, index=True))
    actor: str = Field(max_length=64)
    role: str = Field(max_length=20)
    at: datetime = _ts()
    format: str = Field(max_length=8)
    entry_point: str | None = Field(default=None, max_length=64)


class SentMessageRow(SQLModel, table=True):
    """The text of a message the worker delivered, as it went (the subject access export)."""

    __tablename__ = "sent_messages"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    reminder_id: int = Field(sa_column=Column(BigId, nullable=False, index=True))
    case_id: int = Field(sa_column=Column(BigId, nullable=False, index=True))
    recipient: str = Field(max_length=32)
    addressee: str | None = Field(default=None, max_length=200)
    channel: str = Field(max_length=8)
    recipients: str = Field(max_length=1000)
    subject: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    language: str = Field(max_length=2)
    message_id: str = Field(max_length=200)
    at: datetime = _ts()


# --- documents uploaded by the young person or a guardian (issue 17) ---------------------------


class UploadRow(SQLModel, table=True):
    """A file sent for a document of a case's checklist; the file itself is in the file store."""

    __tablename__ = "uploads"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    case_id: int = Field(
        sa_column=Column(BigId, ForeignKey("cases.id"), nullable=False, index=True)
    )
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    document: str = Field(max_length=64)
    media_type: str = Field(max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    storage_key: str | None = Field(default=None, max_length=128)  # None once erased
    uploaded_by: str = Field(max_length=64)  # an actor reference, never a name
    uploaded_role: str = Field(max_length=32)
    uploaded_at: datetime = _ts()
    scan: str = Field(max_length=16)
    valid_from: date | None = None
    valid_until: date | None = None
    status: str = Field(max_length=16)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _ts(nullable=True)
    refusal_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


# --- The young person's own pages (0018): sign-in links and portal sessions. ---


class PortalLinkRow(SQLModel, table=True):
    """A single-use sign-in link of a young person or guardian: only the token's SHA-256."""

    __tablename__ = "portal_links"

    id: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    guardian_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    target: str = Field(max_length=200)
    created_at: datetime = _ts()
    expires_at: datetime = _ts(index=True)
    used_at: datetime | None = _ts(nullable=True)


class PortalSessionRow(SQLModel, table=True):
    """A young person's or guardian's page session, apart from staff sessions (cookie SHA-256)."""

    __tablename__ = "portal_sessions"

    id: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(
        sa_column=Column(BigId, ForeignKey("people.id"), nullable=False, index=True)
    )
    guardian_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts(index=True)
