"""Pydantic models of a workflow file: fields, documents, states, transitions, and the whole file
(its reminder rules and event messages are in reminder_rules.py)."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from ipm_workflow.domain.aftercare_rules import FollowUp, Money
from ipm_workflow.domain.computed import ComputedSpec
from ipm_workflow.domain.durations import TimeLimit
from ipm_workflow.domain.eligibility import ProgrammeRules
from ipm_workflow.domain.guards import Guard, Scalar
from ipm_workflow.domain.reminder_rules import EventMessage, ReminderRule
from ipm_workflow.domain.spec_base import Strict

Phase = Literal[
    "orientation", "preparation", "departure", "abroad", "return", "follow_up", "closed"
]
# "money": an amount in euro cents, an integer (never a float).
FieldType = Literal["date", "text", "note", "email", "phone", "enum", "boolean", "number", "money"]
# Who may upload a document of the checklist from their own pages (staff may record any).
Provider = Literal["young_person", "guardian"]
YOUNG_PERSON_PROVIDES: Provider = "young_person"
PREVIOUS_STATE = "@previous"
ALL_ACTIVE = "*"
SYSTEM_ROLE = "system"
# Bounds on the numbers a workflow declares: beyond them a value is a typo, not a plan.
MAX_VERSION = 1_000_000


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
    provided_by: list[Provider] = Field(
        default_factory=lambda: [YOUNG_PERSON_PROVIDES],
        description="Who may upload it from their own pages (staff may record any document); "
        "[] for a document only staff issue (a Europass).",
    )


class PlainPhase(Strict):
    """A phase in the young person's words: a short title and one or two plain sentences."""

    title: Labels
    text: Labels


class PlainWords(Strict):
    """How the young person's own pages tell the journey: no state names, no jargon."""

    phases: dict[Phase, PlainPhase] = Field(
        description="Every phase a state of the file uses, in the young person's words."
    )
    states: dict[str, Labels] = Field(
        default_factory=dict,
        description="Where a state says more than its phase: 'where you are', in plain words.",
    )


class StateSpec(Strict):
    """One state of the journey."""

    label: Labels
    phase: Phase
    terminal: bool = False
    owner: str | None = Field(default=None, description="The role that owns the next move.")
    time_limit: TimeLimit | None = Field(
        default=None,
        description="Service level: how long a case may stay here (ISO 8601; P1M is a calendar "
        "month, end of month clamped), or `{business_days: N}` (weekends and French public "
        "holidays skipped). The clock stops while the case is suspended or in a state that "
        "pauses it.",
    )
    pauses_clock: bool = Field(
        default=False,
        description="While a case is here (e.g. POSTPONED), the time limit of the state it came "
        "from stops; it runs on, paused time added back, when the case returns there.",
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
    eligibility: list[ProgrammeRules] = Field(
        default_factory=list, description="Who may take part in the programme(s) of this file."
    )
    computed: dict[str, ComputedSpec] = Field(
        default_factory=dict, description="Values worked out from the data (read like fields)."
    )
    events: list[EventMessage] = Field(default_factory=list)
    # Follow-up and money (README "Contact attempts and outcomes", "Money on a mobility").
    follow_up: FollowUp | None = None
    money: Money | None = None
    # The young person's own pages (issue 17): the journey in plain words.
    plain: PlainWords | None = None

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
            elif rule.anchor.state is not None:
                found.add(rule.anchor.state)
            else:
                found.update(self.active_states())
        return frozenset(found)

    @cached_property
    def anchor_fields(self) -> frozenset[str]:
        """The data fields reminder dates hang on (a change there replans reminders)."""
        found: set[str] = set()
        for rule in self.reminders:
            for name in rule.anchor.dates():
                found |= self.data_fields_of(name)
        return frozenset(found)

    def data_fields_of(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Return the data fields a field or computed value depends on (itself for a field)."""
        spec = self.computed.get(name)
        if spec is None or name in seen:
            return {name}
        found: set[str] = set()
        for _, used in spec.inputs():
            found |= self.data_fields_of(used, seen | {name})
        return found

    def value_type(self, name: str, seen: frozenset[str] = frozenset()) -> str | None:
        """Return the type of a field or computed value (None when unknown or circular)."""
        if name in self.fields:
            return self.fields[name].type
        spec = self.computed.get(name)
        if spec is None or name in seen:
            return None
        if spec.days_between is not None:
            return "number"
        types = {self.value_type(n, seen | {name}) for _, n in spec.inputs()}
        return types.pop() if len(types) == 1 else None

    def value_names(self) -> list[str]:
        """Every name a guard, anchor or template may read: data fields and computed values."""
        return [*self.fields, *self.computed]

    def previous_candidates(self, state: str) -> list[str]:
        """Return the states a case can come from into `state` (for '@previous' destinations)."""
        found: list[str] = []
        for t in self.transitions:
            if t.dest == state:
                found += [s for s in self.expanded_sources(t) if s != state and s not in found]
        return found
