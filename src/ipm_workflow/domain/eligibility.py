"""Programme eligibility declared in a workflow file: age bounds, once in a lifetime, stay length.

A workflow declares one block per programme it runs (`eligibility:`), each with its source. The
rules are judged when a case is opened or assessed (the triggers in `checked_on`), and for one
person across every programme (`GET /people/{id}/eligibility`). A refusal names the programme,
the rule, the value and the bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from ipm_workflow.domain.cases import age_on
from ipm_workflow.domain.durations import Span
from ipm_workflow.domain.errors import Unmet
from ipm_workflow.domain.spec_base import Strict

MAX_AGE = 150
OPENING = "open"  # the name `checked_on` gives to opening a case
# What the person record says that may extend a bound (read through a port, stored elsewhere).
PersonFact = Literal["recognised_disability", "fewer_opportunities"]
INELIGIBLE = "ineligible"


class AgeExtension(Strict):
    """A bound that replaces the rule's own when a fact about the person holds."""

    when: PersonFact
    min: int | None = Field(default=None, ge=0, le=MAX_AGE)
    max: int | None = Field(default=None, ge=0, le=MAX_AGE)


class AgeRule(Strict):
    """The age in whole years on a date (a date field, or 'today') lies within bounds."""

    rule: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    at: str = "today"
    min: int | None = Field(default=None, ge=0, le=MAX_AGE)
    max: int | None = Field(default=None, ge=0, le=MAX_AGE)
    extensions: list[AgeExtension] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_bound(self) -> AgeRule:
        if self.min is None and self.max is None:
            raise ValueError("an age rule needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class StayExtension(Strict):
    """Stay bounds that replace the rule's own when a fact about the person holds."""

    when: PersonFact
    min: Span | None = None
    max: Span | None = None


class StayRule(Strict):
    """The stay, from one date field to another, lasts at least `min` and at most `max`."""

    start: str = "planned_start"
    end: str = "planned_end"
    min: Span | None = None
    max: Span | None = None
    extensions: list[StayExtension] = Field(default_factory=list)


class OnceInALifetime(Strict):
    """Nobody does this programme twice: another case of it in one of `done_in` refuses."""

    done_in: list[str] = Field(min_length=1)


class AppliesWhen(Strict):
    """The rules apply to cases whose field holds this value (several programmes per file)."""

    field: str
    value: str


class ProgrammeRules(Strict):
    """The eligibility rules of one programme, with the source that sets them."""

    programme: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    source: str = Field(min_length=1, description="Where the bounds come from (DOMAIN.md §2).")
    applies_when: AppliesWhen | None = None
    checked_on: list[str] = Field(
        default_factory=lambda: [OPENING],
        description=f"'{OPENING}' (opening a case) and the triggers that check the rules.",
    )
    age: list[AgeRule] = Field(default_factory=list)
    once_in_a_lifetime: OnceInALifetime | None = None
    stay: StayRule | None = None

    def applies_to(self, data: Mapping[str, Any]) -> bool:
        """Tell whether a case's data puts it under this programme."""
        return self.applies_when is None or data.get(self.applies_when.field) == (
            self.applies_when.value
        )

    def field_refs(self) -> list[tuple[tuple[str | int, ...], str, str | None]]:
        """List (place, field, expected type) of every case field the rules read."""
        refs: list[tuple[tuple[str | int, ...], str, str | None]] = []
        if self.applies_when is not None:
            refs.append((("applies_when", "field"), self.applies_when.field, None))
        for i, rule in enumerate(self.age):
            if rule.at != "today":
                refs.append((("age", i, "at"), rule.at, "date"))
        if self.stay is not None:
            refs += [(("stay", "start"), self.stay.start, "date")]
            refs += [(("stay", "end"), self.stay.end, "date")]
        return refs


@dataclass(frozen=True)
class PersonFacts:
    """What eligibility needs to know about a person (None: not recorded)."""

    birth_date: date | None
    recognised_disability: bool | None = None
    fewer_opportunities: bool | None = None

    def holds(self, fact: PersonFact) -> bool:
        """Tell whether a fact is recorded as true."""
        return bool(getattr(self, fact))


@dataclass(frozen=True)
class PastCase:
    """Another case of the same person, as once-in-a-lifetime rules look at it."""

    case_id: int
    workflow: str
    state: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Situation:
    """What a judgement looks at: the person, the case's data (if any), the day, past cases."""

    person: PersonFacts
    data: Mapping[str, Any]
    today: date
    past: tuple[PastCase, ...] = ()
    opening: bool = False  # a case is being opened: lower age bounds wait for the assessment


def _refusal(programme: str, rule: str, message: str, value: Any, bound: Any, **more: Any) -> Unmet:
    detail = {"programme": programme, "rule": rule, "value": value, "bound": bound, **more}
    return Unmet(INELIGIBLE, f"{programme}: {rule}: {message}", detail)


def _age_bounds(rule: AgeRule, person: PersonFacts) -> tuple[int | None, int | None, str | None]:
    low, high, why = rule.min, rule.max, None
    for ext in rule.extensions:
        if person.holds(ext.when):
            low = ext.min if ext.min is not None else low
            high = ext.max if ext.max is not None else high
            why = ext.when
    return low, high, why


def _day(name: str, data: Mapping[str, Any], today: date) -> date | None:
    if name == "today":
        return today
    value = data.get(name)
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _check_age(p: ProgrammeRules, rule: AgeRule, at: Situation) -> Unmet | None:
    person, data, today = at.person, at.data, at.today
    if person.birth_date is None:
        # A referral may come before the birth date is known (an import, a phone call): it is
        # judged, and refused while still unknown, at the steps after opening.
        missing = "the birth date is not recorded"
        return None if at.opening else _refusal(p.programme, rule.rule, missing, None, None)
    low, high, extended = _age_bounds(rule, person)
    more = {"at": rule.at} | ({"extended_by": extended} if extended else {})

    def refuse(message: str, value: int, bound: int) -> Unmet:
        return _refusal(p.programme, rule.rule, message, value, bound, **more)

    day = _day(rule.at, data, today)
    if day is None:
        # The date that matters is not known yet: only an age already above the upper bound
        # can be refused now (nobody gets younger); the rule is judged again once it is set.
        age = age_on(person.birth_date, today)
        if high is not None and age > high:
            checked = f"(checked on {rule.at})"
            return refuse(f"age today is {age}, above the upper bound {high} {checked}", age, high)
        return None
    age = age_on(person.birth_date, day)
    said = f"age on {rule.at} ({day}) is {age}"
    if high is not None and age > high:
        return refuse(f"{said}, above the upper bound {high}", age, high)
    # On opening, a referral may come before the young person is old enough: the lower bound is
    # judged at the assessment. Only what can never change (an age above the bound) refuses.
    if low is not None and age < low and not at.opening:
        return refuse(f"{said}, below the lower bound {low}", age, low)
    return None


def _check_stay(p: ProgrammeRules, at: Situation) -> Unmet | None:
    person, data, today = at.person, at.data, at.today
    stay = p.stay
    assert stay is not None  # noqa: S101 - checked by the caller
    start, end = _day(stay.start, data, today), _day(stay.end, data, today)
    if start is None or end is None:
        return None  # judged once both dates are known
    low, high = stay.min, stay.max
    for ext in stay.extensions:
        if person.holds(ext.when):
            low = ext.min if ext.min is not None else low
            high = ext.max if ext.max is not None else high
    days = (end - start).days
    if low is not None and end < start + low:
        return _refusal(
            p.programme,
            "stay_min",
            f"the stay from {start} to {end} ({days} days) is shorter than {low}",
            days,
            str(low),
        )
    if high is not None and end > start + high:
        return _refusal(
            p.programme,
            "stay_max",
            f"the stay from {start} to {end} ({days} days) is longer than {high}",
            days,
            str(high),
        )
    return None


def _check_once(p: ProgrammeRules, workflow: str, past: Iterable[PastCase]) -> Unmet | None:
    once = p.once_in_a_lifetime
    assert once is not None  # noqa: S101 - checked by the caller
    for other in past:
        if other.workflow == workflow and p.applies_to(other.data) and other.state in once.done_in:
            return _refusal(
                p.programme,
                "once_in_a_lifetime",
                f"already done once (case {other.case_id}, {other.state})",
                other.case_id,
                1,
            )
    return None


def refusals(p: ProgrammeRules, workflow: str, at: Situation) -> list[Unmet]:
    """Return every rule of a programme the person or the case does not meet, in order."""
    found = [u for rule in p.age if (u := _check_age(p, rule, at)) is not None]
    if p.once_in_a_lifetime is not None and (u := _check_once(p, workflow, at.past)) is not None:
        found.append(u)
    if p.stay is not None and (u := _check_stay(p, at)) is not None:
        found.append(u)
    return found


def check_case(
    rules: Iterable[ProgrammeRules], workflow: str, step: str, at: Situation
) -> list[Unmet]:
    """Return the refusals of the programmes a case falls under that check at this step."""
    at = replace(at, opening=step == OPENING)
    return [
        u
        for p in rules
        if step in p.checked_on and p.applies_to(at.data)
        for u in refusals(p, workflow, at)
    ]
