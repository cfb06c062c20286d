"""What the engine hands its `transitions` machine for each edge: the gate (role, previous
state), the declared guards as conditions, the declared effects as a callback; and the attempt
they judge and fill. The same objects explain a refusal when actions are listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.definitions import TransitionSpec
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guards import GuardBase


class MachineEvent(Protocol):
    """What the machine passes its conditions and callbacks (`transitions.EventData`)."""

    kwargs: dict[str, Any]


@dataclass(frozen=True, eq=False)
class Edge:
    """One concrete edge of the machine: a transition from one source to one destination."""

    spec: TransitionSpec
    source: str
    dest: str
    # For '@previous' destinations: the edge only serves cases that came from `dest`.
    requires_previous: bool = False


@dataclass
class Attempt:
    """What the machine's conditions judge and its callbacks fill, for one trigger."""

    facts: CaseFacts
    role: str
    previous_state: str | None
    now: datetime | None = None
    effects: dict[str, Any] = field(default_factory=dict)


class Gate:
    """First condition of an edge: it serves the case's previous state and the actor's role."""

    def __init__(self, edge: Edge) -> None:
        self.edge = edge
        self.roles = frozenset(edge.spec.roles)

    def serves(self, attempt: Attempt) -> bool:
        """Tell whether an '@previous' edge leads back where the case came from."""
        return not self.edge.requires_previous or attempt.previous_state == self.edge.dest

    def __call__(self, event: MachineEvent) -> bool:
        attempt: Attempt = event.kwargs["attempt"]
        return policy.admits(self.roles, attempt.role) and self.serves(attempt)


class GuardCondition:
    """A declared guard as a condition of the machine; the same object explains a refusal."""

    def __init__(self, guard: GuardBase, inputs: frozenset[str]) -> None:
        self.guard = guard
        # The trigger's own inputs this guard reads: not yet given when actions are listed.
        self.reads_inputs = list(
            dict.fromkeys(r[1] for r in guard.all_field_refs() if r[1] in inputs)
        )

    def unmet(self, facts: CaseFacts) -> Unmet | None:
        """Return what is unmet, or None."""
        return self.guard.check(facts)

    def depends_on(self, facts: CaseFacts) -> list[str]:
        """Inputs this guard reads that the case does not hold yet (judged when given)."""
        return [name for name in self.reads_inputs if facts.data.get(name) in (None, "")]

    def __call__(self, event: MachineEvent) -> bool:
        return self.guard.check(event.kwargs["attempt"].facts) is None


class Effects:
    """The declared effects of a transition, run by the machine before it changes state."""

    def __init__(self, spec: TransitionSpec) -> None:
        self.spec = spec

    def __call__(self, event: MachineEvent) -> None:
        attempt: Attempt = event.kwargs["attempt"]
        if attempt.now is not None:
            attempt.effects = declared_effects(self.spec, attempt.now, attempt.facts.today)


def depends_on_inputs(names: list[str]) -> Unmet:
    """The pending Unmet of a guard that reads inputs not given yet (judged when given)."""
    listed = ", ".join(names)
    return Unmet("depends_on_input", f"depends on {listed}: judged when given", {"inputs": names})


def declared_effects(spec: TransitionSpec, now: datetime, today: date) -> dict[str, Any]:
    """The fields a transition sets, with '$today' and '$now' replaced."""
    # "$today" is the case's calendar day (Ipm's time zone), not UTC's.
    special = {"$today": today.isoformat(), "$now": now.isoformat()}
    return {k: special.get(v, v) if isinstance(v, str) else v for k, v in spec.effects.items()}
