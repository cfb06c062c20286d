"""Young people and the directory of missions locales and users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import structlog

from ipm_workflow.domain import policy, text
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import AlreadyExists, InvalidInput, NotFound
from ipm_workflow.domain.people import (
    CHANNELS,
    CONTACT_FIELDS,
    PROFILE_FIELDS,
    MissionLocale,
    Person,
    User,
    checked_person,
    checked_person_fields,
)
from ipm_workflow.domain.policy import Action
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.consents import CONSENT_META, consent_events, stamp_consent
from ipm_workflow.services.person_changes import derive_territory, record_on_cases
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from ipm_workflow.services.case_store import CaseStore

log = structlog.get_logger("ipm_workflow.people")
_EDITABLE = frozenset({"first_name", "last_name", "birth_date", *CONTACT_FIELDS, *PROFILE_FIELDS})


def visible_person(uow: UnitOfWork, person_id: int, actor: Actor) -> Person:
    """Return a person the actor sees (the policy's rule), or NotFound as for a missing one."""
    person = uow.people.get(person_id)
    theirs = uow.people.mission_locales_of(person_id)
    policy.see_person(actor, person_id, theirs, person.registered_by)
    return person


def _all_closed(uow: UnitOfWork, person_id: int) -> bool:
    cases, total = uow.cases.search(CaseQuery(person_ids=[person_id], limit=100))
    return total > 0 and all(c.closed_at is not None for c in cases)


@dataclass(frozen=True)
class Registered:
    """A person just saved, with the probable duplicates to review (never blocking).

    `possible_duplicates` are the ones the actor may see; `duplicate_elsewhere` tells that
    others exist that the actor may not see (no id, no name).
    """

    person: Person
    possible_duplicates: list[Person] = field(default_factory=list)
    duplicate_elsewhere: bool = False
    # Among the possible duplicates, those whose every case is closed: a new case for them is a
    # re-entry (open it on their record), not a duplicate.
    returning: list[int] = field(default_factory=list)


class PeopleService:
    """Creates and updates young people; manages missions locales and users."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, store: CaseStore | None = None
    ) -> None:
        self.uow = uow
        self.clock = clock
        # Writes each change of a person into the history of their cases.
        self.store = store

    @staticmethod
    def _duplicates(uow: UnitOfWork, person: Person, actor: Actor) -> Registered:
        seen, hidden = [], False
        for other in uow.people.similar(person):
            theirs = uow.people.mission_locales_of(other.id or 0)
            if policy.sees_person(actor, theirs, other.registered_by):
                seen.append(other)
            else:
                hidden = True
        returning = [p.id for p in seen if p.id is not None and _all_closed(uow, p.id)]
        return Registered(person, seen, hidden, returning)

    def register(self, person: Person, actor: Actor) -> Registered:
        """Create a person registered by the actor; warn about probable duplicates."""
        with self.uow() as uow:
            saved = self.register_in(uow, person, actor)
            uow.commit()
        log.info(
            "person_registered",
            person_id=person.id,
            possible_duplicates=len(saved.possible_duplicates) + saved.duplicate_elsewhere,
        )
        return saved

    def probable_duplicates(self, person: Person, actor: Actor) -> Registered:
        """The duplicates `register` would warn about, before saving anything (the pages ask)."""
        policy.require(actor, Action.PEOPLE_REGISTER)
        person = checked_person(person)
        with self.uow(readonly=True) as uow:
            return self._duplicates(uow, person, actor)

    def register_in(self, uow: UnitOfWork, person: Person, actor: Actor) -> Registered:
        """Create a person inside a unit of work the caller owns (and commits)."""
        policy.require(actor, Action.PEOPLE_REGISTER)
        person = checked_person(person)
        now = self.clock.now()
        person.created_at = person.updated_at = now
        person.registered_by = actor.id
        if person.commune_insee and person.departement is None:
            derived = derive_territory(uow, {"commune_insee": person.commune_insee})
            for key in ("departement", "qpv", "rural"):
                setattr(person, key, derived[key])
        saved = self._duplicates(uow, person, actor)
        uow.people.add(person)
        # The consents given at registration are the person's first consent events.
        unset = replace(person, consent_email=False, consent_sms=False)
        given = {"consent_email": person.consent_email, "consent_sms": person.consent_sms}
        at = {f"consent_{c}_at": getattr(person, f"consent_{c}_at") for c in CHANNELS}
        sources = {f"consent_{c}_source": getattr(person, f"consent_{c}_source") for c in CHANNELS}
        for event in consent_events(person.id or 0, unset, given | at | sources, now, actor, {}):
            uow.privacy.add_consent(event)
        return saved

    def get(self, person_id: int) -> Person:
        """Return one person (internal callers: delivery, demo)."""
        with self.uow(readonly=True) as uow:
            return uow.people.get(person_id)

    def get_for(self, person_id: int, actor: Actor) -> Person:
        """Return a person the actor may see; NotFound otherwise, as for a missing id."""
        policy.require(actor, Action.PEOPLE_READ)
        with self.uow(readonly=True) as uow:
            return visible_person(uow, person_id, actor)

    def names_in_cases(self, cases: Sequence[Case], actor: Actor) -> dict[int, str]:
        """Names of the young people of cases the actor sees (empty without the right to read
        people): whoever sees a case sees its person (the policy's sees_person)."""
        if not policy.may(actor, Action.PEOPLE_READ):
            return {}
        for case in cases:
            policy.see_case(actor, case.id or 0, case.mission_locale_id)
        with self.uow(readonly=True) as uow:
            return uow.people.names(sorted({c.person_id for c in cases}))

    def mission_locales(self) -> list[MissionLocale]:
        """Every mission locale."""
        with self.uow(readonly=True) as uow:
            return uow.directory.mission_locales()

    def update(self, person_id: int, changes: dict[str, Any], actor: Actor) -> Registered:
        """Change a person's fields; report probable duplicates again. A person's preferences
        (channel, language, consent) are also their own to change (policy)."""
        meta = {k: changes[k] for k in CONSENT_META if k in changes}
        changes = {k: v for k, v in changes.items() if k not in CONSENT_META}
        policy.require_person_change(actor, changes)
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise InvalidInput(
                "unknown person fields",
                [{"field": k, "message": "not editable"} for k in sorted(unknown)],
            )
        changes = checked_person_fields(changes)
        with self.uow() as uow:
            person = visible_person(uow, person_id, actor)
            now = self.clock.now()
            changes = stamp_consent(person, derive_territory(uow, changes), now)
            changed = {k: v for k, v in changes.items() if getattr(person, k) != v}
            # Every consent change of a young person is kept as an event (domain/privacy.py).
            for event in consent_events(person_id, person, changed, now, actor, meta):
                uow.privacy.add_consent(event)
            # Rectification: the old value beside the new one, for those who read the history.
            before = {k: getattr(person, k) for k in changed}
            for key, value in changed.items():
                setattr(person, key, value)
            person.updated_at = now
            uow.people.update(person)
            if changed and self.store is not None:
                payload = {"changes": changed, "before": before}
                record_on_cases(
                    self.store, uow, person_id, "person_changed", payload, actor=actor, now=now
                )
            saved = self._duplicates(uow, person, actor)
            uow.commit()
        log.info("person_updated", person_id=person_id, fields=sorted(changes), actor=actor.id)
        return saved

    def add_mission_locale(self, ml: MissionLocale) -> None:
        """Create or rename a mission locale."""
        text.check(
            {"id": text.single_line, "name": text.single_line, "contact_email": text.email_address},
            {"id": ml.id, "name": ml.name, "contact_email": ml.contact_email},
        )
        with self.uow() as uow:
            uow.directory.add_mission_locale(ml)
            uow.commit()

    def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        mission_locales: Sequence[str],
        email: str | None = None,
    ) -> User:
        """Create a user working for some missions locales."""
        if role not in policy.USER_ROLES:
            listed = ", ".join(policy.USER_ROLES)
            raise InvalidInput(
                "unknown role", [{"field": "role", "message": f"'{role}' is not one of {listed}"}]
            )
        fields = text.check(
            {"username": text.name, "display_name": text.name, "email": text.email_address},
            {"username": username, "display_name": display_name, "email": email},
        )
        username, display_name, email = fields["username"], fields["display_name"], fields["email"]
        with self.uow() as uow:
            try:
                uow.directory.user_by_name(username)
                raise AlreadyExists(f"a user named '{username}' exists already")
            except NotFound:
                pass
            for ml_id in mission_locales:
                uow.directory.mission_locale(ml_id)
            user = uow.directory.add_user(
                username, display_name, role, mission_locales, now=self.clock.now(), email=email
            )
            uow.commit()
        log.info("user_added", user_id=user.id, role=role)
        return user

    def user_by_name(self, username: str) -> User:
        """Return a user by username."""
        with self.uow(readonly=True) as uow:
            return uow.directory.user_by_name(username)
