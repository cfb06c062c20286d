"""Cases and what is recorded about each: history, moves, contact attempts, uploaded files."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ipm_workflow.adapters.db.tables.columns import (
    big_id,
    big_ref,
    json_object,
    long_text,
    table_of,
    timestamp,
)


class CaseRow(SQLModel, table=True):
    """A journey of one young person on one workflow version."""

    __tablename__ = "cases"

    id: int | None = big_id()
    person_id: int = big_ref("people.id")
    workflow: str = Field(max_length=64, index=True)
    workflow_version: int
    state: str = Field(max_length=64, index=True)
    previous_state: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = json_object()
    documents: dict[str, Any] = json_object()
    mission_locale_id: str = Field(foreign_key="mission_locales.id", index=True, max_length=64)
    advisor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    version: int = 0
    opened_at: datetime = timestamp(index=True)
    updated_at: datetime = timestamp()
    state_entered_at: datetime = timestamp()
    closed_at: datetime | None = timestamp(nullable=True)
    history_seq: int = 0
    history_head: str = Field(max_length=64)
    cohort_id: int | None = Field(default=None, foreign_key="cohorts.id", index=True)
    # Clocks that pause (domain/clocks.py): the overdue filter reads `due_at < now`.
    clock_state: str | None = Field(default=None, max_length=64)
    clock_started_at: datetime | None = timestamp(nullable=True)
    clock_paused_seconds: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    clock_paused_since: datetime | None = timestamp(nullable=True)
    due_at: datetime | None = timestamp(nullable=True, index=True)
    suspended_at: datetime | None = timestamp(nullable=True)
    suspension_reason: str | None = long_text()
    # Attribution (issue 11): `mission_locale_id` is the current mission locale (it sees the
    # case and counts its outcomes); the referring one keeps the referral. The mission locale's
    # own advisor is a contact on the case (personal data: never in history payloads).
    referring_mission_locale_id: str | None = Field(default=None, index=True, max_length=64)
    ml_contact_name: str | None = Field(default=None, max_length=200)
    ml_contact_email: str | None = Field(default=None, max_length=254)
    # The name search's key (0024_name_key): the young person's names, lower-cased, kept in
    # step with `people` by adapters/db/name_keys.py (personal data, as the names are).
    name_key: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )


class MissionLocaleMoveRow(SQLModel, table=True):
    """A case moving from one mission locale to another: from, to, date and reason."""

    __tablename__ = "mission_locale_moves"

    id: int | None = big_id()
    case_id: int = big_ref("cases.id")
    from_mission_locale_id: str = Field(max_length=64)
    to_mission_locale_id: str = Field(max_length=64, index=True)
    moved_on: date
    reason: str | None = Field(default=None, max_length=500)
    at: datetime = timestamp()
    actor: str = Field(max_length=64)


class HistoryRow(SQLModel, table=True):
    """An append-only, hash-chained record of what happened to a case."""

    __tablename__ = "history_entries"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_history_case_seq"),)

    id: int | None = big_id()
    case_id: int = big_ref("cases.id")
    seq: int
    at: datetime = timestamp(index=True)
    actor: str = Field(max_length=64, index=True)
    role: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    trigger: str | None = Field(default=None, max_length=64, index=True)
    from_state: str | None = Field(default=None, max_length=64)
    to_state: str | None = Field(default=None, max_length=64)
    workflow: str = Field(max_length=64)
    workflow_version: int
    request_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = json_object()
    payload_salt: str | None = Field(default=None, max_length=32)
    payload_digest: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # The case's current mission locale (0025_history_ml), for the audit search: a copy outside
    # the hash chain and the domain's entry, set on append and following the case's moves.
    mission_locale_id: str | None = Field(default=None, max_length=64)


# Indexes of the pages' lists and the audit search (0013_indexes, measured with bench/scale.py).
_cases, _history = table_of(CaseRow), table_of(HistoryRow)
Index(
    "ix_cases_ml_workflow_state",
    _cases.c.mission_locale_id,
    _cases.c.workflow,
    _cases.c.state,
    _cases.c.state_entered_at,
)
# 0021_lists: a mission locale's cases by last change (0013's index with the id), by deadline
# and by id.
Index("ix_cases_ml_updated_id", _cases.c.mission_locale_id, _cases.c.updated_at, _cases.c.id)
Index("ix_cases_ml_due", _cases.c.mission_locale_id, _cases.c.due_at, _cases.c.id)
Index("ix_cases_ml_id", _cases.c.mission_locale_id, _cases.c.id)
# 0023_lists_1m: the name search's candidates (a person's cases) filtered by place and ordered
# by deadline from the index alone.
Index(
    "ix_cases_person_ml_due",
    _cases.c.person_id,
    _cases.c.mission_locale_id,
    _cases.c.due_at,
    _cases.c.id,
)
# 0024_name_key: the name search, a mission locale and the name's trigrams in one GIN index on
# PostgreSQL (btree_gin, pg_trgm); a plain index on SQLite (the key read from it, not the rows).
Index(
    "ix_cases_ml_name_key",
    _cases.c.mission_locale_id,
    _cases.c.name_key,
    postgresql_using="gin",
    postgresql_ops={"name_key": "gin_trgm_ops"},
)
Index(
    "ix_cases_unassigned",
    _cases.c.mission_locale_id,
    _cases.c.opened_at,
    sqlite_where=text("advisor_id IS NULL"),
    postgresql_where=text("advisor_id IS NULL"),
)
Index("ix_history_actor_at", _history.c.actor, _history.c.at)
Index("ix_history_to_state_at", _history.c.to_state, _history.c.at)  # reports (0014)
# 0025_history_ml: the audit search by mission locale, newest first, walked backwards.
Index("ix_history_ml_at", _history.c.mission_locale_id, _history.c.at, _history.c.id)


class ContactAttemptRow(SQLModel, table=True):
    """One try to reach a young person during the follow-up (migration 0011_followup)."""

    __tablename__ = "contact_attempts"

    id: int | None = big_id()
    case_id: int = big_ref("cases.id")
    at: datetime = timestamp()
    channel: str = Field(max_length=16)
    answered: bool
    by: str = Field(max_length=64)  # an actor reference, never a name
    checkpoint: str | None = Field(default=None, max_length=32)
    note: str | None = long_text()  # free text
    recorded_at: datetime = timestamp()


class UploadRow(SQLModel, table=True):
    """A file sent for a document of a case's checklist (issue 17); the file is in the store."""

    __tablename__ = "uploads"

    id: int | None = big_id()
    case_id: int = big_ref("cases.id")
    person_id: int = big_ref("people.id")
    document: str = Field(max_length=64)
    media_type: str = Field(max_length=64)
    size: int = Field(sa_type=BigInteger, nullable=False)
    sha256: str = Field(max_length=64)
    storage_key: str | None = Field(default=None, max_length=128)  # None once erased
    uploaded_by: str = Field(max_length=64)  # an actor reference, never a name
    uploaded_role: str = Field(max_length=32)
    uploaded_at: datetime = timestamp()
    scan: str = Field(max_length=16)
    valid_from: date | None = None
    valid_until: date | None = None
    status: str = Field(max_length=16)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = timestamp(nullable=True)
    refusal_reason: str | None = long_text()
