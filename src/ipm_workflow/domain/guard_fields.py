"""Guards on what a case holds: a field set, a field's value, documents in order."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.documents import Period, document_problem
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guard_base import GuardBase, Scalar, field_missing
from ipm_workflow.domain.value_lists import in_list


class FieldSet(GuardBase):
    """A data field of the case has a value."""

    kind: Literal["field_set"]
    field: str
    field_attrs: ClassVar[dict[str, str | None]] = {"field": None}

    def evaluate(self, facts: CaseFacts) -> Unmet | None:
        """Unmet when the field is empty."""
        if facts.value(self.field) in (None, ""):
            return field_missing(self.field)
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
            return _mismatch(self.field, repr(self.value), self.value, actual)
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
            return _mismatch(self.field, f"one of {self.values}", self.values, actual)
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
                return field_missing(name)
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


def _mismatch(field: str, wanted: str, expected: object, actual: object) -> Unmet:
    return Unmet(
        "field_mismatch",
        f"{field} must be {wanted} (is {actual!r})",
        {"field": field, "expected": expected, "actual": actual},
    )
