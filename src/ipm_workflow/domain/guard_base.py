"""What every guard kind shares: its options, how it is judged and what it reads."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from ipm_workflow.domain.cases import ADULT_AGE, CaseFacts, age_on
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.spec_base import Strict

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


class GuardBase(Strict, ABC):
    """Common options of every guard kind."""

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


def field_missing(name: str) -> Unmet:
    """The Unmet of a guard whose field (or date) is not set."""
    return Unmet("field_missing", f"{name} is not set", {"field": name})


def unmet_guards(guards: list[Any], facts: CaseFacts) -> list[Unmet]:
    """Return every unmet guard of a list, in declaration order."""
    return [u for g in guards if (u := g.check(facts)) is not None]
