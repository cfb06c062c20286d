"""Everything a case's page shows, each part read in one unit of work (one read transaction).

The page used to call six services, each opening its own read transaction (bench/web.py):
the same reads, the same policy checks (`CaseStore.load`, `visible_person`, the rights asked
of `policy`), gathered here once. The page draws its head at once (`read_sheet` without
`whole`) and fetches its other parts apart (`read_timeline`, `read_states`,
`read_reassignment`): the same checks and reads, in smaller answers.
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
from ipm_workflow.domain.uploads import Upload
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


@dataclass(frozen=True)
class Timeline:
    """A case's timeline for one actor: history entries and reminders (see CaseSheet)."""

    case: Case
    history: list[HistoryEntry]
    reminders: list[Reminder]  # empty without the right to read reminders
    total: int  # lines in all (history entries and reminders)
    sees_person: bool  # whether a correction's old and new values may be shown


@dataclass(frozen=True)
class Reassignment:
    """What a case's reassignment offers: active advisors by username, missions locales."""

    case: Case
    advisors: list[User]
    mission_locales: list[MissionLocale]


@dataclass(frozen=True)
class Parts:
    """The parts a case's page fetches once drawn, read together: its timeline (whose states
    entered draw the diagram), its uploads (empty without the right to read them) and its
    reassignment's choices (None without the right to reassign)."""

    timeline: Timeline
    visited: set[str]  # every state the case entered
    uploads: list[Upload]
    reassignment: Reassignment | None


def explain_actions(
    store: CaseStore, uow: UnitOfWork, case: Case, birth_date: date | None, actor: Actor
) -> list[Action]:
    """Every trigger out of the case's state for this actor, allowed or refused with reasons."""
    compiled = store.workflow_of(case)
    facts = case.facts(store.today(), birth_date, compiled.definition.computed)
    facts = facts_with_contacts(store, uow, case, facts)
    actions = compiled.available_actions(facts, policy.workflow_role(actor), case.previous_state)
    return eligibility.judge_actions(store, uow, case, birth_date, actions)


def _person(uow: UnitOfWork, case: Case, actor: Actor) -> Person | None:
    """The case's young person, when the actor may read people and sees this one."""
    if not policy.may(actor, Right.PEOPLE_READ):
        return None
    try:
        person = uow.people.get(case.person_id)
        # This case's mission locale is one of the person's cases': seen through it, the person
        # is seen through them all (the policy's own rule, asked with fewer; a query saved).
        policy.see_person(actor, case.person_id, {case.mission_locale_id}, person.registered_by)
        return person
    except NotFound:
        pass
    try:
        return visible_person(uow, case.person_id, actor)
    except NotFound:
        return None


def _timeline(
    uow: UnitOfWork, case_id: int, actor: Actor, lines: int | None
) -> tuple[list[HistoryEntry], list[Reminder], int, set[str]]:
    """History entries, reminders (with the right), lines in all, states entered."""
    sees_reminders = policy.may(actor, Right.REMINDERS_READ)
    if lines is None:
        history = uow.history.for_case(case_id)
        reminders = uow.reminders.for_case(case_id) if sees_reminders else []
        visited = {e.to_state for e in history if e.to_state}
        return history, reminders, len(history) + len(reminders), visited
    history, total, visited = uow.history.latest(case_id, lines)
    if not sees_reminders:
        return history, [], total, visited
    latest, more = uow.reminders.latest_for_case(case_id, lines)
    return history, latest, total + more, visited


def _reassignment(uow: UnitOfWork, actor: Actor) -> tuple[list[User], list[MissionLocale]]:
    """A reassignment's choices, empty without the right to reassign."""
    if not policy.may(actor, Right.CASES_REASSIGN):
        return [], []
    advisors = uow.directory.users_with_role(policy.ADVISOR)
    return sorted(advisors, key=lambda u: u.username), uow.directory.mission_locales()


