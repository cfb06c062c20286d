"""Reminder rules and event messages of a workflow file: what a reminder hangs on, whom it
reaches, how it repeats, escalates or times out, and the messages sent once on an event."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ipm_workflow.domain.durations import MAX_DAYS, Duration, FixedDuration, Span
from ipm_workflow.domain.guards import Guard
from ipm_workflow.domain.spec_base import Strict, exactly_one

Recipient = Literal[
    "young_person", "guardian", "advisor", "supervisor", "ml_advisor", "host", "finance"
]
# A recipient read from the case's data is stored on its reminder rows as "field:<name>".
FIELD_RECIPIENT = "field:"
# Beyond this, a repeat count is a typo, not a plan.
MAX_REPEATS = 1_000


class Anchor(Strict):
    """What a reminder's date hangs on: entering a state, a date field (or computed date) of
    the case, or the first available of several dates (`first_of: [actual_end, planned_end]`)."""

    state_entered: str | None = None
    field: str | None = None
    time_limit: str | None = Field(
        default=None,
        description="The moment the named state's time limit runs out (its clock, pauses "
        "included): e.g. a breach told to supervisors.",
    )
    first_of: list[str] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Anchor:
        exactly_one(self, "an anchor names", ("state_entered", "field", "first_of", "time_limit"))
        return self

    @property
    def state(self) -> str | None:
        """The state whose clock the anchor hangs on (entry or time limit), if any."""
        return self.state_entered if self.state_entered is not None else self.time_limit

    def dates(self) -> list[str]:
        """The date values it hangs on, in order of preference (none for a state anchor)."""
        return [self.field] if self.field is not None else list(self.first_of or [])


class FromField(Strict):
    """A recipient whose address is a data field of the case (an e-mail or phone field)."""

    field: str = Field(max_length=32 - len(FIELD_RECIPIENT))


def recipient_keys(recipients: list[Recipient | FromField]) -> list[str]:
    """Return recipients as stored on reminder rows ("field:<name>" for case data)."""
    return [r if isinstance(r, str) else FIELD_RECIPIENT + r.field for r in recipients]


class Repeat(Strict):
    """Send again every N days until acknowledged or the condition clears."""

    every_days: int = Field(ge=1, le=MAX_DAYS)
    max_times: int | None = Field(default=None, ge=1, le=MAX_REPEATS)


class Escalation(Strict):
    """Who hears about an unanswered reminder, and after how long."""

    after_days: int = Field(ge=0, le=MAX_DAYS)
    to: list[Recipient] = Field(min_length=1)
    template: str


class Timeout(Strict):
    """A trigger the system fires when the reminder goes unanswered."""

    trigger: str
    after_days: int = Field(default=0, ge=0, le=MAX_DAYS)


class ReminderRule(Strict):
    """A reminder or timeout derived from the case's dates or states."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    anchor: Anchor
    offset_days: int = Field(default=0, ge=-MAX_DAYS, le=MAX_DAYS)
    offset: Duration | None = Field(
        default=None,
        description="Instead of offset_days: an ISO 8601 duration, signed (P3M, -P14D); months "
        "and years are calendar ones, end of month clamped.",
    )
    business_days: bool = Field(
        default=False,
        description="Count offset_days in business days (weekends and French public holidays "
        "skipped).",
    )
    while_in: list[str] = Field(
        default_factory=list,
        description="States in which the rule is active (default: the anchor state, or every "
        "non-terminal state for a date anchor).",
    )
    recipients: list[Recipient | FromField] = Field(default_factory=list)
    template: str | None = None
    channel: Literal["sms", "email"] | None = Field(
        default=None,
        description="The channel tried first for a person (consent permitting), e.g. the "
        "outcome survey's SMS then e-mail steps.",
    )
    unless: list[Guard] = Field(
        default_factory=list, description="The reminder is not due once all these guards hold."
    )
    repeat: Repeat | None = None
    escalation: Escalation | None = None
    timeout: Timeout | None = None
    max_lateness: Span | None = Field(
        default=None,
        description="After downtime, skip (and record) a reminder later than this (ISO 8601; "
        "P1M is a calendar month from the due moment).",
    )

    @model_validator(mode="after")
    def _does_something(self) -> ReminderRule:
        if self.offset is not None and (self.offset_days or self.business_days):
            raise ValueError("give either 'offset' or 'offset_days' (with 'business_days')")
        if not self.recipients and self.timeout is None:
            raise ValueError("a rule needs recipients (a reminder) or a timeout (or both)")
        if self.recipients and not self.template:
            raise ValueError("a rule with recipients needs a template")
        return self


class EventWhen(Strict):
    """What an event message answers: a trigger fired, or a state entered."""

    trigger: str | None = None
    state_entered: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> EventWhen:
        exactly_one(self, "'when' names", ("trigger", "state_entered"))
        return self


class EventMessage(Strict):
    """A message sent once when something happens to a case, optionally some hours later.

    It is stored as a reminder planned at the moment of the event (plus the delay), so it
    shares the reminders' recipients, templates, consent, quiet hours, retries and worker; it
    goes out even if the case has moved on by then, and never twice for one event.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    when: EventWhen
    delay_hours: int = Field(default=0, ge=0, le=MAX_DAYS * 24)
    recipients: list[Recipient | FromField] = Field(min_length=1)
    template: str
    max_lateness: FixedDuration | None = Field(
        default=None, description="After downtime, skip (and record) a message later than this."
    )

    def answers(self, trigger: str | None, from_state: str | None, to_state: str | None) -> bool:
        """Tell whether a recorded change is the event this message waits for."""
        if self.when.trigger is not None:
            return trigger == self.when.trigger
        return to_state == self.when.state_entered and from_state != to_state
