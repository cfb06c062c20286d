"""Roles, the actions an actor may ask for and which roles may ask for each (the README's
table); who the actor is; a workflow's own roles per transition and for opening."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, get_args

from ipm_workflow.domain.errors import Forbidden

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
EVERYWHERE = frozenset({SUPERVISOR, ADMIN, TRAINER, OPERATOR, SYSTEM})
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
        scope = None if user.role in EVERYWHERE else user.mission_locales
        return cls(user.actor, acting, scope, user.id)


SYSTEM_ACTOR = Actor("system", SYSTEM)


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


def rights_table() -> list[tuple[str, list[str]]]:
    """Return (action, roles allowed) rows, in declaration order (the README's table)."""
    return [(a.value, [r for r in ROLES if r in RIGHTS[a]]) for a in Action]
