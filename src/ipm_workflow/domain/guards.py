"""The registry of guard kinds a workflow may use; each judges a case and says what is missing."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from datetime import date, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ipm_workflow.domain.cases import ADULT_AGE, CaseFacts, age_on
from ipm_workflow.domain.documents import Period, document_problem
from ipm_workflow.domain.durations import MAX_DAYS
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.value_lists import in_list

# Numbers a workflow compares or sets stay within what both databases' JSON store exactly.
MAX_NUMBER = 10**15
MAX_AGE = 150


def _bounded_scalar(value: str | int | float | bool) -> str | int | float | bool:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (math.isfinite(value) and abs(value) <= MAX_NUMBER)
    ):
        raise ValueError(f"{value!r} is out of bounds (at most {MAX_NUMBER:.0e} either way)")
    return value


Scalar = Annotated[str | int | float | bool, AfterValidator(_bounded_scalar)]


class GuardBase(BaseModel, ABC):
    """Common options of every guard kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # Field names (attribute -> expected field type) that lint checks against the workflow.
    field_attrs: ClassVar[dict[str, str | None]] = {}

    only_if_minor_at: str | None = Field(
        default=None,
        description="Apply the guard only if the young person is under 18 on this date field "
        "(or 'today'); an unknown birth date keeps the guard in force.",
    )
    message: str | None = Field(default=None, description="Wording shown when the guard is unmet.")

    def check(self, facts: CaseFacts) -> Unmet | None:
        """Return what is unmet, or None when the guard holds or does not apply."""
        if self.only_if_minor_at is not None and facts.birth_date is not None:
            day = facts.date_of(self.only_if_minor_at)
            if day is not None and age_on(facts.birth_date, day) >= ADULT_AGE:
                return None
        unmet = self.evaluate(facts)
        if unmet is not None and self.message:
            return Unmet(unmet.code, self.message, unmet.detail)
        return unmet

    @abstractmethod
    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Judge the case; each kind says how."""

    def field_refs(self) -> list[tuple[str, str, str | None]]:
        """List (attribute, field name, expected type) for every case field this guard reads."""
        refs = [(attr, getattr(self, attr), kind) for attr, kind in self.field_attrs.items()]
        if self.only_if_minor_at is not None:
            refs.append(("only_if_minor_at", self.only_if_minor_at, "date"))
        return [(a, name, kind) for a, name, kind in refs if name != "today"]

    def children(self) -> list[tuple[tuple[str | int, ...], GuardBase]]:
        """Return (place, guard) of the guards this one composes (none for a plain guard)."""
        return []

    def all_field_refs(self) -> list[tuple[str, str, str | None]]:
        """Like `field_refs`, including the fields every composed guard reads."""
        return self.field_refs() + [r for _, g in self.children() for r in g.all_field_refs()]

    def describe(self) -> str:
        """Say what the guard requires, in the workflow's own terms (for `not`)."""
        shown = self.model_dump(exclude_defaults=True, exclude={"message", "kind"})
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return self.message or f"{getattr(self, 'kind', type(self).__name__)}({args})"


class FieldSet(GuardBase):
    """A data field of the case has a value."""

    kind: Literal["field_set"]
    field: str
    field_attrs: ClassVar[dict[str, str | None]] = {"field": None}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the field is empty."""
        if facts.value(self.field) in (None, ""):
            return Unmet("field_missing", f"{self.field} is not set", {"field": self.field})
        return None


class FieldEquals(GuardBase):
    """A data field of the case equals a value."""

    kind: Literal["field_equals"]
    field: str
    value: Scalar
    field_attrs: ClassVar[dict[str, str | None]] = {"field": None}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the field holds another value."""
        actual = facts.value(self.field)
        if actual != self.value:
            return Unmet(
                "field_mismatch",
                f"{self.field} must be {self.value!r} (is {actual!r})",
                {"field": self.field, "expected": self.value, "actual": actual},
            )
        return None


class FieldIn(GuardBase):
    """A data field of the case holds one of several values, listed or a shipped list's name."""

    kind: Literal["field_in"]
    field: str
    values: list[Scalar] | str = Field(
        description="The values, or the name of a shipped list (e.g. 'eu_eea')."
    )
    field_attrs: ClassVar[dict[str, str | None]] = {"field": None}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the field holds none of the values."""
        actual = facts.value(self.field)
        found = (
            in_list(self.values, actual) if isinstance(self.values, str) else actual in self.values
        )
        if not found:
            return Unmet(
                "field_mismatch",
                f"{self.field} must be one of {self.values} (is {actual!r})",
                {"field": self.field, "expected": self.values, "actual": actual},
            )
        return None


class DateInFuture(GuardBase):
    """A date field lies strictly after today."""

    kind: Literal["date_in_future"]
    field: str
    field_attrs: ClassVar[dict[str, str | None]] = {"field": "date"}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the date is missing, today or past."""
        day = facts.date_of(self.field)
        if day is None:
            return Unmet("field_missing", f"{self.field} is not set", {"field": self.field})
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
            return Unmet("field_missing", f"{self.field} is not set", {"field": self.field})
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
            return Unmet("field_missing", f"{self.at} is not set", {"field": self.at})
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