def read_sheet(
    store: CaseStore,
    case_id: int,
    actor: Actor,
    lines: int | None = None,
    *,
    whole: bool = True,
    known: User | None = None,
) -> CaseSheet:
    """Read a case's page for an actor; NotFound when they do not see the case.

    `known`: a user the caller already holds (the signed-in one), not read again when they
    are the case's advisor.

    With `lines`, only the latest `lines` history entries and reminders are read (a long
    journey's page shows its latest lines; mapping every row cost more than the rest).
    Without `whole`, the page's head only: no timeline, no states entered, no reassignment
    choices (`read_timeline`, `read_states`, `read_reassignment` read them apart).
    """
    policy.require(actor, Right.CASES_READ)
    with store.uow(readonly=True) as uow:
        case, birth_date = store.load(uow, case_id, actor)
        advisor = known if known is not None and known.id == case.advisor_id else None
        if case.advisor_id is not None and advisor is None:
            try:
                advisor = uow.directory.user(case.advisor_id)
            except NotFound:
                advisor = None
        if whole:
            history, reminders, total, visited = _timeline(uow, case_id, actor, lines)
            advisors, mission_locales = _reassignment(uow, actor)
        else:
            history, reminders, advisors, mission_locales = [], [], [], []
            total, visited = 0, set()
        return CaseSheet(
            case=case,
            actions=explain_actions(store, uow, case, birth_date, actor),
            history=history,
            timeline_total=total,
            visited=visited,
            person=_person(uow, case, actor),
            reminders=reminders,
            advisor=advisor,
            advisors=advisors,
            mission_locales=mission_locales,
        )


def read_timeline(store: CaseStore, case_id: int, actor: Actor, lines: int | None) -> Timeline:
    """Read a case's timeline (its latest `lines`, or all); NotFound as `read_sheet`."""
    policy.require(actor, Right.CASES_READ)
    with store.uow(readonly=True) as uow:
        case, _ = store.load(uow, case_id, actor)
        history, reminders, total, _ = _timeline(uow, case_id, actor, lines)
        sees = _person(uow, case, actor) is not None
        return Timeline(case, history, reminders, total, sees)


def read_parts(store: CaseStore, case_id: int, actor: Actor, lines: int | None) -> Parts:
    """Read the parts a case's page fetches at once, in one read transaction: the same checks
    and reads as `read_timeline`, `read_states`, `read_reassignment` and the uploads service's
    `of_case` (what the actor has no right to is left empty); NotFound as `read_sheet`."""
    policy.require(actor, Right.CASES_READ)
    with store.uow(readonly=True) as uow:
        case, _ = store.load(uow, case_id, actor)
        history, reminders, total, visited = _timeline(uow, case_id, actor, lines)
        sees = _person(uow, case, actor) is not None
        uploads = uow.uploads.for_case(case_id) if policy.may(actor, Right.UPLOADS_READ) else []
        reassignment = None
        if policy.may(actor, Right.CASES_REASSIGN):
            reassignment = Reassignment(case, *_reassignment(uow, actor))
        timeline = Timeline(case, history, reminders, total, sees)
        return Parts(timeline, visited, uploads, reassignment)


def read_states(store: CaseStore, case_id: int, actor: Actor) -> tuple[Case, set[str]]:
    """Read a case and every state it entered (its diagram); NotFound as `read_sheet`."""
    policy.require(actor, Right.CASES_READ)
    with store.uow(readonly=True) as uow:
        case, _ = store.load(uow, case_id, actor)
        _, _, visited = uow.history.latest(case_id, 0)  # no line: the states only
        return case, visited


def read_reassignment(store: CaseStore, case_id: int, actor: Actor) -> Reassignment:
    """Read a case's reassignment choices; Forbidden without the right, NotFound as above."""
    policy.require(actor, Right.CASES_READ)
    policy.require(actor, Right.CASES_REASSIGN)
    with store.uow(readonly=True) as uow:
        case, _ = store.load(uow, case_id, actor)
        advisors, mission_locales = _reassignment(uow, actor)
        return Reassignment(case, advisors, mission_locales)
