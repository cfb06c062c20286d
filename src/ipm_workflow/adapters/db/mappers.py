"""Translation between table rows and domain objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ipm_workflow.domain.cases import Case, Document, HistoryEntry
from ipm_workflow.domain.people import Person


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
}


def case_values(case: Case, columns: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the column values of a case (without id and version), or only some of them."""
    names = _CASE_COLUMNS if columns is None else columns
    return {name: _CASE_COLUMNS[name](case) for name in names}


def entry_from_row(row: Mapping[Any, Any]) -> HistoryEntry:
    """Build a history entry from a `history_entries` row."""
    return HistoryEntry(
        case_id=row["case_id"],
        seq=row["seq"],
        at=must(row["at"]),
        actor=row["actor"],
        role=row["role"],
        kind=row["kind"],
        trigger=row["trigger"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        workflow=row["workflow"],
        workflow_version=row["workflow_version"],
        request_id=row["request_id"],
        payload=row["payload"] or {},
        payload_salt=row["payload_salt"],
        payload_digest=row["payload_digest"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def entry_values(entry: HistoryEntry) -> dict[str, Any]:
    """Return the column values of a history entry."""
    return {
        "case_id": entry.case_id,
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "kind": entry.kind,
        "trigger": entry.trigger,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "workflow": entry.workflow,
        "workflow_version": entry.workflow_version,
        "request_id": entry.request_id,
        "payload": dict(entry.payload),
        "payload_salt": entry.payload_salt,
        "payload_digest": entry.payload_digest,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def person_from_row(row: Mapping[Any, Any]) -> Person:
    """Build a person from a `people` row."""
    return Person(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        birth_date=row["birth_date"],
        email=row["email"],
        phone=row["phone"],
        language=row["language"],
        timezone=row["timezone"],
        preferred_channel=row["preferred_channel"],
        consent_email=row["consent_email"],
        consent_sms=row["consent_sms"],
        guardian_email=row["guardian_email"],
        guardian_phone=row["guardian_phone"],
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"]),
        pseudonymised_at=aware(row["pseudonymised_at"]),
        merged_into_id=row["merged_into_id"],
        registered_by=row["registered_by"],
    )


def person_values(person: Person) -> dict[str, Any]:
    """Return the column values of a person (without id)."""
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "email": person.email,
        "phone": person.phone,
        "language": person.language,
        "timezone": person.timezone,
        "preferred_channel": person.preferred_channel,
        "consent_email": person.consent_email,
        "consent_sms": person.consent_sms,
        "guardian_email": person.guardian_email,
        "guardian_phone": person.guardian_phone,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
        "pseudonymised_at": person.pseudonymised_at,
        "merged_into_id": person.merged_into_id,
        "registered_by": person.registered_by,
    }
