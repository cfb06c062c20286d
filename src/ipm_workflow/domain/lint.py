"""Semantic checks of a parsed workflow: names that exist, states that are reachable and left."""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ipm_workflow.domain.definitions import (
    ALL_ACTIVE,
    PREVIOUS_STATE,
    SYSTEM_ROLE,
    TransitionSpec,
    Workflow,
)
from ipm_workflow.domain.followup import follow_up_problems
from ipm_workflow.domain.guards import GuardBase
from ipm_workflow.domain.money import money_problems

Path = tuple[str | int, ...]

# Names the state-machine library (transitions 0.9) or our case model read in a special way.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_STATES = {
    "*": "the state-machine library reads '*' as 'every state'",
    "=": "the state-machine library reads '=' as 'the same state' (the case would not move)",
    PREVIOUS_STATE: "'@previous' is the destination meaning 'back where the case came from'",
}
RESERVED_TRIGGERS = {
    "state": "it is the case model's attribute that holds the state",
    "trigger": "it is the method the state-machine library adds to fire a trigger by name",
}
# The library adds is_<state>(), may_<trigger>() and to_<state>() to the case model, and looks
# callbacks up by these prefixes: a trigger of that shape would shadow or be taken for one.
RESERVED_TRIGGER_PREFIXES = (
    "is_",
    "may_",
    "to_",
    "before_",
    "after_",
    "prepare_",
    "on_enter_",
    "on_exit_",
    "on_exception",
    "on_final",
    "finalize_",
)
RESERVED_FIELDS = {
    "today": "guards read 'today' as the current date, so a field of that name could never be read",
}


