"""Lint checks of guards, computed values, value lists, data recipients and event messages."""

from __future__ import annotations

import difflib
from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.guard_fields import FieldIn
from ipm_workflow.domain.guards import GuardBase
from ipm_workflow.domain.reminder_rules import FIELD_RECIPIENT, FromField, Recipient
from ipm_workflow.domain.value_lists import value_lists

Path = tuple[str | int, ...]
# Fields a message can be sent to when named as a recipient.
ADDRESS_TYPES = ("email", "phone")


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean X?)' for the closest candidate, or ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class ValueChecks:
    """The checks of what guards, anchors, templates and messages read from a case."""

    wf: Workflow

    @abstractmethod
    def report(self, path: Path, message: str) -> None:
        """Record a problem."""

    @abstractmethod
    def known(self, path: Path, what: str, name: str, candidates: Iterable[str]) -> bool:
        """Tell whether a name is among candidates; report it (with a hint) otherwise."""

    @abstractmethod
    def check_value(self, path: Path, field: str, value: Any) -> None:
        """Check a literal value against a field's type."""

    def known_value(self, path: Path, name: str, expected: str | None) -> bool:
        """A field or computed value exists and, when a type is expected, has that type."""
        if not self.known(path, "field", name, self.wf.value_names()):
            return False
        actual = self.wf.value_type(name)
        if expected and actual is not None and actual != expected:
            self.report(path, f"field '{name}' is a {actual}, a {expected} is needed")
            return False
        return True

    def check_guards(self, path: Path, guards: list[Any]) -> None:
        for j, guard in enumerate(guards):
            self.check_guard((*path, j), guard)

    def check_guard(self, path: Path, guard: Any) -> None:
        assert isinstance(guard, GuardBase)  # noqa: S101 - the union only holds guard kinds
        for attr, field, expected in guard.field_refs():
            self.known_value((*path, attr), field, expected)
        field_name = getattr(guard, "field", None)
        if isinstance(guard, FieldIn) and isinstance(guard.values, str):
            lists = value_lists()
            if guard.values not in lists:
                hint = did_you_mean(guard.values, lists)
                self.report((*path, "values"), f"unknown value list '{guard.values}'{hint}")
            elif field_name in self.wf.fields and self.wf.fields[field_name].type != "text":
                kind = self.wf.fields[field_name].type
                self.report(
                    (*path, "values"),
                    f"a shipped list holds codes (text): field '{field_name}' is a {kind}",
                )
        else:
            for attr in ("value", "values"):
                if hasattr(guard, attr) and field_name in self.wf.fields:
                    self.check_value((*path, attr), field_name, getattr(guard, attr))
        for k, doc in enumerate(getattr(guard, "documents", [])):
            if not self.known((*path, "documents", k), "document", doc, self.wf.documents):
                continue
            if self.wf.documents[doc].provided_by == ["guardian"] and not guard.only_if_minor_at:
                self.report(
                    (*path, "documents", k),
                    f"document '{doc}' is provided by a guardian only: a guard needing it must "
                    "hold only for minors (only_if_minor_at), an adult has no guardian",
                )
        low, high = _bounds(guard)
        if low is not None and high is not None and low > high:
            self.report(path, f"the lower bound ({low}) is above the upper bound ({high})")
        for place, child in guard.children():
            self.check_guard((*path, *place), child)

    def check_recipients(self, path: Path, recipients: list[Recipient | FromField]) -> None:
        for j, recipient in enumerate(recipients):
            if isinstance(recipient, str):
                continue
            where = (*path, j, "field")
            if self.known(where, "field", recipient.field, self.wf.fields):
                kind = self.wf.fields[recipient.field].type
                if kind not in ADDRESS_TYPES:
                    self.report(
                        where,
                        f"field '{recipient.field}' is a {kind}: a recipient needs an e-mail or "
                        f"phone field ('{FIELD_RECIPIENT}{recipient.field}')",
                    )

    def check_computed(self) -> None:
        wf = self.wf
        for name, spec in wf.computed.items():
            path: Path = ("computed", name)
            if name in wf.fields:
                self.report(path, f"computed value '{name}' has the name of a data field")
            for place, used in spec.inputs():
                where = (*path, *place)
                if used == "today":
                    self.report(
                        where, "a computed value may not read 'today': it depends on the data only"
                    )
                    continue
                expected = "date" if spec.days_between is not None else None
                self.known_value(where, used, expected)
            if self._circular(name, ()):
                self.report(path, f"computed value '{name}' depends on itself")
            elif spec.first_of is not None:
                types = {wf.value_type(n) for n in spec.first_of if n in wf.value_names()}
                if len(types) > 1:
                    shown = ", ".join(sorted(str(t) for t in types))
                    self.report(
                        (*path, "first_of"), f"first_of mixes values of different types ({shown})"
                    )

    def _circular(self, name: str, trail: tuple[str, ...]) -> bool:
        if name in trail:
            return True
        spec = self.wf.computed.get(name)
        if spec is None:
            return False
        return any(self._circular(used, (*trail, name)) for _, used in spec.inputs())

    def check_anchor_dates(self, path: Path, names: list[str], first_of: bool) -> None:
        for j, name in enumerate(names):
            where = (*path, "first_of", j) if first_of else (*path, "field")
            known = self.known(where, "field", name, self.wf.value_names())
            if known and self.wf.value_type(name) != "date":
                self.report(where, f"field '{name}' is not a date")

    def check_events(self) -> None:
        wf = self.wf
        seen = {r.id for r in wf.reminders}
        triggers = {t.trigger for t in wf.transitions}
        for i, event in enumerate(wf.events):
            path: Path = ("events", i)
            if event.id in seen:
                self.report((*path, "id"), f"id '{event.id}' is already used by another rule")
            seen.add(event.id)
            if event.when.trigger is not None:
                self.known((*path, "when", "trigger"), "trigger", event.when.trigger, triggers)
            if event.when.state_entered is not None:
                self.known(
                    (*path, "when", "state_entered"), "state", event.when.state_entered, wf.states
                )
            self.check_recipients((*path, "recipients"), event.recipients)


def _bounds(guard: GuardBase) -> tuple[float | None, float | None]:
    for low, high in (("min_days", "max_days"), ("min", "max")):
        if hasattr(guard, low):
            return getattr(guard, low), getattr(guard, high)
    return None, None