class DocumentsPresent(GuardBase):
    """Documents are received or validated and cover a period: from a date through a date."""

    kind: Literal["documents_present"]
    documents: list[str] = Field(min_length=1)
    valid_from: str | None = Field(
        default=None,
        description="Date field the period starts on (e.g. the departure); default: today.",
    )
    valid_through: str | None = Field(default=None, description="Date field the period ends on.")
    validated: bool = Field(default=False, description="Require status 'validated'.")
    field_attrs: ClassVar[dict[str, str | None]] = {"valid_from": "date", "valid_through": "date"}

    def field_refs(self) -> list[tuple[str, str, str | None]]:
        """Skip the optional period fields when absent."""
        return [r for r in super().field_refs() if r[1] is not None]

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet with each document that is missing, unvalidated or does not cover the period."""
        dates: dict[str, date] = {}
        for name in (self.valid_from, self.valid_through):
            if name is not None and (day := facts.date_of(name)) is None:
                # Without the date, the cover cannot be shown: unmet, not skipped.
                return Unmet("field_missing", f"{name} is not set", {"field": name})
            if name is not None and day is not None:
                dates[name] = day
        period = Period(
            dates[self.valid_from] if self.valid_from else facts.today,
            dates[self.valid_through] if self.valid_through else None,
            self.valid_from,
            self.valid_through,
        )
        problems: dict[str, str] = {}
        for doc_type in self.documents:
            found = facts.documents.get(doc_type)
            if problem := document_problem(found, period, validated=self.validated):
                problems[doc_type] = problem
        if problems:
            listed = ", ".join(f"{k} ({v})" for k, v in problems.items())
            return Unmet("documents_missing", f"documents not in order: {listed}", problems)
        return None


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
            return Unmet("field_missing", f"{self.field} is not set", {"field": self.field})
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


class AllOf(GuardBase):
    """Every composed guard holds (a list of guards already means this; useful inside any_of)."""

    kind: Literal["all_of"]
    guards: list[Guard] = Field(min_length=1)

    def children(self) -> list[tuple[tuple[str | int, ...], GuardBase]]:
        """The composed guards and their places."""
        return [(("guards", i), g) for i, g in enumerate(self.guards)]

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet with every composed guard that is unmet."""
        unmet = unmet_guards(list(self.guards), facts)
        if not unmet:
            return None
        if len(unmet) == 1:
            return unmet[0]
        return Unmet(
            "all_of_unmet",
            "; ".join(u.message for u in unmet),
            {"unmet": [u.as_dict() for u in unmet]},
        )


class AnyOf(GuardBase):
    """At least one composed guard holds."""

    kind: Literal["any_of"]
    guards: list[Guard] = Field(min_length=1)

    def children(self) -> list[tuple[tuple[str | int, ...], GuardBase]]:
        """The composed guards and their places."""
        return [(("guards", i), g) for i, g in enumerate(self.guards)]

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet, listing why each alternative fails, when none holds."""
        unmet = unmet_guards(list(self.guards), facts)
        if len(unmet) < len(self.guards):
            return None
        return Unmet(
            "none_of_unmet",
            "one of these is needed: " + "; or ".join(u.message for u in unmet),
            {"unmet": [u.as_dict() for u in unmet]},
        )


class Not(GuardBase):
    """The composed guard does not hold."""

    kind: Literal["not"]
    guard: Guard

    def children(self) -> list[tuple[tuple[str | int, ...], GuardBase]]:
        """The negated guard and its place."""
        return [(("guard",), self.guard)]

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the negated guard holds."""
        if self.guard.check(facts) is not None:
            return None
        said = self.guard.describe()
        return Unmet("negated_guard_holds", f"must not hold: {said}", {"guard": said})


Guard = Annotated[
    FieldSet
    | FieldEquals
    | FieldIn
    | DateInFuture
    | DateDaysAway
    | DateOrder
    | AgeBetween
    | DocumentsPresent
    | DurationBetween
    | ValueBetween
    | AllOf
    | AnyOf
    | Not,
    Field(discriminator="kind"),
]
GUARD_KINDS: dict[str, type[GuardBase]] = {
    cls.model_fields["kind"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (
        FieldSet,
        FieldEquals,
        FieldIn,
        DateInFuture,
        DateDaysAway,
        DateOrder,
        AgeBetween,
        DocumentsPresent,
        DurationBetween,
        ValueBetween,
        AllOf,
        AnyOf,
        Not,
    )
}
for _composite in (AllOf, AnyOf, Not):
    _composite.model_rebuild()


def unmet_guards(guards: list[Any], facts: CaseFacts) -> list[Unmet]:
    """Return every unmet guard of a list, in declaration order."""
    return [u for g in guards if (u := g.check(facts)) is not None]
