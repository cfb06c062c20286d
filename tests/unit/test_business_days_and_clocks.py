"""Business days with French public holidays, time limits, and clocks that pause."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ipm_workflow.domain import clocks
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.durations import (
    BusinessDays,
    Duration,
    TimeLimit,
    add_business_days,
    deadline,
    is_business_day,
)

PARIS = ZoneInfo("Europe/Paris")
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
LIMITS = TypeAdapter(TimeLimit)


def _workflow() -> Workflow:
    return Workflow.model_validate(
        {
            "name": "t",
            "version": 1,
            "title": {"fr": "T", "en": "T"},
            "initial_state": "A",
            "roles": ["advisor"],
            "states": {
                "A": {"phase": "preparation", "time_limit": "P1M", "label": {"fr": "A", "en": "A"}},
                "P": {
                    "phase": "preparation",
                    "pauses_clock": True,
                    "label": {"fr": "P", "en": "P"},
                },
                "B": {
                    "phase": "preparation",
                    "time_limit": {"business_days": 2},
                    "label": {"fr": "B", "en": "B"},
                },
            },
            "transitions": [{"trigger": "go", "source": "A", "dest": "B", "roles": ["advisor"]}],
        }
    )


def _at(day: int, month: int = 1, hour: int = 9) -> datetime:
    return datetime(2029, month, day, hour, tzinfo=UTC)


class TestBusinessDays:
    """Monday to Friday, less the French public holidays."""

    @pytest.mark.parametrize(
        ("start", "days", "expected"),
        [
            (date(2029, 3, 30), 2, date(2029, 4, 4)),  # weekend, then Easter Monday (2 April)
            (date(2029, 7, 12), 2, date(2029, 7, 16)),  # Friday 13th, weekend, Monday 16th
            (date(2029, 7, 13), 1, date(2029, 7, 16)),
            (date(2029, 4, 30), 1, date(2029, 5, 2)),  # 1 May is not worked
            (date(2029, 12, 24), 1, date(2029, 12, 26)),  # nor Christmas Day
            (date(2029, 4, 4), -2, date(2029, 3, 30)),
        ],
    )
    def test_examples(self, start: date, days: int, expected: date) -> None:
        """Holidays and weekends are skipped, forwards and backwards."""
        assert expected == add_business_days(start, days)

    def test_holidays_are_not_worked(self) -> None:
        """Bastille Day, Ascension, Whit Monday 2029 are French public holidays."""
        expected = [False, False, False, True]
        days = [date(2029, 7, 14), date(2029, 5, 10), date(2029, 5, 21), date(2029, 5, 22)]
        assert expected == [is_business_day(d) for d in days]

    @given(DAYS, st.integers(min_value=1, max_value=60))
    def test_lands_on_a_worked_day_after_the_start(self, start: date, days: int) -> None:
        """N business days later is a worked day, later than the start, and N worked days on."""
        end = add_business_days(start, days)
        worked = sum(
            is_business_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )
        assert (True, True, days) == (is_business_day(end), end > start, worked)

    def test_a_time_limit_in_business_days_keeps_the_local_time(self) -> None:
        """Friday 30 March 2029 10:00 in Paris + 2 business days: Wednesday 4 April 10:00."""
        start = datetime(2029, 3, 30, 8, tzinfo=UTC)
        assert datetime(2029, 4, 4, 8, tzinfo=UTC) == deadline(
            BusinessDays(business_days=2), start, PARIS
        )


class TestTimeLimits:
    """How a time limit is written in a workflow."""

    def test_the_two_forms(self) -> None:
        """ISO text or `{business_days: N}`."""
        expected = (Duration(months=1), BusinessDays(business_days=2))
        assert expected == (
            LIMITS.validate_python("P1M"),
            LIMITS.validate_python({"business_days": 2}),
        )

    @pytest.mark.parametrize("raw", [{"business_days": 0}, {"business_days": 2, "x": 1}, "-P1D"])
    def test_refusals(self, raw: object) -> None:
        """No zero, no unknown key, nothing negative."""
        with pytest.raises(ValidationError):
            LIMITS.validate_python(raw)

    def test_a_calendar_month_from_the_31st_is_clamped(self) -> None:
        """31 January 10:00 in Paris + P1M: 28 February 10:00."""
        assert _at(28, 2) == deadline(Duration(months=1), _at(31), PARIS)


class TestPausingClock:
    """settle() on state entry, pause and resume."""

    def test_a_pausing_state_keeps_the_previous_clock_and_adds_the_pause_back(self) -> None:
        """A → P (10 days) → A: the deadline moves by ten days."""
        wf = _workflow()
        case = Case(1, 1, "t", 1, "A", "ml")
        clocks.settle(case, wf, _at(31), PARIS)
        assert _at(28, 2) == case.due_at
        case.state = "P"
        clocks.settle(case, wf, _at(10, 2), PARIS)
        assert ("A", None, _at(10, 2)) == (case.clock_state, case.due_at, case.clock_paused_since)
        case.state = "A"
        clocks.settle(case, wf, _at(20, 2), PARIS)
        reading = clocks.read(case, _at(1, 3))
        assert (_at(10, 3), timedelta(days=10), timedelta(days=19), False) == (
            case.due_at,
            reading.paused,
            reading.used,
            reading.overdue,
        )

    def test_a_new_state_starts_its_own_clock(self) -> None:
        """A → B: B's business-day clock starts fresh."""
        wf = _workflow()
        case = Case(1, 1, "t", 1, "A", "ml")
        clocks.settle(case, wf, _at(31), PARIS)
        case.state = "B"
        clocks.settle(case, wf, datetime(2029, 3, 30, 8, tzinfo=UTC), PARIS)
        assert ("B", 0, datetime(2029, 4, 4, 8, tzinfo=UTC)) == (
            case.clock_state,
            case.clock_paused_seconds,
            case.due_at,
        )

    def test_a_suspension_stops_the_clock_in_place(self) -> None:
        """Suspended five days in A: due five days later."""
        wf = _workflow()
        case = Case(1, 1, "t", 1, "A", "ml")
        clocks.settle(case, wf, _at(1), PARIS)
        case.suspended_at = _at(5)
        clocks.settle(case, wf, _at(5), PARIS)
        assert case.due_at is None
        case.suspended_at = None
        clocks.settle(case, wf, _at(10), PARIS)
        assert _at(6, 2) == case.due_at
