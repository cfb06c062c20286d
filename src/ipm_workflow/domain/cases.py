"""The case aggregate, its documents, and the tamper-evident history chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol

from ipm_workflow.domain.contacts import ContactAttempt

DocumentStatus = Literal["missing", "received", "validated", "expired", "refused"]
GENESIS_HASH = "0" * 64
ADULT_AGE = 18


@dataclass(frozen=True)
class Document:
    """One entry of a case's document checklist."""

    type: str
    status: DocumentStatus = "missing"
    valid_from: date | None = None
    valid_until: date | None = None
    validated_by: str | None = None
    validated_at: datetime | None = None

    def usable_on(self, day: date) -> bool:
        """Tell whether the document is received or validated and valid on that day."""
        if self.status not in ("received", "validated"):
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def gap(self, start: date, end: date) -> tuple[Literal["starts", "ends"], date] | None:
        """Say where the validity dates leave part of [start, end] uncovered, or None.

        This is the one judgement of a document's dates: guards and reminders ask whether it
        covers the period it is needed for, not whether it is valid today.
        """
        if self.valid_from is not None and self.valid_from > start:
            return ("starts", self.valid_from)
        if self.valid_until is not None and self.valid_until < end:
            return ("ends", self.valid_until)
        return None

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form stored on the case."""
        return {
            "status": self.status,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "validated_by": self.validated_by,
            "validated_at": self.validated_at.isoformat() if self.validated_at else None,
        }

    @classmethod
    def from_dict(cls, doc_type: str, raw: Mapping[str, Any]) -> Document:
        """Rebuild a document from its stored JSON form."""
        if raw.get("status", "missing") == "missing" and not raw.get("valid_until"):
            return cls(doc_type)  # the common case of a checklist: nothing received yet
        return cls(
            type=doc_type,
            status=raw.get("status", "missing"),
            valid_from=_opt_date(raw.get("valid_from")),
            valid_until=_opt_date(raw.get("valid_until")),
            validated_by=raw.get("validated_by"),
            validated_at=datetime.fromisoformat(raw["validated_at"])
            if raw.get("validated_at")
            else None,
        )


def _opt_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def age_on(birth_date: date, day: date) -> int:
    """Return the age in whole years on a given day."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


class Computes(Protocol):
    """A value a workflow computes from a case's other values (declared under `computed`)."""

    def compute(self, facts: CaseFacts) -> Any:
        """Return the value in its stored (JSON) form, or None when its inputs are missing."""


@dataclass(frozen=True)
class CaseFacts:
    """What guards may look at: the case's state, data and documents, and the person's age."""

    state: str
    data: Mapping[str, Any]
    documents: Mapping[str, Document]
    birth_date: date | None
    today: date
    # The workflow's computed values, worked out from `data` whenever they are read.
    computed: Mapping[str, Computes] = field(default_factory=dict)
    # Read only by the follow-up's lost-contact rule; loaded where that rule is judged.
    contacts: tuple[ContactAttempt, ...] = ()
    # How many legal guardians are on file (None: not counted by this caller).
    guardians: int | None = None

    def value(self, name: str) -> Any:
        """Return a data field's value, or a computed value worked out from the data."""
        spec = self.computed.get(name)
        return spec.compute(self) if spec is not None else self.data.get(name)

    def date_of(self, name: str) -> date | None:
        """Resolve 'today', a date field or a computed date of the case."""
        if name == "today":
            return self.today
        value = self.value(name)
        return date.fromisoformat(value) if isinstance(value, str) and value else None

    def values(self) -> dict[str, Any]:
        """Return the data with every computed value added (for templates and reports)."""
        return {**self.data, **{name: self.value(name) for name in self.computed}}


@dataclass
class Case:
    """A young person's journey on one workflow version."""

    id: int | None
    person_id: int
    workflow: str
    workflow_version: int
    state: str
    mission_locale_id: str
    advisor_id: int | None = None
    previous_state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    version: int = 0
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    state_entered_at: datetime | None = None
    closed_at: datetime | None = None
    cohort_id: int | None = None
    history_seq: int = 0
    history_head: str = GENESIS_HASH
    # The clock of a state's time limit (domain/clocks.py): the state it counts for, when it
    # started, the time it stood still, since when it stands still now, when it runs out.
    clock_state: str | None = None
    clock_started_at: datetime | None = None
    clock_paused_seconds: int = 0
    clock_paused_since: datetime | None = None
    due_at: datetime | None = None
    # A suspended case keeps its state; its clock stops until it is resumed.
    suspended_at: datetime | None = None
    suspension_reason: str | None = None
    # Attribution: the mission locale that referred the case (None: the current one), and the
    # mission locale's own advisor, a contact who receives what is addressed to the ML.
    referring_mission_locale_id: str | None = None
    ml_contact_name: str | None = None
    ml_contact_email: str | None = None

    @property
    def referring_mission_locale(self) -> str:
        """The mission locale a referral counts for (it never changes with a move)."""
        return self.referring_mission_locale_id or self.mission_locale_id

    def facts(
        self,
        today: date,
        birth_date: date | None,
        computed: Mapping[str, Computes] | None = None,
    ) -> CaseFacts:
        """Freeze what guards need to judge this case on a given day."""
        return CaseFacts(
            self.state, self.data, self.documents, birth_date, today, computed=dict(computed or {})
        )


def canonical_json(value: Any) -> str:
    """Serialise deterministically, so the same content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def payload_digest(salt: str, payload: Mapping[str, Any]) -> str:
    """Digest a payload with its own salt; erasing both keeps the chain intact and unguessable."""
    return hashlib.sha256((salt + canonical_json(payload)).encode()).hexdigest()


def utc_iso(moment: datetime) -> str:
    """Return a fixed-precision UTC timestamp, identical whichever database stored it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# What the hash of a history entry covers: ids and references only, never personal data, so
# that erasing a payload never breaks the chain.
CHAINED_FIELDS = (
    "case_id",
    "seq",
    "at",
    "actor",
    "role",
    "kind",
    "trigger",
    "from_state",
    "to_state",
    "workflow",
    "workflow_version",
    "request_id",
    "payload_digest",
    "prev_hash",
)


def _chained(fields: Mapping[str, Any]) -> dict[str, Any]:
    chained = {name: fields[name] for name in CHAINED_FIELDS}
    chained["at"] = utc_iso(chained["at"])
    return chained


def chain_hash(fields: Mapping[str, Any]) -> str:
    """Hash an entry's chained fields (taken from a mapping holding at least those)."""
    return hashlib.sha256(canonical_json(_chained(fields)).encode()).hexdigest()


@dataclass(frozen=True)
class HistoryEntry:
    """One append-only record of what happened to a case, and by whom."""

    case_id: int
    seq: int
    at: datetime
    actor: str
    role: str
    kind: str
    trigger: str | None
    from_state: str | None
    to_state: str | None
    workflow: str
    workflow_version: int
    request_id: str | None
    payload: Mapping[str, Any]
    payload_salt: str | None
    payload_digest: str
    prev_hash: str
    hash: str = ""

    def chained_fields(self) -> dict[str, Any]:
        """Return the fields the hash covers: ids and references only, never personal data."""
        return _chained({name: getattr(self, name) for name in CHAINED_FIELDS})

    def computed_hash(self) -> str:
        """Recompute this entry's hash from its chained fields."""
        return chain_hash({name: getattr(self, name) for name in CHAINED_FIELDS})


def replay_state(entries: Iterable[HistoryEntry]) -> str | None:
    """Return the state the history leads to."""
    state: str | None = None
    for entry in entries:
        if entry.to_state is not None:
            state = entry.to_state
    return state
