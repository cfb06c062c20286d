"""Report filters read from query parameters, and the masking of small counts."""

from __future__ import annotations

from datetime import date

import pytest

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.reports import Column, Counting, ReportFilters, ReportTable, masked


class TestFilters:
    """Query parameters as the API and the pages send them."""

    def test_lists_repeated_or_comma_separated(self) -> None:
        """`ml=a&ml=b` and `gender=female,male` both give lists; flags and dates are read."""
        filters = ReportFilters.parse({
            "from": "2026-01-01", "to": "2026-12-31", "ml": ["ml-a", "ml-b"],
            "gender": "female,male", "fewer_opportunities": "true", "attribution": "referring",
        })  # fmt: skip
        expected = ReportFilters(
            start=date(2026, 1, 1), end=date(2026, 12, 31), mission_locales=("ml-a", "ml-b"),
            genders=("female", "male"), fewer_opportunities=True, attribution="referring",
        )  # fmt: skip
        assert expected == filters

    def test_every_bad_value_is_named(self) -> None:
        """A bad date, territory value, age band and an inverted period: four errors."""
        with pytest.raises(InvalidInput) as caught:
            ReportFilters.parse({"from": "2026-13-01", "qpv": "maybe", "age_band": "old"})
        with pytest.raises(InvalidInput) as inverted:
            ReportFilters.parse({"from": "2026-02-01", "to": "2026-01-01"})
        expected = (["age_band", "from", "qpv"], ["to"])
        actual = (
            sorted(e["field"] for e in caught.value.errors),
            [e["field"] for e in inverted.value.errors],
        )
        assert expected == actual


class TestMasking:
    """Counts from 1 to threshold-1 hidden with the shares of their row; 0 and big ones kept."""

    def test_small_counts_and_their_shares(self) -> None:
        """Threshold 5: 3 and 4 hidden (and the row's share); 0, 5 and 12 shown."""
        columns = (Column("k", "k", "text"), Column("a", "a"), Column("b", "b"),
                   Column("s", "s", "share"))  # fmt: skip
        found = [("x", 12, 5, 0.4), ("y", 3, 0, 0.0), ("z", 0, 4, None)]
        table = ReportTable("t", "t", columns, found, counting=Counting.PEOPLE)
        expected = [("x", 12, 5, 0.4), ("y", None, 0, None), ("z", 0, None, None)]
        assert expected == masked(table, 5).rows
