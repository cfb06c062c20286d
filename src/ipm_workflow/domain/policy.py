"""The one access policy: who may do which action, and which cases, people and cohorts they see.

Every caller (HTTP guards, services, the command line, the worker) asks this module; no other
module compares role names or mission locales. A workflow file then narrows `cases.fire` and
`cases.open` further with the roles it declares per transition and for opening.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, get_args

from ipm_workflow.domain.errors import Forbidden, NotFound

if TYPE_CHECKING:  # people.py takes its role type from here
    from ipm_workflow.domain.people import User

# Platform roles: what a user account is.
UserRole = Literal["advisor", "supervisor", "admin", "trainer"]
USER_ROLES: tuple[str, ...] = get_args(UserRole)
ADVISOR, SUPERVISOR, ADMIN, TRAINER = USER_ROLES
# Identities that are not user accounts: the worker, and the console operator (`--as` absent).
SYSTEM, OPERATOR = "system", "operator"
# Workflow roles played by people outside the platform (referring mission locale, young person,
# host): a workflow grants them transitions; they reach only their own mission locale's cases.
ML_ADVISOR, YOUNG_PERSON, HOST = "ml_advisor", "young_person", "host"
EXTERNAL_ROLES = (ML_ADVISOR, YOUNG_PERSON, HOST)
# A minor's guardian, signed in on the young person's own pages (as the young person is there).
GUARDIAN = "guardian"
PORTAL_ROLES = (YOUNG_PERSON, GUARDIAN)
ROLES = (*USER_ROLES, OPERATOR, SYSTEM, *EXTERNAL_ROLES, GUARDIAN)
# Roles that reach every mission locale; the others reach only the ones they work for.
_EVERYWHERE = frozenset({SUPERVISOR, ADMIN, TRAINER, OPERATOR, SYSTEM})
# Workflow roles a user of a platform role may act in (the CLI's --role).
_ACTS_AS = {ADVISOR: (ADVISOR, ML_ADVISOR), SUPERVISOR: (SUPERVISOR,), ADMIN: (ADMIN,)}
OPERATOR_ID = "operator:cli"


class Action(StrEnum):
    """Everything an actor can ask for, by name."""

    PEOPLE_REGISTER = "people.register"
    PEOPLE_READ = "people.read"
    PEOPLE_UPDATE = "people.update"
    CASES_OPEN = "cases.open"
    CASES_READ = "cases.read"
    CASES_FIRE = "cases.fire"
    CASES_DATA = "cases.data"
    CASES_DOCUMENT = "cases.document"
    CASES_REASSIGN = "cases.reassign"
    CASES_MERGE = "cases.merge"
    CASES_SUSPEND = "cases.suspend"
    REMINDERS_READ = "reminders.read"
    REMINDERS_ACKNOWLEDGE = "reminders.acknowledge"
    REMINDERS_REQUEUE = "reminders.requeue"
    COHORTS_READ = "cohorts.read"
    COHORTS_WRITE = "cohorts.write"
    WORKFLOWS_READ = "workflows.read"
    WORKFLOWS_MIGRATE = "workflows.migrate"
    AUDIT = "audit"
    DIRECTORY = "directory"
    SANDBOX_CLOCK = "sandbox.clock"
    SANDBOX_OUTBOX = "sandbox.outbox"
    # People (issue 11): sensitive data on a need-to-know basis, every read recorded.
    READ_SENSITIVE = "people.read_sensitive"
    WRITE_SENSITIVE = "people.write_sensitive"
    # Reports (issue 14): figures in aggregate; advisors see only their missions locales'.
    REPORTS_READ = "reports.read"
    REPORTS_TARGETS = "reports.targets"
    # Data protection (issue 15): subject access, erasure requests, the record of processing.
    PEOPLE_EXPORT = "people.export"
    PRIVACY_ERASURE = "privacy.erasure"
    PRIVACY_REGISTER = "privacy.register"
    # Documents uploaded by the young person or a guardian (issue 17); an advisor validates
    # or refuses them with the right to record documents (cases.document).
    UPLOADS_SEND = "uploads.send"
    UPLOADS_READ = "uploads.read"
    UPLOADS_DOWNLOAD = "uploads.download"
    # The young person's own pages (issue 17): channel, language and consent per channel.
    PEOPLE_PREFERENCES = "people.preferences"


_CASE_WORK = frozenset({ADVISOR, ML_ADVISOR})
_READERS = frozenset({ADVISOR, SUPERVISOR, OPERATOR})
RIGHTS: dict[Action, frozenset[str]] = {
    Action.PEOPLE_REGISTER: _CASE_WORK | {OPERATOR},
    Action.PEOPLE_READ: _READERS | {ML_ADVISOR},
    Action.PEOPLE_UPDATE: _CASE_WORK,
    Action.CASES_OPEN: _CASE_WORK,
    Action.CASES_READ: _READERS | {SYSTEM, *EXTERNAL_ROLES},
    # The workflow's roles per transition decide which of these may fire what.
    Action.CASES_FIRE: frozenset({ADVISOR, SUPERVISOR, SYSTEM, *EXTERNAL_ROLES}),
    Action.CASES_DATA: _CASE_WORK,
    Action.CASES_DOCUMENT: _CASE_WORK,
    Action.CASES_REASSIGN: frozenset({ADVISOR, SUPERVISOR}),
    Action.CASES_MERGE: frozenset({SUPERVISOR}),
    # Suspending stops a case's clock: those who answer for its time limits.
    Action.CASES_SUSPEND: frozenset({ADVISOR, SUPERVISOR}),
    Action.REMINDERS_READ: _READERS,
    Action.REMINDERS_ACKNOWLEDGE: frozenset({ADVISOR, *PORTAL_ROLES}),
    Action.REMINDERS_REQUEUE: frozenset({SUPERVISOR, OPERATOR}),
    Action.COHORTS_READ: _READERS,
    Action.COHORTS_WRITE: frozenset({ADVISOR, SUPERVISOR}),
    Action.WORKFLOWS_READ: frozenset({ADVISOR, SUPERVISOR, TRAINER, OPERATOR}),
    Action.WORKFLOWS_MIGRATE: frozenset({SUPERVISOR, OPERATOR}),
    Action.AUDIT: frozenset({SUPERVISOR, OPERATOR}),
    Action.DIRECTORY: frozenset({ADMIN, OPERATOR}),
    Action.SANDBOX_CLOCK: frozenset({ADMIN, TRAINER}),
    Action.SANDBOX_OUTBOX: frozenset(USER_ROLES),
    # Sensitive data (RQTH, fewer opportunities, inclusion support, health): the Ipm advisor who
    # prepares the stay and the supervisor who answers for it. Not the mission locale, the
    # admin, the trainer nor the console operator, who have no need to know.
    Action.READ_SENSITIVE: frozenset({ADVISOR, SUPERVISOR}),
    Action.WRITE_SENSITIVE: frozenset({ADVISOR}),
    Action.REPORTS_READ: frozenset({ADVISOR, SUPERVISOR, ADMIN, OPERATOR}),
    Action.REPORTS_TARGETS: frozenset({SUPERVISOR, OPERATOR}),
    # A subject access export: staff who answer the person (sensitive data only in the exports
    # of those who may read it); erasure decisions and the record of processing: supervisors.
    Action.PEOPLE_EXPORT: frozenset({ADVISOR, SUPERVISOR, OPERATOR}),
    Action.PRIVACY_ERASURE: frozenset({SUPERVISOR, OPERATOR}),
    Action.PRIVACY_REGISTER: frozenset({SUPERVISOR, ADMIN, OPERATOR}),
    Action.UPLOADS_SEND: _CASE_WORK | set(PORTAL_ROLES),
    Action.UPLOADS_READ: _READERS | {ML_ADVISOR, *PORTAL_ROLES},
    # The file itself (an identity card…): those who validate it and who answer for the case.
    Action.UPLOADS_DOWNLOAD: frozenset({ADVISOR, SUPERVISOR}),
    Action.PEOPLE_PREFERENCES: _CASE_WORK | set(PORTAL_ROLES),
}
# What a person may change about themselves (their own pages): how and whether to be reached.
PREFERENCE_FIELDS = frozenset(
    {
        "preferred_channel",
        "language",
        "consent_email",
        "consent_sms",
        "consent_email_source",
        "consent_sms_source",
    }
)
CONSENT_FIELDS = frozenset({"consent_email", "consent_sms"})
# What a guardian may change about themselves: whether and how they are reached.
GUARDIAN_PREFERENCE_FIELDS = frozenset({"consent_email", "consent_sms", "consent_source"})


@dataclass(frozen=True)
class Actor:
    """Who acts, in which role, and which missions locales they work for (None: not bound)."""

    id: str
    role: str
    mission_locales: frozenset[str] | None = None
    user_id: int | None = None
    # On the young person's own pages: the person this actor is, or speaks for (a guardian).
    person_id: int | None = None
    guardian_id: int | None = None  # the guardian signed in there

    @classmethod
    def of(cls, user: User, role: str | None = None) -> Actor:
        """Act as a user, in their own role or a workflow role it allows; Forbidden otherwise."""
        acting = role or user.role
        if acting != user.role and acting not in _ACTS_AS.get(user.role, ()):
            raise Forbidden(f"a user of role '{user.role}' may not act as '{acting}'")
        scope = None if user.role in _EVERYWHERE else user.mission_locales
        return cls(user.actor, acting, scope, user.id)


SYSTEM_ACTOR = Actor("system", SYSTEM)


def portal_actor(person_id: int, guardian_id: int | None = None) -> Actor:
    """The young person on their own pages, or one of their guardians; they reach no mission
    locale, only the person's own cases (`see_case` with the case's person)."""
    if guardian_id is None:
        return Actor(f"{YOUNG_PERSON}:{person_id}", YOUNG_PERSON, frozenset(), None, person_id)
    return Actor(f"{GUARDIAN}:{guardian_id}", GUARDIAN, frozenset(), None, person_id, guardian_id)


def on_own_pages(actor: Actor) -> bool:
    """Tell whether the actor is a young person or a guardian on the young person's pages."""
    return actor.role in PORTAL_ROLES


