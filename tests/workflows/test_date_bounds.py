"""A date near the calendar's end is refused at the door, not overflowed in reminder planning."""

from __future__ import annotations

from datetime import date

import pytest
from test_external_referral import OPENING, WORKFLOW  # noqa: F401 - the drive fixture reads both

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.people import Person
from journey import Journey


@pytest.mark.parametrize("day", [date(9999, 12, 1), date(2200, 1, 1), date(1, 1, 1)])
def test_data_and_inputs_refuse_dates_out_of_range(
    drive: Journey, person: Person, day: date
) -> None:
    """A data change and a trigger's input each answer an input error naming the field."""
    assert person.id is not None
    cid = drive.open(person.id)
    drive.doc(cid, "operator_confirmation", "received")
    errors = []
    for attempt in (
        lambda: drive.set(cid, planned_start=day),
        lambda: drive.fire(
            cid, "confirm_service_civique", {"planned_start": day, "planned_end": day}
        ),
    ):
        with pytest.raises(InvalidInput) as caught:
            attempt()
        errors.append(caught.value.context["errors"][0]["message"])
    expected = [f"expected a date between 1900-01-01 and 2199-12-31, got {day}"] * 2
    assert (expected, "REFERRED_EXTERNAL") == (errors, drive.state(cid))
