"""`/actions` and firing judge with the same facts (issue: listed as allowed, then refused)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from test_external_referral import OPENING, WORKFLOW  # noqa: F401 - the drive fixture reads both

from ipm_workflow.domain.engine import Action
from ipm_workflow.domain.errors import GuardFailed
from journey import Journey, messages

VIE = {**OPENING, "external_programme": "vie"}
DRIVE_OPENING = VIE  # the `drive` fixture opens VIE referrals here


def _action(drive: Journey, case_id: int, trigger: str) -> Action:
    _, actions = drive.cases.actions(case_id, drive.advisor)
    return next(a for a in actions if a.trigger == trigger)


def _vie_case(drive: Journey, born: date, **data: Any) -> int:
    cid = drive.open(drive.person(born))
    drive.doc(cid, "operator_confirmation", "received")
    if data:
        drive.set(cid, **data)
    return cid


class TestTheIssuesCase:
    """Born 2011-05-01, VIE planned to start 2027-03-01, operator's confirmation received."""

    def test_listed_as_refused_for_the_reason_firing_gives(self, drive: Journey) -> None:
        """The listing judges the age guard with the case's planned_start, as firing does."""
        cid = _vie_case(
            drive, date(2011, 5, 1), planned_start=date(2027, 3, 1), planned_end=date(2027, 9, 1)
        )
        action = _action(drive, cid, "confirm_vie")
        with pytest.raises(GuardFailed) as caught:
            drive.fire(cid, "confirm_vie", {"previous_vie": False})
        rule = (
            "vie: age_at_start: age on planned_start (2027-03-01) is 15, below the lower bound 18"
        )
        expected = (False, [rule], [rule])
        actual = (action.allowed, [u.message for u in action.unmet], messages(caught.value))
        assert expected == actual

    def test_an_input_not_held_is_shown_as_pending(self, drive: Journey) -> None:
        """previous_vie is not held: its guard 'depends on previous_vie', the action is offered."""
        cid = _vie_case(
            drive, date(2000, 5, 1), planned_start=date(2027, 3, 1), planned_end=date(2027, 9, 1)
        )
        action = _action(drive, cid, "confirm_vie")
        expected = (True, [], ["depends on previous_vie: judged when given"])
        actual = (
            action.allowed,
            action.unmet,
            [u.message for u in action.depends_on],
        )
        assert expected == actual

    def test_listed_as_allowed_then_fired(self, drive: Journey) -> None:
        """Same facts, both ways: allowed in the listing, and firing with the input moves it."""
        cid = _vie_case(
            drive, date(2000, 5, 1), planned_start=date(2027, 3, 1), planned_end=date(2027, 9, 1)
        )
        allowed = _action(drive, cid, "confirm_vie").allowed
        fired = drive.fire(cid, "confirm_vie", {"previous_vie": False})
        assert (allowed, fired.case.state) == (True, "FOLLOW_UP")

    def test_a_value_given_when_firing_replaces_the_cases(self, drive: Journey) -> None:
        """The listing refuses on the case's date; firing with a later date judges that one."""
        cid = _vie_case(drive, date(2009, 1, 10), planned_start=date(2026, 6, 1))
        listed = _action(drive, cid, "confirm_vie").allowed
        dates = {"planned_start": date(2027, 3, 1), "planned_end": date(2027, 9, 1)}
        fired = drive.fire(cid, "confirm_vie", {**dates, "previous_vie": False})
        assert (listed, fired.case.state) == (False, "FOLLOW_UP")
