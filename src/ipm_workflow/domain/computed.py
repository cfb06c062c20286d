"""Values a workflow computes from a case's data (`computed:`): days between two dates, the
first available of several values. Guards, reminder anchors and templates read them like
fields; they are never stored, so they always agree with the data they come from."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.spec_base import Strict, exactly_one


class DaysBetween(Strict):
    """Days from one date to another; `inclusive` counts both ends (a stay of one day is 1)."""

    start: str
    end: str
    inclusive: bool = True


class ComputedSpec(Strict):
    """One computed value: exactly one of `days_between` or `first_of`."""

    days_between: DaysBetween | None = None
    first_of: list[str] | None = Field(default=None, min_length=2)
    description: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ComputedSpec:
        exactly_one(self, "a computed value has", ("days_between", "first_of"))
        return self

    @property
    def kind(self) -> Literal["days_between", "first_of"]:
        """The way the value is computed."""
        return "days_between" if self.days_between is not None else "first_of"

    def inputs(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Return (place, name) of each value it reads, for the lint and for replanning."""
        if self.days_between is not None:
            return [
                (("days_between", "start"), self.days_between.start),
                (("days_between", "end"), self.days_between.end),
            ]
        return [(("first_of", i), name) for i, name in enumerate(self.first_of or [])]

    def compute(self, facts: CaseFacts) -> Any:
        """Return the value in its stored form (number, ISO date…), or None if inputs lack."""
        if self.days_between is not None:
            start = facts.date_of(self.days_between.start)
            end = facts.date_of(self.days_between.end)
            if start is None or end is None:
                return None
            return days_between(start, end, inclusive=self.days_between.inclusive)
        for name in self.first_of or []:
            value = facts.value(name)
            if value not in (None, ""):
                return value
        return None


def days_between(start: date, end: date, *, inclusive: bool = True) -> int:
    """Return the days from start to end (end − start, plus one when both ends count)."""
    return (end - start).days + (1 if inclusive else 0)
