"""Translation between table rows and domain objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.people import Person

# The `history_entries` and `people` columns bear the names of the domain objects' fields.
_ENTRY_FIELDS = tuple(f.name for f in fields(HistoryEntry))
_PERSON_FIELDS = tuple(f.name for f in fields(Person) if f.name != "id")


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive timestamps; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def must(moment: datetime | None) -> datetime:
    """Return a timestamp that the schema guarantees is set."""
    result = aware(moment)
    if result is None:
        raise ValueError("timestamp column unexpectedly empty")
    return result


def case_from_row(row: Mapping[Any, Any]) -> Case:
    """Build a case aggregate from a `cases` row."""
    return Case(
        id=row["id"],
        person_id=row["person_id"],
        workflow=row["workflow"],
        workflow_version=row["workflow_version"],
        state=row["state"],
        previous_state=row["previous_state"],
        mission_locale_id=row["mission_locale_id"],
        advisor_id=row["advisor_id"],
        data=dict(row["data"] or {}),
        documents={k: Document.from_dict(k, v) for k, v in (row["documents"] or {}).items()},
        version=row["version"],
        opened_at=aware(row["opened_at"]),
        updated_at=aware(row["updated_at"]),
        state_entered_at=aware(row["state_entered_at"]),
        closed_at=aware(row["closed_at"]),
        cohort_id=row["cohort_id"],
        history_seq=row["history_seq"],
        history_head=row["history_head"],
        referring_mission_locale_id=row["referring_mission_locale_id"],
        ml_contact_name=row["ml_contact_name"],
        ml_contact_email=row["ml_contact_email"],
        clock_state=row["clock_state"],
        clock_started_at=aware(row["clock_started_at"]),
        clock_paused_seconds=row["clock_paused_seconds"] or 0,
        clock_paused_since=aware(row["clock_paused_since"]),
        due_at=aware(row["due_at"]),
        suspended_at=aware(row["suspended_at"]),
        suspension_reason=row["suspension_reason"],
    )


_CASE_COLUMNS: dict[str, Callable[[Case], Any]] = {
    "person_id": lambda c: c.person_id,
    "workflow": lambda c: c.workflow,
    "workflow_version": lambda c: c.workflow_version,
    "state": lambda c: c.state,
    "previous_state": lambda c: c.previous_state,
    "data": lambda c: c.data,
    "documents": lambda c: {k: d.as_dict() for k, d in c.documents.items()},
    "mission_locale_id": lambda c: c.mission_locale_id,
    "advisor_id": lambda c: c.advisor_id,
    "opened_at": lambda c: c.opened_at,
    "updated_at": lambda c: c.updated_at,
    "state_entered_at": lambda c: c.state_entered_at,
    "closed_at": lambda c: c.closed_at,
    "cohort_id": lambda c: c.cohort_id,
    "history_seq": lambda c: c.history_seq,
    "history_head": lambda c: c.history_head,
    "referring_mission_locale_id": lambda c: c.referring_mission_locale_id,
    "ml_contact_name": lambda c: c.ml_contact_name,
    "ml_contact_email": lambda c: c.ml_contact_email,
    "clock_state": lambda c: c.clock_state,
    "clock_started_at": lambda c: c.clock_started_at,
    "clock_paused_seconds": lambda c: c.clock_paused_seconds,
    "clock_paused_since": lambda c: c.clock_paused_since,
    "due_at": lambda c: c.due_at,
    "suspended_at": lambda c: c.suspended_at,
    "suspension_reason": lambda c: c.suspension_reason,
}


def case_values(case: Case, columns: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the column values of a case (without id and version), or only some of them."""
    names = _CASE_COLUMNS if columns is None else columns
    return {name: _CASE_COLUMNS[name](case) for name in names}


def entry_from_row(row: Mapping[Any, Any]) -> HistoryEntry:
    """Build a history entry from a `history_entries` row (its columns are the entry's fields)."""
    values = {name: row[name] for name in _ENTRY_FIELDS}
    return HistoryEntry(**(values | {"at": must(row["at"]), "payload": row["payload"] or {}}))


def entry_values(entry: HistoryEntry) -> dict[str, Any]:
    """Return the column values of a history entry."""
    values = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    return values | {"payload": dict(entry.payload)}


def person_from_row(row: Mapping[Any, Any]) -> Person:
    """Build a person from a `people` row (its columns are the person's fields)."""
    values = {name: row[name] for name in _PERSON_FIELDS}
    moments = (
        "created_at",
        "updated_at",
        "pseudonymised_at",
        "consent_email_at",
        "consent_sms_at",
    )
    return Person(id=row["id"], **(values | {name: aware(row[name]) for name in moments}))


def person_values(person: Person) -> dict[str, Any]:
    """Return the column values of a person (without id)."""
    return {name: getattr(person, name) for name in _PERSON_FIELDS}
