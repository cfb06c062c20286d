"""Endings every programme shares, checked the same way on each workflow's journey.

Each function plays one scenario through a `Journey` and returns what the test compares with
its own hand-written expectation: a duplicate merged by the supervisor only, contact lost after
the unanswered M+12 survey, an early end that waits for its evidence, a reason required.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import GuardFailed, InvalidInput, RoleNotAllowed
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.handlers import Fired

from .facts import ML_ACTOR
from .service import Journey, messages

# What the M+12 survey leaves once nobody answered it (`lost_at_m12`): one try on each channel
# in the declared order (SMS, the advisor's call, e-mail), then the system's LOST_CONTACT.
LOST_AT_M12 = ([(0, "sent")], [(0, "sent")], [(0, "sent")], "LOST_CONTACT", ("unknown", "unknown"))
MISSING_EVIDENCE = ["documents not in order: early_return_evidence (missing)"]


def walk_path(
    drive: Journey, case_id: int, target: str, path: Sequence[str], leave: Callable[[str], None]
) -> None:
    """Leave each state of `path` (with `leave(state)`) until the case stands in `target`.

    Raises AssertionError when `target` is not ahead of the case's state on the path.
    """
    while (state := drive.state(case_id)) != target:
        assert state in path[:-1], f"{target} is not ahead of {state}"
        leave(state)


def merge_by_supervisor(
    drive: Journey,
    container: Container,
    supervisor: User,
    case_id: int,
    reach: Callable[[int], Any],
) -> tuple[str, Any, str]:
    """Open a duplicate of the case's person, bring it along with `reach(duplicate)`, check the
    advisor may not merge it, merge it as the supervisor.

    Returns (the duplicate's state, its `merged_into`, the surviving case's state).
    """
    duplicate = drive.open(drive.case(case_id).person_id)
    reach(duplicate)
    with pytest.raises(RoleNotAllowed):
        drive.fire(duplicate, "merge", {"merged_into": case_id}, reason="same young person")
    merged = container.merges.merge(case_id, duplicate, "same young person", Actor.of(supervisor))
    return merged.merged.state, merged.merged.data["merged_into"], drive.state(case_id)


def lost_at_m12(drive: Journey, case_id: int, end: date) -> tuple[Any, ...]:
    """Leave the M+12 survey (due a year after `end`) unanswered on every channel for 30 days.

    Returns the shape of `LOST_AT_M12`: the tries sent per rule, the state, the M+12 and final
    outcomes.
    """
    drive.unanswered(case_id, end + timedelta(days=365))
    case = drive.case(case_id)
    return (
        drive.sent(case_id, "outcome_m12", "young_person"),
        drive.sent(case_id, "outcome_m12_call", "advisor"),
        drive.sent(case_id, "outcome_m12_email", "young_person"),
        case.state,
        (case.data["outcome_m12"], case.data["final_outcome"]),
    )


def outcomes_then_close(
    drive: Journey, case_id: int, end: date, outcomes: Sequence[tuple[str, str]], final: str
) -> Case:
    """Record the M+3, M+6 and M+12 outcomes, each on its day after the stay's `end` (91, 182
    and 365 days, plus one), then close the case with its final outcome.

    `outcomes` holds (outcome, source) for M+3, M+6 and M+12; the mission locale records the
    M+3 one (its advisor follows the young person nearest). Returns the closed case.
    """
    for (outcome, source), (checkpoint, days) in zip(
        outcomes, (("m3", 92), ("m6", 183), ("m12", 366)), strict=True
    ):
        drive.move_to(end + timedelta(days=days))
        actor = ML_ACTOR if checkpoint == "m3" else None
        drive.outcome(case_id, checkpoint, outcome, source, actor=actor)
    return drive.fire(case_id, "close", {"final_outcome": final}).case


def ended_with_evidence(
    drive: Journey, case_id: int, trigger: str, inputs: Mapping[str, Any], reason: str
) -> Fired:
    """Fire an early end: refused while the evidence is missing, fired once it is received."""
    with pytest.raises(GuardFailed) as caught:
        drive.fire(case_id, trigger, inputs, reason=reason)
    assert messages(caught.value) == MISSING_EVIDENCE
    drive.doc(case_id, "early_return_evidence", "received")
    return drive.fire(case_id, trigger, inputs, reason=reason)


def fired_with_reason(
    drive: Journey, case_id: int, trigger: str, inputs: Mapping[str, Any], reason: str
) -> Fired:
    """Fire a trigger that requires a reason: refused without one (the reason field named),
    fired with it."""
    with pytest.raises(InvalidInput) as caught:
        drive.fire(case_id, trigger, inputs)
    expected = [{"field": "reason", "message": f"'{trigger}' requires a reason"}]
    assert expected == caught.value.errors
    return drive.fire(case_id, trigger, inputs, reason=reason)
