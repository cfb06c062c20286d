"""Commands: what an actor asks the engine to do, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ipm_workflow.domain import text
from ipm_workflow.domain.cases import DocumentStatus
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.policy import SYSTEM_ACTOR, Actor

# Actor is re-exported: a command names its actor.
__all__ = [
    "SYSTEM",
    "Actor",
    "FireTrigger",
    "OpenCase",
    "Reassign",
    "RecordDocument",
    "UpdateData",
]

SYSTEM = SYSTEM_ACTOR  # the worker: timeouts it fires are signed by the system


def _check_reason(command: Any) -> None:
    """Every door (API, CLI, cohorts, merges) applies the same rule: a blank reason is no reason
    (the workflow says whether one is required), another is checked by domain/text.py."""
    given = {"reason": text.blank_is_none(command.reason)}
    cleaned = text.check({"reason": text.reason}, given)["reason"]
    object.__setattr__(command, "reason", cleaned)  # frozen: set once, here


def check_validity(valid_from: date | None, valid_until: date | None) -> None:
    """A document's validity: InvalidInput when it would end before it starts."""
    if valid_from and valid_until and valid_from > valid_until:
        raise invalid_field(
            "invalid validity dates", "valid_until", "must be on or after valid_from"
        )


def _check_ml_contact(command: Any) -> None:
    """The mission locale's advisor: a name and an e-mail, by the rules of domain/text.py."""
    rules = {"ml_contact_name": text.name, "ml_contact_email": text.email_address}
    given = {k: text.blank_is_none(getattr(command, k)) for k in rules}
    for key, value in text.check(rules, given).items():
        object.__setattr__(command, key, value)  # frozen: set once, here


@dataclass(frozen=True)
class Reasoned:
    """A command with a `reason`, checked by the one rule of every door (`_check_reason`)."""

    def __post_init__(self) -> None:
        _check_reason(self)


@dataclass(frozen=True)
class OpenCase:
    """Open a case for a person on a workflow (latest version unless one is given)."""

    person_id: int
    workflow: str
    mission_locale_id: str
    advisor_id: int | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    workflow_version: int | None = None
    request_id: str | None = None
    # The referring mission locale's own advisor, a contact on the case (issue 11).
    ml_contact_name: str | None = None
    ml_contact_email: str | None = None
    # A mission locale's referral (the CSV import): it stays unassigned whoever records it.
    referral: bool = False

    def __post_init__(self) -> None:
        _check_ml_contact(self)


@dataclass(frozen=True)
class FireTrigger(Reasoned):
    """Fire one trigger on a case, optionally only if it is still at a known version."""

    case_id: int
    trigger: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None
    expected_version: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class UpdateData(Reasoned):
    """Change data fields of a case; each change is recorded with old and new value."""

    case_id: int
    changes: Mapping[str, Any]
    reason: str | None = None
    expected_version: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class RecordDocument:
    """Record the status and validity of one document of a case's checklist."""

    case_id: int
    document: str
    status: DocumentStatus
    valid_from: date | None = None
    valid_until: date | None = None
    expected_version: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Reassign(Reasoned):
    """Move a case to another mission locale or advisor; the state does not change."""

    case_id: int
    mission_locale_id: str | None = None
    advisor_id: int | None = None
    reason: str | None = None
    expected_version: int | None = None
    request_id: str | None = None
    # A move between missions locales: the day it takes effect (default: today).
    moved_on: date | None = None
    # The (new) mission locale's advisor; a move without one clears the old ML's contact.
    ml_contact_name: str | None = None
    ml_contact_email: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_ml_contact(self)


@dataclass(frozen=True)
class Suspend(Reasoned):
    """Suspend an active case (a reason is required): its state stays, its clock stops."""

    case_id: int
    reason: str | None
    expected_version: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Resume(Reasoned):
    """Resume a suspended case: its clock runs on, the paused time added to its deadline."""

    case_id: int
    reason: str | None = None
    expected_version: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class SendUpload:
    """Send a file for a document of a case's checklist, with the validity dates it shows."""

    case_id: int
    document: str
    content: bytes
    valid_from: date | None = None
    valid_until: date | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class DecideUpload:
    """Validate an upload (dates as sent unless corrected) or refuse it with a reason."""

    upload_id: int
    valid_from: date | None = None
    valid_until: date | None = None
    reason: str | None = None
    expected_version: int | None = None
    request_id: str | None = None