@dataclass(frozen=True)
class Problem:
    """A lint finding at a place inside the workflow document."""

    path: Path
    message: str


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean X?)' for the closest candidate, or ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Linter:
    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        self.problems: list[Problem] = []

    def report(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def known(self, path: Path, what: str, name: str, candidates: Iterable[str]) -> bool:
        pool = list(candidates)
        if name in pool:
            return True
        self.report(path, f"unknown {what} '{name}'{did_you_mean(name, pool)}")
        return False

    def run(self) -> list[Problem]:
        wf = self.wf
        self.check_names()
        self.known(("initial_state",), "state", wf.initial_state, wf.states)
        for name, state in wf.states.items():
            if state.owner is not None:
                self.known(("states", name, "owner"), "role", state.owner, wf.roles)
        if wf.opening is not None:
            self.check_opening()
        for i, t in enumerate(wf.transitions):
            self.check_transition(("transitions", i), t)
        for i in range(len(wf.reminders)):
            self.check_reminder(("reminders", i), i)
        self.check_ambiguous_triggers()
        self.check_graph()
        for path, message in [*follow_up_problems(wf), *money_problems(wf)]:
            self.report(path, message)
        return self.problems

    def check_names(self) -> None:
        for name in self.wf.states:
            why = RESERVED_STATES.get(name)
            if why is None and not _NAME.match(name):
                why = "a state name is letters, digits and '_', starting with a letter"
            if why:
                self.report(("states", name), f"state name '{name}' is reserved or invalid: {why}")
        for i, t in enumerate(self.wf.transitions):
            why = RESERVED_TRIGGERS.get(t.trigger)
            prefix = next((p for p in RESERVED_TRIGGER_PREFIXES if t.trigger.startswith(p)), None)
            if why is None and prefix is not None:
                why = f"names starting with '{prefix}' belong to the state-machine library"
            if why:
                self.report(
                    ("transitions", i, "trigger"), f"trigger name '{t.trigger}' is reserved: {why}"
                )
        for name in self.wf.fields:
            why = RESERVED_FIELDS.get(name)
            if why is None and not _NAME.match(name):
                why = "a field name is letters, digits and '_', starting with a letter"
            if why:
                self.report(("fields", name), f"field name '{name}' is reserved or invalid: {why}")

    def check_transition(self, path: Path, t: TransitionSpec) -> None:
        wf = self.wf
        if t.source != ALL_ACTIVE:
            for j, src in enumerate(t.sources()):
                where = (*path, "source", j) if isinstance(t.source, list) else (*path, "source")
                if self.known(where, "state", src, wf.states) and wf.states[src].terminal:
                    self.report(where, f"state '{src}' is terminal: nothing may leave it")
        if t.dest != PREVIOUS_STATE:
            self.known((*path, "dest"), "state", t.dest, wf.states)
        for j, role in enumerate(t.roles):
            self.known((*path, "roles", j), "role", role, wf.roles)
        self.check_guards((*path, "guards"), t.guards)
        for j, item in enumerate(t.inputs):
            self.known((*path, "inputs", j, "field"), "field", item.field, wf.fields)
        for field, value in t.effects.items():
            if self.known((*path, "effects", field), "field", field, wf.fields):
                self.check_value((*path, "effects", field), field, value)

    def check_opening(self) -> None:
        opening = self.wf.opening
        assert opening is not None  # noqa: S101 - checked by the caller
        for j, role in enumerate(opening.roles):
            self.known(("opening", "roles", j), "role", role, self.wf.roles)
        for j, item in enumerate(opening.inputs):
            self.known(("opening", "inputs", j, "field"), "field", item.field, self.wf.fields)
        self.check_guards(("opening", "guards"), opening.guards)

    def check_value(self, path: Path, field: str, value: Any) -> None:
        spec = self.wf.fields[field]
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None:
                continue
            if spec.type == "enum" and spec.values and item not in spec.values:
                hint = did_you_mean(str(item), spec.values)
                self.report(path, f"'{item}' is not a value of enum field '{field}'{hint}")
            elif spec.type == "boolean" and not isinstance(item, bool):
                self.report(path, f"field '{field}' is a boolean: use true or false, not {item!r}")
            elif spec.type == "money" and (isinstance(item, bool) or not isinstance(item, int)):
                self.report(
                    path, f"field '{field}' is an amount in cents (an integer), not {item!r}"
                )
            elif spec.type == "number" and (
                isinstance(item, bool) or not isinstance(item, int | float)
            ):
                self.report(path, f"field '{field}' is a number, not {item!r}")

    def check_guards(self, path: Path, guards: list[Any]) -> None:
        wf = self.wf
        for j, guard in enumerate(guards):
            assert isinstance(guard, GuardBase)  # noqa: S101 - the union only holds guard kinds
            for attr, field, expected in guard.field_refs():
                where = (*path, j, attr)
                if self.known(where, "field", field, wf.fields) and expected:
                    actual = wf.fields[field].type
                    if actual != expected:
                        self.report(where, f"field '{field}' is a {actual}, a {expected} is needed")
            field_name = getattr(guard, "field", None)
            for attr in ("value", "values"):
                if hasattr(guard, attr) and field_name in wf.fields:
                    self.check_value((*path, j, attr), field_name, getattr(guard, attr))
            for k, doc in enumerate(getattr(guard, "documents", [])):
                self.known((*path, j, "documents", k), "document", doc, wf.documents)

    def check_reminder(self, path: Path, index: int) -> None:
        wf = self.wf
        rule = wf.reminders[index]
        if rule.anchor.state_entered is not None:
            self.known(
                (*path, "anchor", "state_entered"), "state", rule.anchor.state_entered, wf.states
            )
        if rule.anchor.field is not None:
            field = rule.anchor.field
            known = self.known((*path, "anchor", "field"), "field", field, wf.fields)
            if known and wf.fields[field].type != "date":
                self.report((*path, "anchor", "field"), f"field '{field}' is not a date")
        for j, state in enumerate(rule.while_in):
            self.known((*path, "while_in", j), "state", state, wf.states)
        self.check_guards((*path, "unless"), rule.unless)
        if rule.timeout is not None:
            trigger = rule.timeout.trigger
            matching = [t for t in wf.transitions if t.trigger == trigger]
            if not matching:
                names = {t.trigger for t in wf.transitions}
                self.report(
                    (*path, "timeout", "trigger"),
                    f"unknown trigger '{trigger}'{did_you_mean(trigger, names)}",
                )
            elif not any(SYSTEM_ROLE in t.roles for t in matching):
                self.report(
                    (*path, "timeout", "trigger"),
                    f"trigger '{trigger}' does not allow role '{SYSTEM_ROLE}'",
                )

    def check_ambiguous_triggers(self) -> None:
        seen: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for i, t in enumerate(self.wf.transitions):
            signature = repr(sorted(g.model_dump_json() for g in t.guards))
            for src in self.wf.expanded_sources(t):
                for j, other in seen.get((src, t.trigger), []):
                    if other == signature:
                        self.report(
                            ("transitions", i, "trigger"),
                            f"trigger '{t.trigger}' from '{src}' is also declared by "
                            f"transitions[{j}] and no guard tells them apart",
                        )
                seen.setdefault((src, t.trigger), []).append((i, signature))

    def edges(self) -> dict[str, set[str]]:
        wf = self.wf
        out: dict[str, set[str]] = {name: set() for name in wf.states}
        for t in wf.transitions:
            for src in wf.expanded_sources(t):
                if src not in out:
                    continue
                if t.dest == PREVIOUS_STATE:
                    out[src].update(wf.previous_candidates(src))
                elif t.dest in wf.states:
                    out[src].add(t.dest)
        return out

    def check_graph(self) -> None:
        wf = self.wf
        if wf.initial_state not in wf.states:
            return
        edges = self.edges()
        reached = {wf.initial_state}
        queue = deque([wf.initial_state])
        while queue:
            for nxt in edges[queue.popleft()]:
                if nxt not in reached:
                    reached.add(nxt)
                    queue.append(nxt)
        for name, state in wf.states.items():
            if name not in reached:
                self.report(
                    ("states", name), f"state '{name}' cannot be reached from '{wf.initial_state}'"
                )
            if not state.terminal and not edges[name]:
                self.report(("states", name), f"state '{name}' is not terminal but has no way out")


def lint(workflow: Workflow) -> list[Problem]:
    """Return every semantic problem of a workflow that parsed; empty when it is sound."""
    return _Linter(workflow).run()
