"""What the engine answers: the actions out of a state, and what firing one changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ipm_workflow.domain.definitions import Labels
from ipm_workflow.domain.errors import Unmet


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
    # Guards that read an input not given yet: judged when the trigger is fired with it.
    depends_on: list[Unmet] = field(default_factory=list)


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
