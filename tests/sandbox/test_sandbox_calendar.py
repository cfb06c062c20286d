"""The sandbox clock moves by calendar months and years, end of month clamped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sandbox_kit import CLOCK, TRAINER, SandboxApi, parse


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _near(actual: datetime, expected: datetime) -> bool:
    return abs(actual - expected) < timedelta(seconds=30)


class TestCalendarAdvance:
    """`{"advance": "P1M"}` is a calendar month, not 30 days."""

    @pytest.mark.parametrize(
        ("start", "advance", "expected"),
        [
            (datetime(2027, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2027, 2, 28, 9, tzinfo=UTC)),
            (datetime(2027, 3, 2, 9, tzinfo=UTC), "P1Y", datetime(2028, 3, 2, 9, tzinfo=UTC)),
            (
                datetime(2027, 1, 31, 9, tzinfo=UTC),
                "P1M1DT1H",
                datetime(2027, 3, 1, 10, tzinfo=UTC),
            ),
        ],
    )
    def test_months_and_years(
        self, api: SandboxApi, start: datetime, advance: str, expected: datetime
    ) -> None:
        """The issue's moves land on the calendar day, at the same time of day."""
        api.to(start)
        moved = parse(api.move(advance=advance)["now"])
        # The sandbox's time runs on with the real one between requests: seconds, not days.
        assert (_near(moved, expected), _near(api.now(), expected)) == (True, True)

    @pytest.mark.parametrize("advance", ["P999999999D", "P11Y", "PT99999999H", "P1Y1"])
    def test_out_of_bounds_or_malformed_is_a_422(self, api: SandboxApi, advance: str) -> None:
        """A duration beyond ten years or malformed is refused, and the clock stays put."""
        before = api.now()
        response = api.call("POST", CLOCK, TRAINER, json={"advance": advance})
        moved = api.now() - before
        assert (response.status_code, moved < timedelta(minutes=1)) == (422, True)
