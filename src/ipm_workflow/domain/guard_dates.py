"""Guards on dates and ages: a date ahead or far enough, two dates in order, an age in bounds,
a minor's guardian on file."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field

from ipm_workflow.domain.cases import ADULT_AGE, CaseFacts, age_on
from ipm_workflow.domain.durations import MAX_DAYS
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guard_base import MAX_AGE, GuardBase, field_missing


class DateInFuture(GuardBase):
    """A date field lies strictly after today."""

    kind: Literal["date_in_future"]
    field: str
    field_attrs: ClassVar[dict[str, str | None]] = {"field": "date"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the date is missing, today or past."""
        day = facts.date_of(self.field)
        if day is None:
            return field_missing(self.field)
        if day <= facts.today:
            return Unmet(
                "date_not_in_future",
                f"{self.field} ({day}) must be after today ({facts.today})",
                {"field": self.field, "value": day.isoformat(), "today": facts.today.isoformat()},
            )
        return None


class DateDaysAway(GuardBase):
    """A date field lies at least N days after today."""

    kind: Literal["date_days_away"]
    field: str
    min_days: int = Field(ge=0, le=MAX_DAYS)
    field_attrs: ClassVar[dict[str, str | None]] = {"field": "date"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the date is missing or closer than N days."""
        day = facts.date_of(self.field)
        if day is None:
            return field_missing(self.field)
        earliest = facts.today + timedelta(days=self.min_days)
        if day < earliest:
            return Unmet(
                "date_too_close",
                f"{self.field} ({day}) must be at least {self.min_days} days away (on or after "
                f"{earliest})",
                {"field": self.field, "value": day.isoformat(), "earliest": earliest.isoformat()},
            )
        return None


class DateOrder(GuardBase):
    """One date field is on or before another (strictly before if `strict`)."""

    kind: Literal["date_order"]
    first: str
    second: str
    strict: bool = False
    field_attrs: ClassVar[dict[str, str | None]] = {"first": "date", "second": "date"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when either date is missing or they are out of order."""
        a, b = facts.date_of(self.first), facts.date_of(self.second)
        missing = [n for n, d in ((self.first, a), (self.second, b)) if d is None]
        if missing:
            return Unmet("field_missing", f"{', '.join(missing)} not set", {"fields": missing})
        if a is None or b is None:  # pragma: no cover - reported as missing above
            return None
        if a > b or (self.strict and a == b):
            word = "before" if self.strict else "on or before"
            return Unmet(
                "dates_out_of_order",
                f"{self.first} ({a}) must be {word} {self.second} ({b})",
                {"first": a.isoformat(), "second": b.isoformat()},
            )
        return None


class AgeBetween(GuardBase):
    """The young person's age on a date (a field or 'today') lies within bounds, inclusive."""

    kind: Literal["age_between"]
    at: str = "today"
    min: int | None = Field(default=None, ge=0, le=MAX_AGE)
    max: int | None = Field(default=None, ge=0, le=MAX_AGE)
    field_attrs: ClassVar[dict[str, str | None]] = {"at": "date"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the birth date or the date is unknown, or the age is out of bounds."""
        if facts.birth_date is None:
            return Unmet("birth_date_missing", "the young person's birth date is not recorded")
        day = facts.date_of(self.at)
        if day is None:
            return field_missing(self.at)
        age = age_on(facts.birth_date, day)
        if (self.min is not None and age < self.min) or (self.max is not None and age > self.max):
            bounds = (
                f"{self.min if self.min is not None else '…'}–"
                f"{self.max if self.max is not None else '…'}"
            )
            return Unmet(
                "age_out_of_range",
                f"age on {self.at} ({day}) is {age}, outside {bounds}",
                {"age": age, "on": day.isoformat(), "min": self.min, "max": self.max},
            )
        return None


class MinorHasGuardian(GuardBase):
    """A young person who is a minor today has a legal guardian on file (adults, unknown birth
    dates and callers that did not count the guardians pass)."""

    kind: Literal["minor_has_guardian"]

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet for a minor today with no guardian recorded."""
        if facts.guardians is None or facts.guardians > 0 or facts.birth_date is None:
            return None
        if age_on(facts.birth_date, facts.today) >= ADULT_AGE:
            return None
        return Unmet("guardian_missing", "a minor with no guardian on file")
