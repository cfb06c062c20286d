"""The registry of guard kinds a workflow may use; each judges a case and says what is missing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ipm_workflow.domain.cases import ADULT_AGE, CaseFacts, age_on
from ipm_workflow.domain.documents import Period, document_problem
from ipm_workflow.domain.durations import MAX_DAYS
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guard_base import MAX_AGE, MAX_NUMBER, GuardBase, Scalar, unmet_guards
from ipm_workflow.domain.guard_measures import DurationBetween, ValueBetween
from ipm_workflow.domain.value_lists import in_list

__all__ = [
    "GUARD_KINDS",
    "MAX_AGE",
    "MAX_NUMBER",
    "Guard",
    "GuardBase",
    "Scalar",
    "unmet_guards",
]


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
    | MinorHasGuardian
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
        MinorHasGuardian,
        DurationBetween,
        ValueBetween,
        AllOf,
        AnyOf,
        Not,
    )
}
for _composite in (AllOf, AnyOf, Not):
    _composite.model_rebuild()
