"""The declared follow-up and money rules of a workflow: checkpoints, lost contact, grant."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ipm_workflow.domain.durations import Span
from ipm_workflow.domain.spec_base import Strict

ContactChannel = Literal["sms", "call", "email", "letter", "mission_locale"]
CONTACT_CHANNELS: tuple[ContactChannel, ...] = ("sms", "call", "email", "letter", "mission_locale")
OutcomeSource = Literal["young_person", "mission_locale", "i_milo", "employer"]
OUTCOME_SOURCES: tuple[str, ...] = ("young_person", "mission_locale", "i_milo", "employer")
CONFIDENCES: tuple[str, ...] = ("confirmed", "declared", "estimated")
UNKNOWN = "unknown"
# How the grant of an interrupted stay is recomputed (per programme, per reason).
GrantRule = Literal["pro_rata_days", "full", "nothing"]


class Checkpoint(Strict):
    """One outcome checkpoint: its outcome field and the reminder rule that opens it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    outcome: str = Field(description="Enum field holding the outcome; it must offer 'unknown'.")
    survey: str | None = Field(
        default=None,
        description="Reminder rule whose first due day opens the checkpoint (none: the "
        "checkpoint is recorded when the follow-up ends, e.g. the final outcome).",
    )

    @property
    def source(self) -> str:
        """The field holding where the outcome came from."""
        return f"{self.outcome}_source"

    @property
    def date(self) -> str:
        """The field holding the day the outcome was learnt (or recorded unknown)."""
        return f"{self.outcome}_date"

    @property
    def confidence(self) -> str:
        """The field holding how sure the outcome is."""
        return f"{self.outcome}_confidence"


class LostContact(Strict):
    """When a follow-up may end in lost contact: unanswered attempts at one checkpoint."""

    attempts: int = Field(ge=1, le=100, description="Unanswered attempts needed, at least.")
    unanswered_over: Span = Field(
        description="Time from the first unanswered attempt of the checkpoint (ISO 8601)."
    )
    at_checkpoint: str = Field(description="The checkpoint whose attempts count.")
    trigger: str = Field(default="lose_contact", description="The transition it guards.")


class FollowUp(Strict):
    """The follow-up after a return: its states, checkpoints, survey order and lost contact."""

    states: list[str] = Field(default_factory=lambda: ["FOLLOW_UP"], min_length=1)
    checkpoints: list[Checkpoint] = Field(min_length=1)
    survey_order: list[ContactChannel] = Field(
        default_factory=list, description="The channels the survey tries, in order."
    )
    lost_contact: LostContact | None = None


class EarlyReturnGrant(Strict):
    """How the grant of an interrupted stay is proposed, before a person confirms it."""

    reason_field: str = "early_return_reason"
    rule: GrantRule = "pro_rata_days"
    by_reason: dict[str, GrantRule] = Field(default_factory=dict)


class Money(Strict):
    """Money on a mobility: the grant, its pre-financing, balance and recovery (euro cents)."""

    balance_due_after_report: Span = Field(
        description="The balance (or recovery) is due this long after the participant report."
    )
    early_return: EarlyReturnGrant = Field(default_factory=EarlyReturnGrant)


# The data fields money lives in (declared in the workflow's `fields`), and their types.
MONEY_FIELDS: dict[str, str] = {
    "grant_agreed": "money",
    "prefinancing_amount": "money",
    "prefinancing_due": "date",
    "prefinancing_paid": "boolean",
    "participant_report_submitted_on": "date",
    "grant_final": "money",
    "balance_amount": "money",
    "balance_paid_on": "date",
    "recovery_amount": "money",
    "recovery_reason": "enum",
    "recovery_issued_on": "date",
    "recovery_paid_on": "date",
    "planned_start": "date",
    "planned_end": "date",
    "actual_start": "date",
    "actual_end": "date",
}
