"""ISO 8601 durations with calendar months and years, end of month clamped."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ipm_workflow.domain.durations import (
    MAX_DAYS,
    Duration,
    FixedDuration,
    Span,
    bounded,
    parse_duration,
)

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


class TestCalendar:
    """Months and years follow the calendar."""

    @pytest.mark.parametrize(
        ("start", "text", "expected"),
        [
            (date(2027, 1, 31), "P1M", date(2027, 2, 28)),
            (date(2028, 1, 31), "P1M", date(2028, 2, 29)),
            (date(2027, 3, 2), "P1Y", date(2028, 3, 2)),
            (date(2028, 2, 29), "P1Y", date(2029, 2, 28)),
            (date(2027, 3, 31), "-P1M", date(2027, 2, 28)),
            (date(2027, 1, 31), "P1M1D", date(2027, 3, 1)),
            (date(2027, 12, 15), "P1Y2M", date(2029, 2, 15)),
            (date(2027, 1, 1), "P2W", date(2027, 1, 15)),
        ],
    )
    def test_examples(self, start: date, text: str, expected: date) -> None:
        """The issue's examples and their neighbours."""
        assert expected == start + parse_duration(text)

    def test_a_datetime_keeps_its_time_and_zone(self) -> None:
        """2027-01-31 10:30 UTC + P1MT2H is 2027-02-28 12:30 UTC."""
        moment = datetime(2027, 1, 31, 10, 30, tzinfo=UTC)
        expected = datetime(2027, 2, 28, 12, 30, tzinfo=UTC)
        assert expected == moment + parse_duration("P1MT2H")

    def test_subtracting_goes_back(self) -> None:
        """`moment - duration` moves back by the calendar too."""
        assert datetime(2027, 2, 28, tzinfo=UTC) == datetime(
            2027, 3, 31, tzinfo=UTC
        ) - parse_duration("P1M")

    @pytest.mark.parametrize("text", ["P1M", "PT48H", "P15D", "-P1D", "P1Y2M3DT4H5M6S", "PT0.5S"])
    def test_text_round_trips(self, text: str) -> None:
        """The ISO form of a parsed duration parses back to the same duration."""
        assert parse_duration(text) == parse_duration(str(parse_duration(text)))


class TestProperties:
    """Invariants of calendar arithmetic."""

    @given(DAYS, st.integers(min_value=0, max_value=120))
    def test_months_never_leave_the_target_month(self, start: date, months: int) -> None:
        """Adding N months lands in the month N months later, never past its last day."""
        moved = start + Duration(months=months)
        index = start.year * 12 + start.month - 1 + months
        expected_month = (index // 12, index % 12 + 1)
        last = calendar.monthrange(*expected_month)[1]
        assert expected_month == (moved.year, moved.month)
        assert moved.day == min(start.day, last)

    @given(DAYS, st.integers(min_value=0, max_value=50))
    def test_years_are_twelve_months(self, start: date, years: int) -> None:
        """P{n}Y and P{12n}M land on the same day."""
        assert start + Duration(years=years) == start + Duration(months=12 * years)

    @given(DAYS, st.integers(min_value=0, max_value=MAX_DAYS))
    def test_days_are_exact(self, start: date, days: int) -> None:
        """Days carry no calendar rule: P{n}D is n days."""
        assert start + timedelta(days=days) == start + parse_duration(f"P{days}D")

    @given(DAYS, st.integers(min_value=0, max_value=120))
    def test_adding_never_goes_back(self, start: date, months: int) -> None:
        """A forward duration never moves a date back."""
        assert start + Duration(months=months) >= start

    @given(DAYS, DAYS, st.integers(min_value=0, max_value=120))
    def test_adding_months_is_monotone(self, one: date, other: date, months: int) -> None:
        """An earlier date never lands after a later one (end-of-month clamping keeps order)."""
        early, late = sorted((one, other))
        assert early + Duration(months=months) <= late + Duration(months=months)


class TestRefusals:
    """Text that is not a duration, or one too long, is refused with the reason."""

    @pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "1D", "junk", "P1.5M", "P-1D"])
    def test_not_a_duration(self, text: str) -> None:
        """Malformed text is a ValueError naming the expected form."""
        with pytest.raises(ValueError, match=r"ISO 8601|'T'"):
            parse_duration(text)

    @pytest.mark.parametrize("text", ["P999999999D", "P11Y", "P200M", "PT99999999H", "P3661D"])
    def test_too_long(self, text: str) -> None:
        """Beyond ten years, a duration is refused before any arithmetic can overflow."""
        with pytest.raises(ValueError, match="longer than the limit"):
            bounded(text)

    def test_days_only_where_the_length_must_be_fixed(self) -> None:
        """A lateness in months has no fixed length: refused, saying to give days."""
        adapter = TypeAdapter(FixedDuration)
        with pytest.raises(ValidationError, match="give days"):
            adapter.validate_python("P1M")
        assert timedelta(days=30) == adapter.validate_python("P30D")

    def test_a_limit_is_never_negative(self) -> None:
        """A negative time limit is refused."""
        with pytest.raises(ValidationError, match="negative"):
            TypeAdapter(Span).validate_python("-P1D")
