"""Semantic checks of a parsed workflow: names that exist, states that are reachable and left."""

from __future__ import annotations

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
from ipm_workflow.domain.eligibility import OPENING
from ipm_workflow.domain.followup import follow_up_problems
from ipm_workflow.domain.lint_names import name_problems
from ipm_workflow.domain.lint_values import ValueChecks, did_you_mean
from ipm_workflow.domain.money import money_problems

__all__ = ["Problem", "did_you_mean", "lint"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """A lint finding at a place inside the workflow document."""

    path: Path
    message: str


class _Linter(ValueChecks):
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
        for path, message in name_problems(wf):
            self.report(path, message)
        self.known(("initial_state",), "state", wf.initial_state, wf.states)
        for name, state in wf.states.items():
            if state.owner is not None:
                self.known(("states", name, "owner"), "role", state.owner, wf.roles)
            self.check_clock(name)
        if wf.opening is not None:
            self.check_opening()
        for i, t in enumerate(wf.transitions):
            self.check_transition(("transitions", i), t)
        for i in range(len(wf.reminders)):
            self.check_reminder(("reminders", i), i)
        for i in range(len(wf.eligibility)):
            self.check_eligibility(("eligibility", i), i)
        self.check_computed()
        self.check_events()
        self.check_ambiguous_triggers()
        self.check_plain()
        self.check_graph()
        for path, message in [*follow_up_problems(wf), *money_problems(wf)]:
            self.report(path, message)
        return self.problems

    def check_clock(self, name: str) -> None:
        state = self.wf.states[name]
        if state.pauses_clock and state.time_limit is not None:
            self.report(
                ("states", name, "time_limit"),
                f"state '{name}' pauses the clock of the state a case comes from: it cannot "
                "have a time limit of its own",
            )
        if state.pauses_clock and state.terminal:
            self.report(
                ("states", name, "pauses_clock"),
                f"terminal state '{name}' cannot pause a clock: nothing comes back from it",
            )

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

    def check_reminder(self, path: Path, index: int) -> None:
        wf = self.wf
        rule = wf.reminders[index]
        if rule.anchor.state_entered is not None:
            self.known(
                (*path, "anchor", "state_entered"), "state", rule.anchor.state_entered, wf.states
            )
        if rule.anchor.time_limit is not None:
            where = (*path, "anchor", "time_limit")
            name = rule.anchor.time_limit
            if self.known(where, "state", name, wf.states) and wf.states[name].time_limit is None:
                self.report(where, f"state '{name}' has no time_limit to run out")
        if rule.anchor.state_entered is None and rule.anchor.time_limit is None:
            first_of = rule.anchor.first_of is not None
            self.check_anchor_dates((*path, "anchor"), rule.anchor.dates(), first_of)
        self.check_recipients((*path, "recipients"), rule.recipients)
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

    def check_eligibility(self, path: Path, index: int) -> None:
        wf = self.wf
        rules = wf.eligibility[index]
        for place, field, expected in rules.field_refs():
            where = (*path, *place)
            if self.known(where, "field", field, wf.fields) and expected:
                actual = wf.fields[field].type
                if actual != expected:
                    self.report(where, f"field '{field}' is a {actual}, a {expected} is needed")
        when = rules.applies_when
        if when is not None and when.field in wf.fields:
            self.check_value((*path, "applies_when", "value"), when.field, when.value)
        triggers = [OPENING, *(t.trigger for t in wf.transitions)]
        for j, step in enumerate(rules.checked_on):
            self.known((*path, "checked_on", j), "trigger", step, triggers)
        if rules.once_in_a_lifetime is not None:
            for j, state in enumerate(rules.once_in_a_lifetime.done_in):
                self.known((*path, "once_in_a_lifetime", "done_in", j), "state", state, wf.states)
        others = [p.programme for p in wf.eligibility[:index]]
        if rules.programme in others:
            self.report((*path, "programme"), f"programme '{rules.programme}' is declared twice")

    def check_plain(self) -> None:
        """The plain words cover every phase in use, name real states, and never show one."""
        plain = self.wf.plain
        if plain is None:
            return
        for name, state in self.wf.states.items():
            if state.phase not in plain.phases:
                self.report(
                    ("plain", "phases"),
                    f"phase '{state.phase}' (state '{name}') has no plain words for the "
                    "young person's pages",
                )
        for name in plain.states:
            self.known(("plain", "states", name), "state", name, self.wf.states)
        texts: list[tuple[Path, str]] = [
            (("plain", "phases", phase, part, lang), getattr(getattr(spec, part), lang))
            for phase, spec in plain.phases.items()
            for part in ("title", "text")
            for lang in ("fr", "en")
        ]
        texts += [
            (("plain", "states", name, lang), getattr(labels, lang))
            for name, labels in plain.states.items()
            for lang in ("fr", "en")
        ]
        jargon = [s for s in self.wf.states if len(s) > 2 and s.upper() == s]
        for path, said in texts:
            shown = [s for s in jargon if re.search(rf"\b{re.escape(s)}\b", said)]
            if shown:
                self.report(path, f"plain words show the internal state name '{shown[0]}'")

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
