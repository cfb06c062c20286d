"""Workflows compiled once into `transitions` machines; explained actions and atomic firing."""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from transitions import Machine

from ipm_workflow.domain import policy
from ipm_workflow.domain.actions import Action, InputView, Outcome
from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.definitions import PREVIOUS_STATE, TransitionSpec, Workflow
from ipm_workflow.domain.engine_conditions import (
    Attempt,
    Edge,
    Effects,
    Gate,
    GuardCondition,
    depends_on_inputs,
)
from ipm_workflow.domain.errors import (
    GuardFailed,
    InvalidTransition,
    RoleNotAllowed,
    Unmet,
)
from ipm_workflow.domain.followup import engine_guards, settle
from ipm_workflow.domain.values import coerce_inputs

__all__ = ["Action", "CompiledWorkflow", "InputView", "Outcome"]


class _Carrier:
    """The plain object `transitions` moves between states for the length of one command."""

    state: str


class CompiledWorkflow:
    """One workflow version compiled into one shared `transitions` machine.

    Each declared transition becomes, per concrete source and destination, one machine
    transition whose conditions are its gate (role, previous state) and its guards, in order,
    and whose `before` callback applies its effects; the machine takes the first transition
    of a trigger whose conditions all hold. Listing actions reads those same conditions.
    """

    def __init__(self, definition: Workflow) -> None:
        self.definition = definition
        self._triggers: dict[str, list[str]] = {}
        self._specs: dict[tuple[str, str], list[TransitionSpec]] = {}
        # auto_transitions=False: the generated to_<state>() would bypass roles and guards.
        self._machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial_state,
            auto_transitions=False,
            send_event=True,
        )
        for spec in definition.transitions:
            inputs = frozenset(i.field for i in spec.inputs)
            # The engine's own guards (the declared lost-contact rule) come after the file's.
            declared = [*spec.guards, *engine_guards(definition, spec.trigger)]
            guards = [GuardCondition(g, inputs) for g in declared]
            effects = Effects(spec)
            for source in definition.expanded_sources(spec):
                self._triggers.setdefault(source, [])
                if spec.trigger not in self._triggers[source]:
                    self._triggers[source].append(spec.trigger)
                self._specs.setdefault((source, spec.trigger), []).append(spec)
                for edge in self._edges_of(spec, source):
                    self._machine.add_transition(
                        spec.trigger,
                        source,
                        edge.dest,
                        conditions=[Gate(edge), *guards],
                        before=[effects] if spec.effects else [],
                    )
        self._carriers: queue.SimpleQueue[_Carrier] = queue.SimpleQueue()
        self._lock = threading.Lock()

    def _edges_of(self, spec: TransitionSpec, source: str) -> list[Edge]:
        if spec.dest != PREVIOUS_STATE:
            return [Edge(spec, source, spec.dest)]
        candidates = self.definition.previous_candidates(source)
        return [Edge(spec, source, prev, requires_previous=True) for prev in candidates]

    def triggers_from(self, state: str) -> list[str]:
        """Return the triggers leaving a state, in declaration order."""
        return list(self._triggers.get(state, ()))

    def available_actions(
        self, facts: CaseFacts, role: str, previous_state: str | None = None
    ) -> list[Action]:
        """List every trigger out of the current state, allowed or denied with its reasons."""
        attempt = Attempt(facts, role, previous_state)
        return [
            self._judge(attempt, trigger, listing=True)
            for trigger in self.triggers_from(facts.state)
        ]

    def _conditions(self, state: str, trigger: str) -> list[tuple[Gate, list[GuardCondition]]]:
        """The machine's own transitions of a trigger from a state, as (gate, guards), in order."""
        found = []
        for transition in self._machine.events[trigger].transitions[state]:
            gate, *guards = (c.func for c in transition.conditions)
            found.append((cast(Gate, gate), cast(list[GuardCondition], guards)))
        return found

    def _judge(self, attempt: Attempt, trigger: str, *, listing: bool) -> Action:
        """Explain a trigger from the machine's conditions, in the order the machine tries them.

        When listing, a guard reading one of the trigger's inputs that the case does not hold
        yet is reported as pending ("depends on X"), not as unmet; with a value, it is judged.
        """
        facts = attempt.facts
        serving = [(g, gs) for g, gs in self._conditions(facts.state, trigger) if g.serves(attempt)]
        permitted = [(g, gs) for g, gs in serving if policy.admits(g.roles, attempt.role)]
        unmet: list[Unmet] = []
        if serving and not permitted:
            roles = sorted({r for g, _ in serving for r in g.roles})
            unmet.append(
                Unmet(
                    "role",
                    f"role '{attempt.role}' may not do this; allowed: {', '.join(roles)}",
                    {"role": attempt.role, "allowed_roles": roles},
                )
            )
        if not serving:
            unmet.append(Unmet("no_previous_state", "the state to return to is unknown"))
        chosen: Gate | None = None
        pending: list[Unmet] = []
        for gate, guards in permitted:
            missing: list[Unmet] = []
            waiting: list[Unmet] = []
            for condition in guards:
                later = condition.depends_on(facts) if listing else []
                if later:
                    waiting.append(depends_on_inputs(later))
                elif (found := condition.unmet(facts)) is not None:
                    missing.append(found)
            if not missing:
                chosen, pending = gate, waiting
                break
            unmet += missing
            pending = pending or waiting
        spec = self._specs[(facts.state, trigger)][0]
        dest = chosen or (serving[0][0] if serving else None)
        return Action(
            trigger=trigger,
            label=spec.label,
            dest=dest.edge.dest if dest else facts.state,
            allowed=chosen is not None,
            roles=sorted({r for s in self._specs[(facts.state, trigger)] for r in s.roles}),
            unmet=[] if chosen else unmet,
            inputs=[self._input_view(i.field, i.required) for i in spec.inputs],
            reason_required=spec.reason_required,
            depends_on=pending,
        )

    def _allowed(self, facts: CaseFacts, role: str, previous_state: str | None) -> list[str]:
        return [a.trigger for a in self.available_actions(facts, role, previous_state) if a.allowed]

    def opening_inputs(self) -> list[InputView]:
        """What opening a case asks for (the workflow's declared opening inputs)."""
        opening = self.definition.opening
        return [self._input_view(i.field, i.required) for i in opening.inputs] if opening else []

    def trigger_inputs(self, trigger: str) -> list[InputView]:
        """What a trigger asks for, whatever the state (a cohort's bulk form)."""
        spec = next((t for t in self.definition.transitions if t.trigger == trigger), None)
        return [self._input_view(i.field, i.required) for i in spec.inputs] if spec else []

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
        """Apply one trigger through the machine, or raise a domain error with every reason."""
        specs = self._specs.get((facts.state, trigger))
        if specs is None:
            raise InvalidTransition(trigger, facts.state, self.triggers_from(facts.state))
        if not any(role in s.roles for s in specs):
            action = self._judge(Attempt(facts, role, previous_state), trigger, listing=True)
            raise RoleNotAllowed(
                trigger, facts.state, action.unmet, self._allowed(facts, role, previous_state)
            )
        given = coerce_inputs(self.definition, specs[0], inputs or {}, reason)
        proposed = replace(facts, data={**facts.data, **given}) if given else facts
        attempt = Attempt(proposed, role, previous_state, now)
        to_state = self._move(facts.state, trigger, attempt)
        if to_state is None:
            action = self._judge(attempt, trigger, listing=False)
            raise GuardFailed(
                trigger, facts.state, action.unmet, self._allowed(facts, role, previous_state)
            )
        data = {**proposed.data, **attempt.effects}
        data |= settle(self.definition, data, facts.state, to_state, facts.today)
        changes = {k: [facts.data.get(k), v] for k, v in data.items() if facts.data.get(k) != v}
        new_previous = facts.state if to_state != facts.state else previous_state
        return Outcome(trigger, facts.state, to_state, new_previous, data, changes, given)

    def _move(self, state: str, trigger: str, attempt: Attempt) -> str | None:
        """Fire on the shared machine; return the new state, or None when no edge's rules held."""
        carrier = self._borrow()
        try:
            self._machine.set_state(state, model=carrier)
            if not carrier.trigger(trigger, attempt=attempt):  # type: ignore[attr-defined]
                return None
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
