"""Programme eligibility: enforced when a case is opened or assessed, and asked for one person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ipm_workflow.domain import policy
from ipm_workflow.domain.actions import Action
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.eligibility import (
    PastCase,
    PersonFacts,
    Situation,
    check_case,
    refusals,
)
from ipm_workflow.domain.errors import GuardFailed, Unmet
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.people import visible_person
from ipm_workflow.services.ports import UnitOfWork

# Enough for anyone's lifetime of cases (a person has a handful).
_PAST_LIMIT = 500


def person_facts(
    store: CaseStore, uow: UnitOfWork, person_id: int, birth: date | None
) -> PersonFacts:
    """Gather what eligibility needs about a person: birth date and recorded support facts."""
    support = store.support(uow, person_id)
    return PersonFacts(birth, support.recognised_disability, support.fewer_opportunities)


def past_cases(uow: UnitOfWork, person_id: int, exclude: int | None = None) -> list[PastCase]:
    """Return the person's other cases, including those of records merged into theirs."""
    ids = [person_id, *uow.people.merged_into(person_id)]
    found, _ = uow.cases.search(CaseQuery(person_ids=ids, limit=_PAST_LIMIT))
    return [PastCase(c.id or 0, c.workflow, c.state, c.data) for c in found if c.id != exclude]


def refused(
    store: CaseStore,
    uow: UnitOfWork,
    workflow: Workflow,
    step: str,
    *,
    person_id: int,
    birth_date: date | None,
    data: Mapping[str, Any],
    today: date,
    case_id: int | None = None,
) -> list[Unmet]:
    """Return each unmet eligibility rule of the programmes the case falls under at this step."""
    if not any(step in p.checked_on for p in workflow.eligibility):
        return []
    facts = person_facts(store, uow, person_id, birth_date)
    at = Situation(facts, data, today, tuple(past_cases(uow, person_id, exclude=case_id)))
    return check_case(workflow.eligibility, workflow.name, step, at)


def enforce(
    store: CaseStore, uow: UnitOfWork, workflow: Workflow, step: str, *, state: str, **judged: Any
) -> None:
    """Raise GuardFailed naming each unmet eligibility rule of the programmes at this step."""
    unmet = refused(store, uow, workflow, step, **judged)
    if unmet:
        raise GuardFailed(step, state, unmet, [])


def joined(failed: GuardFailed, unmet: list[Unmet]) -> GuardFailed:
    """One refusal listing the workflow's unmet guards, then the unmet eligibility rules."""
    if not unmet:
        return failed
    return GuardFailed(failed.trigger, failed.state, [*failed.unmet, *unmet], failed.allowed)


def judge_actions(
    store: CaseStore, uow: UnitOfWork, case: Case, birth_date: date | None, actions: list[Action]
) -> list[Action]:
    """Deny the listed actions that eligibility refuses on the case's facts, as firing would."""
    wf = store.workflow_of(case).definition
    steps = {s for p in wf.eligibility for s in p.checked_on}
    if not any(a.trigger in steps for a in actions):
        return actions
    facts = person_facts(store, uow, case.person_id, birth_date)
    past = tuple(past_cases(uow, case.person_id, exclude=case.id))
    at = Situation(facts, case.data, store.today(), past)
    judged = []
    for action in actions:
        unmet = []
        if action.trigger in steps:
            unmet = check_case(wf.eligibility, wf.name, action.trigger, at)
        judged.append(
            replace(action, allowed=False, unmet=[*action.unmet, *unmet]) if unmet else action
        )
    return judged


@dataclass(frozen=True)
class Verdict:
    """Whether a person can still apply to one programme, and why not."""

    workflow: str
    workflow_version: int
    programme: str
    source: str | None
    eligible: bool
    refusals: list[Unmet]


class EligibilityService:
    """Which programmes one person can still apply to, and why not the others."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    def for_person(self, person_id: int, actor: Actor) -> list[Verdict]:
        """Judge every programme of the latest workflow versions for a person, as of today."""
        policy.require(actor, policy.Action.PEOPLE_READ)
        store = self.store
        today = store.today()
        verdicts: list[Verdict] = []
        with store.uow(readonly=True) as uow:
            person = visible_person(uow, person_id, actor)
            facts = person_facts(store, uow, person_id, person.birth_date)
            at = Situation(facts, {}, today, tuple(past_cases(uow, person_id)))
            for compiled in store.registry.latest():
                wf = compiled.definition
                if not wf.eligibility:
                    verdicts.append(Verdict(wf.name, wf.version, wf.name, None, True, []))
                for rules in wf.eligibility:
                    # No case yet: dates that matter are unknown, so only what already
                    # excludes the person (an age above a bound, a programme done) refuses.
                    unmet = refusals(rules, wf.name, at)
                    verdicts.append(
                        Verdict(
                            wf.name, wf.version, rules.programme, rules.source, not unmet, unmet
                        )
                    )
        return verdicts
