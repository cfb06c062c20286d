"""Everything a case's page shows, read in one unit of work (one read transaction).

The page used to call six services, each opening its own read transaction (bench/web.py):
the same reads, the same policy checks (`CaseStore.load`, `visible_person`, the rights asked
of `policy`), gathered here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.engine import Action
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.domain.policy import Action as Right
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services import eligibility
from ipm_workflow.services.aftercare import facts_with_contacts
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.people import visible_person
from ipm_workflow.services.ports import UnitOfWork


@dataclass(frozen=True)
class CaseSheet:
    """A case as its page shows it, for one actor (what they may not see is left empty)."""

    case: Case
    actions: list[Action]
    # The timeline's history entries and reminders: all of them, or the latest `lines` of each
    # (enough for the `lines` latest of both together); how many there are in all.
    history: list[HistoryEntry]
    timeline_total: int
    visited: set[str]  # every state the case entered
    person: Person | None = None  # with the right to read people
    reminders: list[Reminder] = field(default_factory=list)  # with the right to read reminders
    advisor: User | None = None  # the case's advisor
    # What a reassignment offers (with the right to reassign): active advisors, by username.
    advisors: list[User] = field(default_factory=list)
    mission_locales: list[MissionLocale] = field(default_factory=list)


def explain_actions(
    store: CaseStore, uow: UnitOfWork, case: Case, birth_date: date | None, actor: Actor
) -> list[Action]:
    """Every trigger out of the case's state for this actor, allowed or refused with reasons."""
    compiled = store.workflow_of(case)
    facts = case.facts(store.today(), birth_date, compiled.definition.computed)
    facts = facts_with_contacts(store, uow, case, facts)
    actions = compiled.available_actions(facts, policy.workflow_role(actor), case.previous_state)
    return eligibility.judge_actions(store, uow, case, birth_date, actions)


def read_sheet(store: CaseStore, case_id: int, actor: Actor, lines: int | None = None) -> CaseSheet:
    """Read a case's page for an actor; NotFound when they do not see the case.

    With `lines`, only the latest `lines` history entries and reminders are read (a long
    journey's page shows its latest lines; mapping every row cost more than the rest).
    """
    policy.require(actor, Right.CASES_READ)
    with store.uow(readonly=True) as uow:
        case, birth_date = store.load(uow, case_id, actor)
        person = None
        if policy.may(actor, Right.PEOPLE_READ):
            try:
                person = visible_person(uow, case.person_id, actor)
            except NotFound:
                person = None
        advisor = None
        if case.advisor_id is not None:
            try:
                advisor = uow.directory.user(case.advisor_id)
            except NotFound:
                advisor = None
        reassigns = policy.may(actor, Right.CASES_REASSIGN)
        advisors = uow.directory.users_with_role(policy.ADVISOR) if reassigns else []
        sees_reminders = policy.may(actor, Right.REMINDERS_READ)
        reminders: list[Reminder] = []
        if lines is None:
            history = uow.history.for_case(case_id)
            visited = {e.to_state for e in history if e.to_state}
            reminders = uow.reminders.for_case(case_id) if sees_reminders else []
            total = len(history) + len(reminders)
        else:
            history, total, visited = uow.history.latest(case_id, lines)
            if sees_reminders:
                reminders, more = uow.reminders.latest_for_case(case_id, lines)
                total += more
        return CaseSheet(
            case=case,
            actions=explain_actions(store, uow, case, birth_date, actor),
            history=history,
            timeline_total=total,
            visited=visited,
            person=person,
            reminders=reminders,
            advisor=advisor,
            advisors=sorted(advisors, key=lambda u: u.username),
            mission_locales=uow.directory.mission_locales() if reassigns else [],
        )
