"""Retention rules: how long a young person's data is kept, and what happens after.

Each rule keeps either the **personal data** (names, contacts, free text: the person can still
be recognised) or only the **pseudonymised record** (cases, dates, profile for the counts,
history chain: what an auditor checks). A person is pseudonymised once every personal-data
rule that applies to them has ended, and deleted once every rule has ended (if the policy says
so). A rule ends on a date: the data is kept up to the day before and goes from that day on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from ipm_workflow.domain.spec_base import Strict


class Keeps(StrEnum):
    """What a rule requires us to keep until it ends."""

    PERSONAL_DATA = "personal_data"
    PSEUDONYMISED_RECORD = "pseudonymised_record"


class CaseEnd(Strict):
    """A period counted from the end of each case the rule covers (an open case never ends it).

    The end is the date in `date_field` of the case's data when set (e.g. the balance payment),
    else the day the case closed; `from_end_of_year` counts from 31 December of that year.
    """

    years: int = Field(ge=0, le=100)
    date_field: str | None = None
    from_end_of_year: bool = False


class Until(Strict):
    """When a rule ends: the latest of an age reached and a period after the cases' end."""

    age: int | None = Field(default=None, ge=1, le=120)
    after_case_end: CaseEnd | None = None

    @model_validator(mode="after")
    def _something(self) -> Until:
        if self.age is None and self.after_case_end is None:
            raise ValueError("say when the rule ends: age, after_case_end or both")
        return self


class Covers(Strict):
    """Which cases a rule is about; a rule covering every person has no `workflows`."""

    workflows: list[str] | None = None
    when_field: str | None = Field(
        default=None, description="only cases whose data has this field set (true, a date…)"
    )


class RetentionRule(Strict):
    """One declared rule, with the law or practice it comes from."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    keeps: Keeps
    covers: Covers = Covers()
    until: Until
    legal_basis: str = Field(min_length=1)
    source: str = Field(min_length=1)

    def everyone(self) -> bool:
        """Whether the rule applies to every person, whatever their cases."""
        return self.covers.workflows is None and self.covers.when_field is None


class RetentionPolicy(Strict):
    """Every rule, and what happens when none requires keeping anything any more."""

    rules: list[RetentionRule] = Field(min_length=1)
    when_no_rule_remains: Literal["delete", "keep_pseudonymised"] = "delete"
    # The answers kept to replay a retried request (Idempotency-Key) echo cases and their data;
    # no client retries after days, so each run forgets those older than this.
    replay_answers_days: int = Field(default=30, ge=1, le=3650)

    @model_validator(mode="after")
    def _sound(self) -> RetentionPolicy:
        ids = [r.id for r in self.rules]
        if doubles := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"rule ids must be unique: {', '.join(doubles)}")
        if not any(r.keeps is Keeps.PERSONAL_DATA and r.everyone() for r in self.rules):
            raise ValueError(
                "one personal_data rule must cover everyone (no covers): "
                "without it nobody's personal data would have an end"
            )
        return self


@dataclass(frozen=True)
class CaseFacts:
    """What a rule needs to know of one case."""

    case_id: int
    workflow: str
    closed_on: date | None  # None: the case is still running
    data: dict[str, object]


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know of one person."""

    person_id: int
    birth_date: date | None
    pseudonymised: bool
    cases: Sequence[CaseFacts]


class Action(StrEnum):
    """What a retention run does to a person."""

    KEEP = "keep"
    PSEUDONYMISE = "pseudonymise"
    DELETE = "delete"


@dataclass(frozen=True)
class RuleEnd:
    """When one rule ends for one person (None: not yet known, e.g. a case still running)."""

    rule: str
    keeps: Keeps
    ends_on: date | None
    why: str


@dataclass(frozen=True)
class Verdict:
    """A person, what a run does to them and each applicable rule's end that says why."""

    person_id: int
    action: Action
    ends: tuple[RuleEnd, ...]

    def reasons(self) -> str:
        """One line: every applicable rule and its end."""
        return "; ".join(f"{e.rule}: {e.why}" for e in self.ends)


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _covered(rule: RetentionRule, case: CaseFacts) -> bool:
    covers = rule.covers
    if covers.workflows is not None and case.workflow not in covers.workflows:
        return False
    return covers.when_field is None or case.data.get(covers.when_field) not in (None, False, "")


def _case_end(spec: CaseEnd, case: CaseFacts) -> tuple[date | None, str]:
    anchor = _as_date(case.data.get(spec.date_field)) if spec.date_field else None
    what = spec.date_field if anchor else "closed"
    anchor = anchor or case.closed_on
    if anchor is None:
        return None, f"case {case.case_id} still running"
    start = date(anchor.year, 12, 31) if spec.from_end_of_year else anchor
    ends = add_years(start, spec.years)
    if spec.from_end_of_year:
        # "N years from 31 December": the whole of that last 31 December is still kept.
        ends = date(ends.year + 1, 1, 1)
    return ends, f"case {case.case_id} {what} {anchor.isoformat()}"


def rule_end(rule: RetentionRule, person: PersonFacts) -> RuleEnd | None:
    """When a rule ends for a person; None when it does not apply to them."""
    cases = [c for c in person.cases if _covered(rule, c)]
    if not rule.everyone() and not cases:
        return None
    ends: list[date] = []
    why: list[str] = []
    if rule.until.age is not None:
        if person.birth_date is None:
            return RuleEnd(rule.id, rule.keeps, None, "birth date unknown")
        ends.append(add_years(person.birth_date, rule.until.age))
        why.append(f"aged {rule.until.age} on {ends[-1].isoformat()}")
    if rule.until.after_case_end is not None:
        for case in cases:
            end, said = _case_end(rule.until.after_case_end, case)
            if end is None:
                return RuleEnd(rule.id, rule.keeps, None, said)
            ends.append(end)
            why.append(f"{said}, +{rule.until.after_case_end.years}y: {end.isoformat()}")
    last = max(ends) if ends else None
    return RuleEnd(rule.id, rule.keeps, last, "; ".join(why) or "no case")


def decide(policy: RetentionPolicy, person: PersonFacts, today: date) -> Verdict:
    """What a retention run does to a person today, and why."""
    ends = tuple(e for r in policy.rules if (e := rule_end(r, person)) is not None)

    def over(keeps: Keeps | None) -> bool:
        return all(
            e.ends_on is not None and e.ends_on <= today
            for e in ends
            if keeps is None or e.keeps is keeps
        )

    if not over(Keeps.PERSONAL_DATA):
        action = Action.KEEP
    elif over(None) and policy.when_no_rule_remains == "delete":
        action = Action.DELETE
    elif person.pseudonymised:
        action = Action.KEEP
    else:
        action = Action.PSEUDONYMISE
    return Verdict(person.person_id, action, ends)
