"""One conversion to JSON values serves the history payloads and the subject access export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from ipm_workflow.domain.json_values import plain


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Record:
    day: date
    amount: Decimal
    tags: tuple[str, ...]


class TestPlain:
    """Dates as ISO text, amounts as text, records and mappings as objects, collections as lists."""

    def test_nested_values_become_json_values(self) -> None:
        """A record inside a mapping, with a date, an amount, a tuple and an enumeration."""
        value = {
            1: Record(date(2026, 3, 1), Decimal("12.50"), ("a", "b")),
            "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            "colour": Colour.RED,
            "ids": {3},
        }

        actual = plain(value)

        expected = {
            "1": {"day": "2026-03-01", "amount": "12.50", "tags": ["a", "b"]},
            "at": "2026-03-01T09:30:00+00:00",
            "colour": "red",
            "ids": [3],
        }
        assert expected == actual

    def test_other_values_stay_as_they_are(self) -> None:
        """Text, numbers, booleans and None are JSON values already."""
        expected = ["text", 3, 1.5, True, None]
        assert expected == [plain(v) for v in expected]
