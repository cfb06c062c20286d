"""Lint of the names a workflow gives its states, triggers and fields: the state-machine library
and our case model read some names in a special way, so a workflow may not use them."""

from __future__ import annotations

import re

from ipm_workflow.domain.definitions import PREVIOUS_STATE, Workflow

Path = tuple[str | int, ...]

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


def name_problems(wf: Workflow) -> list[tuple[Path, str]]:
    """Return (place, message) for every reserved or malformed state, trigger or field name."""
    found: list[tuple[Path, str]] = []
    for name in wf.states:
        if why := _why_not(name, "state", RESERVED_STATES):
            found.append((("states", name), f"state name '{name}' is reserved or invalid: {why}"))
    for i, t in enumerate(wf.transitions):
        why = RESERVED_TRIGGERS.get(t.trigger)
        prefix = next((p for p in RESERVED_TRIGGER_PREFIXES if t.trigger.startswith(p)), None)
        if why is None and prefix is not None:
            why = f"names starting with '{prefix}' belong to the state-machine library"
        if why:
            place: Path = ("transitions", i, "trigger")
            found.append((place, f"trigger name '{t.trigger}' is reserved: {why}"))
    for name in [*wf.fields, *wf.computed]:
        if why := _why_not(name, "field", RESERVED_FIELDS):
            found.append((("fields", name), f"field name '{name}' is reserved or invalid: {why}"))
    return found


def _why_not(name: str, what: str, reserved: dict[str, str]) -> str | None:
    why = reserved.get(name)
    if why is None and not _NAME.match(name):
        why = f"a {what} name is letters, digits and '_', starting with a letter"
    return why
