"""Pydantic models of a workflow file: fields, documents, states, transitions and reminder rules."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ipm_workflow.domain.aftercare_rules import FollowUp, Money
from ipm_workflow.domain.durations import MAX_DAYS, FixedDuration, Span
from ipm_workflow.domain.guards import Guard, Scalar

Phase = Literal[
    "orientation", "preparation", "departure", "abroad", "return", "follow_up", "closed"
]
# "money": an amount in euro cents, an integer (never a float).
FieldType = Literal["date", "text", "note", "email", "phone", "enum", "boolean", "number", "money"]
Recipient = Literal[
    "young_person", "guardian", "advisor", "supervisor", "ml_advisor", "host", "finance"
]
PREVIOUS_STATE = "@previous"
ALL_ACTIVE = "*"
SYSTEM_ROLE = "system"
# Bounds on the numbers a workflow declares: beyond them a value is a typo, not a plan.
MAX_VERSION = 1_000_000
MAX_REPEATS = 1_000


class Strict(BaseModel):
    """Every workflow model refuses unknown keys, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(Strict):
    """A text in French and English."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class FieldSpec(Strict):
    """A typed data field a case carries."""

    type: FieldType
    label: Labels
    values: list[str] | None = Field(default=None, description="Allowed values of an enum.")
    personal: bool = Field(
        default=False, description="Free text or personal data: never logged nor exported."
    )

    @model_validator(mode="after")
    def _values_match_type(self) -> FieldSpec:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs a non-empty 'values' list")
        if self.type != "enum" and self.values is not None:
            raise ValueError("'values' is only for enum fields")
        return self


class DocumentSpec(Strict):
    """A document type of the case's checklist."""

    label: Labels
    expires: bool = Field(default=False, description="The document carries validity dates.")


class StateSpec(Strict):
    """One state of the journey."""

    label: Labels
    phase: Phase
    terminal: bool = False
    owner: str | None = Field(default=None, description="The role that owns the next move.")
    time_limit: Span | None = Field(
        default=None,
        description="Service level: how long a case may stay here (ISO 8601; P1M is a calendar "
        "month, end of month clamped).",
    )


class InputSpec(Strict):
    """A value the actor supplies with a trigger; it is stored in the named data field."""

    field: str
    required: bool = True


def _inputs_as_specs(raw: object) -> object:
    # Inputs may be written as bare field names: `inputs: [actual_start]`.
    if isinstance(raw, dict) and isinstance(raw.get("inputs"), list):
        raw = dict(raw)
        raw["inputs"] = [{"field": i} if isinstance(i, str) else i for i in raw["inputs"]]
    return raw


class TransitionSpec(Strict):
    """A trigger that moves a case from one or more states to another."""

    trigger: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    source: str | list[str] = Field(description="A state, a list of states, or '*' (non-terminal).")
    dest: str = Field(description=f"A state, or '{PREVIOUS_STATE}' to go back where it came from.")
    roles: list[str] = Field(min_length=1)
    label: Labels | None = None
    guards: list[Guard] = Field(default_factory=list)
    inputs: list[InputSpec] = Field(default_factory=list)
    reason_required: bool = False
    effects: dict[str, Scalar | None] = Field(
        default_factory=dict,
        description="Fields set when the transition happens; '$today' and '$now' are replaced.",
    )

    @model_validator(mode="before")
    @classmethod
    def _short_inputs(cls, raw: object) -> object:
        return _inputs_as_specs(raw)

    def sources(self) -> list[str]:
        """Return the declared sources as a list ('*' left for the workflow to expand)."""
        return [self.source] if isinstance(self.source, str) else list(self.source)


class Anchor(Strict):
    """What a reminder's date hangs on: entering a state, or a date field of the case."""

    state_entered: str | None = None
    field: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Anchor:
        if (self.state_entered is None) == (self.field is None):
            raise ValueError("an anchor names exactly one of 'state_entered' or 'field'")
        return self


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
    business_days: bool = False
    while_in: list[str] = Field(
        default_factory=list,
        description="States in which the rule is active (default: the anchor state, or every "
        "non-terminal state for a date anchor).",
    )
    recipients: list[Recipient] = Field(default_factory=list)
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
    max_lateness: FixedDuration | None = Field(
        default=None,
        description="After downtime, skip (and record) a reminder later than this (days and "
        "hours only: a calendar month has no fixed length).",
    )

    @model_validator(mode="after")
    def _does_something(self) -> ReminderRule:
        if not self.recipients and self.timeout is None:
            raise ValueError("a rule needs recipients (a reminder) or a timeout (or both)")
        if self.recipients and not self.template:
            raise ValueError("a rule with recipients needs a template")
        return self


class OpeningSpec(Strict):
    """Who may open a case on this workflow, with which inputs and under which guards."""

    roles: list[str] = Field(min_length=1)
    inputs: list[InputSpec] = Field(default_factory=list)
    guards: list[Guard] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _short_inputs(cls, raw: object) -> object:
        return _inputs_as_specs(raw)


class Workflow(Strict):
    """A declared journey: the whole content of one workflow file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1, le=MAX_VERSION)
    title: Labels
    description: str | None = None
    initial_state: str
    opening: OpeningSpec | None = None
    roles: list[str] = Field(min_length=1)
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    documents: dict[str, DocumentSpec] = Field(default_factory=dict)
    states: dict[str, StateSpec] = Field(min_length=1)
    transitions: list[TransitionSpec] = Field(min_length=1)
    reminders: list[ReminderRule] = Field(default_factory=list)
    # Follow-up and money (README "Contact attempts and outcomes", "Money on a mobility").
    follow_up: FollowUp | None = None
    money: Money | None = None

    @property
    def key(self) -> tuple[str, int]:
        """Return (name, version), the identity a case pins."""
        return (self.name, self.version)

    def active_states(self) -> list[str]:
        """Return the non-terminal states."""
        return [name for name, s in self.states.items() if not s.terminal]

    def expanded_sources(self, transition: TransitionSpec) -> list[str]:
        """Return the concrete source states of a transition ('*' = all non-terminal)."""
        if transition.source == ALL_ACTIVE:
            return self.active_states()
        return transition.sources()

    @cached_property
    def reminder_states(self) -> frozenset[str]:
        """The states some reminder rule lives in (entering or leaving them replans)."""
        found: set[str] = set()
        for rule in self.reminders:
            if rule.while_in:
                found.update(rule.while_in)
            elif rule.anchor.state_entered is not None:
                found.add(rule.anchor.state_entered)
            else:
                found.update(self.active_states())
        return frozenset(found)

    @cached_property
    def anchor_fields(self) -> frozenset[str]:
        """The data fields reminder dates hang on (a change there replans reminders)."""
        return frozenset(r.anchor.field for r in self.reminders if r.anchor.field is not None)

    def previous_candidates(self, state: str) -> list[str]:
        """Return the states a case can come from into `state` (for '@previous' destinations)."""
        found: list[str] = []
        for t in self.transitions:
            if t.dest == state:
                found += [s for s in self.expanded_sources(t) if s != state and s not in found]
        return found
