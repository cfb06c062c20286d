"""Data protection: consent events, erasure requests and their decisions, exports, messages sent.

The current consent of each channel stays on the person (routing reads it); each change is
also kept here as an event (what, granted or withdrawn, when, how, by whom), so the history of
consent can be shown to the person and to an auditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# What a consent is for: the two channels routing reads, and the use of photos and testimonials.
CONSENT_PURPOSES = ("email", "sms", "photos_testimonials")
# Who gave or withdrew it: the young person, a guardian (named by id), or staff on their behalf.
CONSENT_GIVERS = ("young_person", "guardian", "staff")
# How it reached us, when nobody said (the young person's own pages, or staff entering it).
METHOD_PORTAL, METHOD_STAFF = "portal", "staff"


@dataclass(frozen=True)
class ConsentEvent:
    """One consent given or withdrawn."""

    person_id: int
    purpose: str
    granted: bool
    at: datetime
    method: str
    given_by: str
    recorded_by: str
    recorded_at: datetime
    guardian_id: int | None = None
    id: int | None = None


class ErasureDecision(StrEnum):
    """What an erasure request became."""

    DELETION = "deletion"  # nothing requires keeping the data: it is deleted
    PSEUDONYMISATION = "pseudonymisation"  # an audit duty applies: names and contacts removed
    REFUSED = "refused"


class Requester(StrEnum):
    """Who asked for the erasure."""

    YOUNG_PERSON = "young_person"
    GUARDIAN = "guardian"
    REPRESENTATIVE = "representative"


@dataclass(frozen=True)
class ErasureRequest:
    """A request to erase a person's data, and what was decided (the reason goes to the person)."""

    id: int | None
    person_id: int
    received_on: date
    requester: str
    recorded_by: str
    recorded_at: datetime
    decision: ErasureDecision | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    carried_out_at: datetime | None = None


@dataclass(frozen=True)
class PersonDataAccess:
    """One access to a person's data, for the audit: whose, by whom (actor reference and role),
    when."""

    person_id: int
    actor: str
    role: str
    at: datetime


@dataclass(frozen=True)
class DataExport(PersonDataAccess):
    """One subject access export: whose, by whom, when, in which format."""

    format: str
    entry_point: str | None = None


@dataclass(frozen=True)
class SentMessage:
    """The text of a delivered message, as it went."""

    reminder_id: int
    case_id: int
    recipient: str
    channel: str
    recipients: str
    subject: str
    body: str
    language: str
    message_id: str
    at: datetime
    addressee: str | None = None


@dataclass(frozen=True)
class ReadQuery:
    """A filter of the sensitive-read audit (None: any)."""

    person_id: int | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200