def is_guardian(actor: Actor) -> bool:
    """Tell whether the actor is a guardian on the young person's pages."""
    return actor.role == GUARDIAN


def answers_reminder(actor: Actor, recipient: str) -> bool:
    """On their own pages a young person or guardian answers only the reminders addressed to
    the young person or the guardians; staff answer any they see."""
    return actor.person_id is None or recipient in PORTAL_ROLES


def gives_consent(actor: Actor, minor: bool) -> bool:
    """Whether the actor may give or withdraw the person's consent to be reached: for a minor,
    only a guardian (or staff recording it); an adult gives their own."""
    return not (minor and actor.role == YOUNG_PERSON)


def require_person_change(actor: Actor, fields: Collection[str]) -> None:
    """Raise Forbidden unless the actor may change these fields of a person: preferences alone
    are the person's own (PEOPLE_PREFERENCES), anything else needs PEOPLE_UPDATE."""
    if set(fields) <= PREFERENCE_FIELDS and may(actor, Action.PEOPLE_PREFERENCES):
        return
    require(actor, Action.PEOPLE_UPDATE)


# The console operator: someone with shell access to the server, acting without `--as`.
OPERATOR_ACTOR = Actor(OPERATOR_ID, OPERATOR)


def may(actor: Actor, action: Action) -> bool:
    """Tell whether the actor's role may ask for an action at all."""
    return actor.role in RIGHTS[action]


