"""A duplicate case is merged by a supervisor only, in every programme, from an active state.

The drive fixture here opens cases on the programme of each parameter (the programmes' own
test modules drive a single workflow each); each programme brings the duplicate along with
its own walk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import test_erasmus_vet_group as group
import test_esc_volunteering as esc
import test_external_referral as external

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.services.commands import Actor
from journey import ML_ACTOR, Journey, assert_chains_ok
from journey.endings import merge_by_supervisor


@dataclass(frozen=True)
class Programme:
    """A workflow, the inputs that open its cases, and how a duplicate reaches an active state."""

    workflow: str
    opening: Mapping[str, Any]
    reach: Callable[[Journey, int], None]


@pytest.fixture
def drive(
    container: Container, clock: ManualClock, advisor: Actor, programme: Programme
) -> Journey:
    """A journey on the parameter's programme (overrides the module-driven one)."""
    return Journey(
        container,
        advisor,
        clock,
        workflow=programme.workflow,
        opening=programme.opening,
        opener=ML_ACTOR,
    )


@pytest.mark.parametrize(
    ("programme", "survivor_state"),
    [
        pytest.param(
            Programme(group.WORKFLOW, group.OPENING, lambda d, c: group.walk(d, c, "PREPARING")),
            "REFERRED",
            id="erasmus_vet_group-from-preparing",
        ),
        pytest.param(
            Programme(esc.WORKFLOW, esc.OPENING, lambda d, c: esc.walk(d, c, "OFFER_ACCEPTED")),
            "REFERRED",
            id="esc_volunteering-after-the-offer",
        ),
        pytest.param(
            Programme(external.WORKFLOW, external.OPENING, external.placed),
            "REFERRED_EXTERNAL",
            id="external_referral-during-the-follow-up",
        ),
    ],
)
def test_merge_by_the_supervisor_only(
    container: Container,
    drive: Journey,
    case_id: int,
    directory: Mapping[str, User],
    programme: Programme,
    survivor_state: str,
) -> None:
    """The advisor may not merge the duplicate; the supervisor does, the original stays put."""
    supervisor = directory["supervisor"]
    reach = programme.reach
    actual = merge_by_supervisor(drive, container, supervisor, case_id, lambda c: reach(drive, c))
    expected = ("MERGED", case_id, survivor_state)
    assert expected == actual
    assert_chains_ok(container, 2)
