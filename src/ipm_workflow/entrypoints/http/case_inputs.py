"""The bodies of the requests that open a case and change it (data, documents, moves, pauses)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from ipm_workflow.domain.text import OptionalReason, Reason
from ipm_workflow.entrypoints.http.schemas import Body, Ident, Int


class CaseOpenIn(Body):
    """Open a case for a person on a workflow."""

    person_id: Int = Field(examples=[1])
    workflow: Ident = Field(examples=["erasmus_vet_long"])
    workflow_version: Int | None = Field(default=None, description="Latest when omitted.")
    mission_locale_id: Ident = Field(examples=["ml-saint-etienne"])
    advisor_id: Int | None = Field(
        default=None,
        description="Omitted: an advisor opening the case takes it; a mission locale's referral "
        "stays unassigned (listed with `unassigned=true`).",
    )
    inputs: dict[str, Any] = Field(
        default_factory=dict, examples=[{"cv_attached": True, "privacy_notice_given": True}]
    )
    ml_contact_name: str | None = Field(default=None, description="The ML's own advisor.")
    ml_contact_email: str | None = Field(default=None, examples=["conseil@ml.example"])


class CaseDataPatch(Body):
    """Change data fields of a case (each change is recorded with old and new value)."""

    changes: dict[str, Any] = Field(examples=[{"travel_booked": True}])
    reason: OptionalReason = None
    version: Int | None = Field(default=None, description="Expected case version.")


class DocumentIn(Body):
    """Record a document's status and validity."""

    status: Literal["missing", "received", "validated", "expired", "refused"]
    valid_from: date | None = None
    valid_until: date | None = Field(default=None, examples=["2027-12-31"])
    version: Int | None = Field(default=None, description="Expected case version.")


class ReassignIn(Body):
    """Move a case to another mission locale or advisor (an event, not a state)."""

    mission_locale_id: Ident | None = Field(
        default=None,
        description="A move: the new mission locale sees the case from then on; the referring "
        "one keeps the referral.",
    )
    advisor_id: Int | None = None
    reason: OptionalReason = None
    version: Int | None = Field(default=None, description="Expected case version.")
    moved_on: date | None = Field(default=None, description="When the move takes effect (today).")
    ml_contact_name: str | None = Field(default=None, description="The (new) ML's own advisor.")
    ml_contact_email: str | None = None


class SuspendIn(Body):
    """Suspend an active case: the state stays, the time limit's clock stops."""

    reason: Reason
    version: Int | None = Field(default=None, description="Expected case version.")


class ResumeIn(Body):
    """Resume a suspended case: the clock runs on, the paused time added to its deadline."""

    reason: OptionalReason = None
    version: Int | None = Field(default=None, description="Expected case version.")