def require(actor: Actor, action: Action) -> None:
    """Raise Forbidden unless the actor's role may ask for the action."""
    if not may(actor, action):
        allowed = ", ".join(sorted(RIGHTS[action]))
        raise Forbidden(f"role '{actor.role}' may not use {action.value}; allowed: {allowed}")


def reach(actor: Actor) -> frozenset[str] | None:
    """Return the missions locales whose cases the actor sees (None: all of them)."""
    if actor.role in _EVERYWHERE:
        return None
    return actor.mission_locales if actor.mission_locales is not None else frozenset()


def reaches(actor: Actor, mission_locale_id: str) -> bool:
    """Tell whether the actor sees the cases of a mission locale."""
    scope = reach(actor)
    return scope is None or mission_locale_id in scope


def narrow(actor: Actor, wanted: Iterable[str] | None) -> list[str] | None:
    """Intersect a listing's mission-locale filter with the actor's reach (None: no filter)."""
    scope = reach(actor)
    if scope is None:
        return None if wanted is None else sorted(wanted)
    return sorted(scope if wanted is None else scope & set(wanted))


def require_guardian_change(actor: Actor, guardian_id: int, fields: Collection[str]) -> None:
    """Raise Forbidden unless the actor may change these fields of a guardian: a guardian their
    own consents on the young person's pages; anything else needs PEOPLE_UPDATE."""
    if actor.guardian_id == guardian_id and set(fields) <= GUARDIAN_PREFERENCE_FIELDS:
        return
    require(actor, Action.PEOPLE_UPDATE)


