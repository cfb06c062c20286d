"""The registry of guard kinds a workflow may use; each judges a case and says what is missing.

Plain kinds live in guard_fields.py, guard_dates.py and guard_measures.py; the kinds that
compose other guards (all_of, any_of, not) live here, with the union of every kind."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from ipm_workflow.domain.cases import CaseFacts
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.guard_base import MAX_AGE, MAX_NUMBER, GuardBase, Scalar, unmet_guards
from ipm_workflow.domain.guard_dates import (
    AgeBetween,
    DateDaysAway,
    DateInFuture,
    DateOrder,
    MinorHasGuardian,
)
from ipm_workflow.domain.guard_fields import DocumentsPresent, FieldEquals, FieldIn, FieldSet
from ipm_workflow.domain.guard_measures import DurationBetween, ValueBetween

__all__ = [
    "GUARD_KINDS",
    "MAX_AGE",
    "MAX_NUMBER",
    "Guard",
    "GuardBase",
    "Scalar",
    "unmet_guards",
]


class _Composed(GuardBase):
    """A guard over a list of guards."""

    guards: list[Guard] = Field(min_length=1)

    def children(self) -> list[tuple[tuple[str | int, ...], GuardBase]]:
        """The composed guards and their places."""
        return [(("guards", i), g) for i, g in enumerate(self.guards)]


class AllOf(_Composed):
    """Every composed guard holds (a list of guards already means this; useful inside any_of)."""

    kind: Literal["all_of"]

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


class AnyOf(_Composed):
    """At least one composed guard holds."""

    kind: Literal["any_of"]

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
# Each kind by the name a workflow file gives it (its `kind`), read from the union above.
GUARD_KINDS: dict[str, type[GuardBase]] = {
    get_args(cls.model_fields["kind"].annotation)[0]: cls for cls in get_args(get_args(Guard)[0])
}
for _composite in (AllOf, AnyOf, Not):
    _composite.model_rebuild()
