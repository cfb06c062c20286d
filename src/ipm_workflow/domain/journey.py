"""A journey as its young person reads it: the phases, where they stand, the documents asked.

Plain words come from the workflow file's `plain` section (linted: every phase in use, no
state name shown); this module only orders and picks them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.definitions import Labels, Workflow
from ipm_workflow.domain.guard_base import GuardBase
from ipm_workflow.domain.guard_fields import DocumentsPresent

CLOSED = "closed"


@dataclass(frozen=True)
class Step:
    """A phase of the journey in plain words, and whether it is done, current or to come."""

    title: Labels
    status: str  # done, current, upcoming


def _phases(definition: Workflow) -> list[str]:
    """The phases the journey goes through, in the order its states are declared."""
    seen: list[str] = []
    for state in definition.states.values():
        if state.phase not in seen and state.phase != CLOSED:
            seen.append(state.phase)
    return seen


def steps(definition: Workflow, state: str) -> list[Step]:
    """The journey's phases, done up to the case's; a closed journey's are all done."""
    plain = definition.plain
    if plain is None:
        return []
    current = definition.states[state].phase
    order = _phases(definition)
    at = order.index(current) if current in order else len(order)
    return [
        Step(plain.phases[p].title, "done" if i < at else "current" if i == at else "upcoming")
        for i, p in enumerate(order)
        if p in plain.phases
    ]


def where(definition: Workflow, state: str) -> tuple[Labels, Labels] | None:
    """(title, text) of where the case stands: the state's own words, else its phase's."""
    plain = definition.plain
    spec = definition.states[state]
    if plain is None or spec.phase not in plain.phases:
        return None
    phase = plain.phases[spec.phase]
    return phase.title, plain.states.get(state, phase.text)


def next_phase(definition: Workflow, state: str) -> Labels | None:
    """The title of the phase that comes next, if any."""
    plain = definition.plain
    order = _phases(definition)
    current = definition.states[state].phase
    if plain is None or current not in order or order.index(current) + 1 >= len(order):
        return None
    following = order[order.index(current) + 1]
    return plain.phases[following].title if following in plain.phases else None


def expected_documents(definition: Workflow, state: str, facts: CaseFacts) -> dict[str, str]:
    """The documents the moves out of the state wait for: name -> what is wrong ('missing',
    'expired', 'refused'…), read from their document guards (inside any_of/all_of too)."""
    waiting: list[GuardBase] = [
        g
        for t in definition.transitions
        if state in definition.expanded_sources(t)
        for g in t.guards
    ]
    lacking: dict[str, str] = {}
    while waiting:
        guard = waiting.pop(0)
        waiting += [child for _, child in guard.children()]
        if isinstance(guard, DocumentsPresent) and (unmet := guard.check(facts)):
            lacking.update({k: str(v) for k, v in unmet.detail.items() if k in guard.documents})
    return {k: v for k, v in lacking.items() if k in definition.documents}