def see_case(
    actor: Actor, case_id: int, mission_locale_id: str, person_id: int | None = None
) -> None:
    """Raise NotFound (as for a missing case) unless the actor sees the case; on their own
    pages a young person or guardian sees only the person's cases (`person_id`, the case's)."""
    if actor.person_id is not None:
        if person_id != actor.person_id:
            raise NotFound(f"case {case_id} not found")
        return
    if not reaches(actor, mission_locale_id):
        raise NotFound(f"case {case_id} not found")


def provides(actor: Actor, providers: Collection[str]) -> bool:
    """Whether the actor may send a document the checklist says `providers` provide.

    Staff may send any document on someone's behalf; the young person and a guardian only
    the documents the workflow declares theirs.
    """
    return actor.role not in PORTAL_ROLES or actor.role in providers


def sees_person(
    actor: Actor, case_mission_locales: Collection[str], registered_by: str | None
) -> bool:
    """A person is seen by their cases' missions locales, their registrant and the wide roles."""
    scope = reach(actor)
    return scope is None or registered_by == actor.id or bool(scope & set(case_mission_locales))


def see_person(
    actor: Actor, person_id: int, case_mission_locales: Collection[str], registered_by: str | None
) -> None:
    """Raise NotFound (as for a missing person) unless the actor sees the person."""
    if actor.person_id is not None:
        if person_id != actor.person_id:
            raise NotFound(f"person {person_id} not found")
        return
    if not sees_person(actor, case_mission_locales, registered_by):
        raise NotFound(f"person {person_id} not found")


def sees_cohort(
    actor: Actor, member_mission_locales: Collection[str], created_by: str | None
) -> bool:
    """A cohort is seen like its cases: by its members' missions locales, and by its creator."""
    return sees_person(actor, member_mission_locales, created_by)


def see_cohort(
    actor: Actor, cohort_id: int, member_mission_locales: Collection[str], created_by: str | None
) -> None:
    """Raise NotFound (as for a missing cohort) unless the actor sees the cohort."""
    if not sees_cohort(actor, member_mission_locales, created_by):
        raise NotFound(f"cohort {cohort_id} not found")


def may_open(actor: Actor, workflow: str, opening_roles: Collection[str]) -> None:
    """Raise Forbidden unless the actor may open a case there (the workflow's opening roles)."""
    require(actor, Action.CASES_OPEN)
    if actor.role not in opening_roles:
        raise Forbidden(
            f"role '{actor.role}' may not open a case on {workflow}; "
            f"allowed: {', '.join(opening_roles)}"
        )


def admits(declared_roles: Collection[str], role: str) -> bool:
    """Tell whether the roles a workflow declares (a transition's `roles`) admit a role."""
    return role in declared_roles


def workflow_role(actor: Actor) -> str:
    """Return the role a workflow's per-transition `roles` are checked against."""
    return actor.role


def own_agenda(actor: Actor) -> int | None:
    """Return the advisor whose agenda this is (None: the whole reach, for supervisors)."""
    return actor.user_id if actor.role == ADVISOR else None


def takes_unnamed_case(actor: Actor, referral: bool) -> int | None:
    """Who follows a case opened without naming an advisor: the Ipm advisor who opens it; a
    mission locale's referral (an ML advisor, an import) stays unassigned for the coordinators."""
    return actor.user_id if actor.role == ADVISOR and not referral else None


def rights_table() -> list[tuple[str, list[str]]]:
    """Return (action, roles allowed) rows, in declaration order (the README's table)."""
    return [(a.value, [r for r in ROLES if r in RIGHTS[a]]) for a in Action]
