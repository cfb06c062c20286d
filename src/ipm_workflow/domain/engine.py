"""Workflows compiled once into `transitions` machines; explained actions and atomic firing."""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from transitions import EventData, Machine

from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.definitions import PREVIOUS_STATE, Labels, TransitionSpec, Workflow
from ipm_workflow.domain.errors import (
    GuardFailed,
    InvalidInput,
    InvalidTransition,
    RoleNotAllowed,
    Unmet,
)
from ipm_workflow.domain.guards import unmet_guards
from ipm_workflow.domain.values import coerce


@dataclass(frozen=True)
class InputView:
    """What an action asks the actor to supply."""

    field: str
    type: str
    required: bool
    values: list[str] | None
    label: Labels


@dataclass(frozen=True)
class Action:
    """A trigger out of the case's current state, allowed or denied with reasons."""

    trigger: str
    label: Labels | None
    dest: str
    allowed: bool
    roles: list[str]
    unmet: list[Unmet]
    inputs: list[InputView]
    reason_required: bool


@dataclass(frozen=True)
class Outcome:
    """What firing a trigger changed."""

    trigger: str
    from_state: str
    to_state: str
    previous_state: str | None
    data: dict[str, Any]
    changes: dict[str, list[Any]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Edge:
    """One concrete edge of the machine: a transition from one source to one destination."""

    spec: TransitionSpec
    source: str
    dest: str
    # For '@previous' destinations: the edge only serves cases that came from `dest`.
    requires_previous: bool = False

    def serves(self, previous_state: str | None) -> bool:
        return not self.requires_previous or previous_state == self.dest


class _Carrier:
    """The plain object `transitions` moves between states for the length of one command."""

    state: str


class CompiledWorkflow:
    """One workflow version compiled into one shared `transitions` machine."""

    def __init__(self, definition: Workflow) -> None:
        self.definition = definition
        self._edges: dict[tuple[str, str], list[_Edge]] = {}
        # auto_transitions=False: the generated to_<state>() would bypass roles and guards.
        self._machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial_state,
            auto_transitions=False,
            send_event=True,
        )
        for spec in definition.transitions:
            for source in definition.expanded_sources(spec):
                for edge in self._edges_of(spec, source):
                    self._edges.setdefault((source, spec.trigger), []).append(edge)
                    self._machine.add_transition(
                        spec.trigger, source, edge.dest, conditions=[_chosen(edge)]
                    )
        self._carriers: queue.SimpleQueue[_Carrier] = queue.SimpleQueue()
        self._lock = threading.Lock()

    def _edges_of(self, spec: TransitionSpec, source: str) -> list[_Edge]:
        if spec.dest != PREVIOUS_STATE:
            return [_Edge(spec, source, spec.dest)]
        candidates = self.definition.previous_candidates(source)
        return [_Edge(spec, source, prev, requires_previous=True) for prev in candidates]

    def triggers_from(self, state: str) -> list[str]:
        """Return the triggers leaving a state, in declaration order."""
        return list(dict.fromkeys(t for (s, t) in self._edges if s == state))

    def available_actions(
        self, facts: CaseFacts, role: str, previous_state: str | None = None
    ) -> list[Action]:
        """List every trigger out of the current state, allowed or denied with its reasons."""
        return [
            self._judge(facts, trigger, role, previous_state)[0]
            for trigger in self.triggers_from(facts.state)
        ]

    def _judge(
        self,
        facts: CaseFacts,
        trigger: str,
        role: str,
        previous_state: str | None,
        with_inputs: bool = False,
    ) -> tuple[Action, _Edge | None]:
        edges, chosen, unmet = self._choose(facts, trigger, role, previous_state, with_inputs)
        spec = edges[0].spec if edges else self._edges[(facts.state, trigger)][0].spec
        action = Action(
            trigger=trigger,
            label=spec.label,
            dest=(chosen or (edges[0] if edges else _Edge(spec, facts.state, facts.state))).dest,
            allowed=chosen is not None,
            roles=sorted({r for e in edges for r in e.spec.roles}),
            unmet=[] if chosen else unmet,
            inputs=[self._input_view(i.field, i.required) for i in spec.inputs],
            reason_required=spec.reason_required,
        )
        return action, chosen

    def _choose(
        self,
        facts: CaseFacts,
        trigger: str,
        role: str,
        previous_state: str | None,
        with_inputs: bool,
    ) -> tuple[list[_Edge], _Edge | None, list[Unmet]]:
        """Pick the first edge the role may take and whose guards hold; else say what is unmet."""
        edges = [e for e in self._edges[(facts.state, trigger)] if e.serves(previous_state)]
        unmet: list[Unmet] = []
        permitted = [e for e in edges if role in e.spec.roles]
        if edges and not permitted:
            roles = sorted({r for e in edges for r in e.spec.roles})
            unmet.append(
                Unmet(
                    "role",
                    f"role '{role}' may not do this; allowed: {', '.join(roles)}",
                    {"role": role, "allowed_roles": roles},
                )
            )
        for edge in permitted:
            guards = edge.spec.guards if with_inputs else _without_inputs(edge.spec)
            missing = unmet_guards(guards, facts)
            if not missing:
                return edges, edge, []
            unmet += missing
        if not edges:
            unmet.append(Unmet("no_previous_state", "the state to return to is unknown"))
        return edges, None, unmet

    def _allowed(self, facts: CaseFacts, role: str, previous_state: str | None) -> list[str]:
        return [a.trigger for a in self.available_actions(facts, role, previous_state) if a.allowed]

    def _input_view(self, name: str, required: bool) -> InputView:
        spec = self.definition.fields[name]
        return InputView(name, spec.type, required, spec.values, spec.label)

    def fire(
        self,
        facts: CaseFacts,
        trigger: str,
        role: str,
        *,
        now: datetime,
        inputs: Mapping[str, Any] | None = None,
        reason: str | None = None,
        previous_state: str | None = None,
    ) -> Outcome:
        """Apply one trigger to a case, or raise a domain error carrying every reason it cannot."""
        if (facts.state, trigger) not in self._edges:
            raise InvalidTransition(trigger, facts.state, self.triggers_from(facts.state))
        spec = self._edges[(facts.state, trigger)][0].spec
        roles = {r for e in self._edges[(facts.state, trigger)] for r in e.spec.roles}
        if role not in roles:
            action, _ = self._judge(facts, trigger, role, previous_state)
            raise RoleNotAllowed(
                trigger, facts.state, action.unmet, self._allowed(facts, role, previous_state)
            )
        given = self._coerce_inputs(spec, inputs or {}, reason)
        proposed = replace(facts, data={**facts.data, **given})
        _, chosen, unmet = self._choose(proposed, trigger, role, previous_state, True)
        if chosen is None:
            raise GuardFailed(
                trigger, facts.state, unmet, self._allowed(facts, role, previous_state)
            )
        to_state = self._move(facts.state, trigger, chosen)
        data = {**proposed.data, **_effects(chosen.spec, now, facts.today)}
        changes = {k: [facts.data.get(k), v] for k, v in data.items() if facts.data.get(k) != v}
        new_previous = facts.state if to_state != facts.state else previous_state
        return Outcome(trigger, facts.state, to_state, new_previous, data, changes, given)

    def _coerce_inputs(
        self, spec: TransitionSpec, inputs: Mapping[str, Any], reason: str | None
    ) -> dict[str, Any]:
        declared = {i.field: i for i in spec.inputs}
        errors: list[dict[str, Any]] = []
        given: dict[str, Any] = {}
        for name, raw in inputs.items():
            if name not in declared:
                errors.append(
                    {
                        "field": f"inputs.{name}",
                        "message": f"'{spec.trigger}' takes no input '{name}'; it takes: "
                        f"{', '.join(declared) or 'none'}",
                    }
                )
                continue
            try:
                given[name] = coerce(self.definition.fields[name], raw)
            except ValueError as exc:
                errors.append({"field": f"inputs.{name}", "message": str(exc)})
        for name, item in declared.items():
            if (
                item.required
                and given.get(name) in (None, "")
                and name not in {e["field"].removeprefix("inputs.") for e in errors}
            ):
                errors.append({"field": f"inputs.{name}", "message": "required"})
        if spec.reason_required and not (reason or "").strip():
            errors.append({"field": "reason", "message": f"'{spec.trigger}' requires a reason"})
        if errors:
            raise InvalidInput(f"invalid inputs for '{spec.trigger}'", errors)
        return given

    def _move(self, state: str, trigger: str, edge: _Edge) -> str:
        carrier = self._borrow()
        try:
            self._machine.set_state(state, model=carrier)
            carrier.trigger(trigger, chosen=edge)  # type: ignore[attr-defined]
            return carrier.state
        finally:
            self._carriers.put(carrier)

    def _borrow(self) -> _Carrier:
        # Carriers stay attached and are reused: add_model/remove_model scan a list per call.
        try:
            return self._carriers.get_nowait()
        except queue.Empty:
            carrier = _Carrier()
            with self._lock:
                self._machine.add_model(carrier, initial=self.definition.initial_state)
            return carrier


def _without_inputs(spec: TransitionSpec) -> list[Any]:
    """Guards that do not read the transition's own inputs (those are judged when firing)."""
    inputs = {i.field for i in spec.inputs}
    return [g for g in spec.guards if not any(ref[1] in inputs for ref in g.field_refs())]


def _chosen(edge: _Edge) -> Any:
    def condition(event: EventData) -> bool:
        return event.kwargs.get("chosen") is edge

    return condition


def _effects(spec: TransitionSpec, now: datetime, today: date) -> dict[str, Any]:
    # "$today" is the case's calendar day (Ipm's time zone), not UTC's.
    special = {"$today": today.isoformat(), "$now": now.isoformat()}
    return {k: special.get(v, v) if isinstance(v, str) else v for k, v in spec.effects.items()}
