"""Guards on measures: the days between two dates, a number (or computed number) in bounds."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.durations import MAX_DAYS
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guard_base import MAX_NUMBER, GuardBase, field_missing


class DurationBetween(GuardBase):
    """The days from one date to another lie within bounds (a stay's length), inclusive."""

    kind: Literal["duration_between"]
    start: str
    end: str
    min_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    max_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    inclusive: bool = Field(default=True, description="Count both ends: 1 May to 1 May is 1 day.")
    field_attrs: ClassVar[dict[str, str | None]] = {"start": "date", "end": "date"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when a date is missing or the duration is out of bounds."""
        a, b = facts.date_of(self.start), facts.date_of(self.end)
        missing = [n for n, d in ((self.start, a), (self.end, b)) if d is None]
        if missing or a is None or b is None:
            return Unmet("field_missing", f"{', '.join(missing)} not set", {"fields": missing})
        days = (b - a).days + (1 if self.inclusive else 0)
        bounds = (self.min_days, self.max_days)
        return _out_of_bounds("duration_out_of_range", f"{self.start} to {self.end}", days, bounds)


class ValueBetween(GuardBase):
    """A number field or computed number (e.g. days abroad) lies within bounds, inclusive."""

    kind: Literal["value_between"]
    field: str
    min: float | None = Field(default=None, ge=-MAX_NUMBER, le=MAX_NUMBER)
    max: float | None = Field(default=None, ge=-MAX_NUMBER, le=MAX_NUMBER)
    field_attrs: ClassVar[dict[str, str | None]] = {"field": "number"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the value is missing or out of bounds."""
        actual = facts.value(self.field)
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return field_missing(self.field)
        return _out_of_bounds("value_out_of_range", self.field, actual, (self.min, self.max))


def _out_of_bounds(
    code: str, what: str, actual: float, bounds: tuple[float | None, float | None]
) -> Unmet | None:
    low, high = bounds
    unit = " days" if code == "duration_out_of_range" else ""
    if (low is None or actual >= low) and (high is None or actual <= high):
        return None
    shown = f"{low if low is not None else '…'}–{high if high is not None else '…'}{unit}"
    return Unmet(
        code,
        f"{what} is {actual}{unit}, outside {shown}",
        {"what": what, "actual": actual, "min": low, "max": high},
    )
