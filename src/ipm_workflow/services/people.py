"""Young people and the directory of missions locales and users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from ipm_workflow.domain import text
from ipm_workflow.domain.errors import AlreadyExists, InvalidInput, NotFound
from ipm_workflow.domain.people import (
    MissionLocale,
    Person,
    User,
    checked_person,
    checked_person_fields,
)
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger("ipm_workflow.people")
USER_ROLES = ("advisor", "supervisor", "admin", "trainer")
_EDITABLE = frozenset({"first_name", "last_name", "birth_date", "email", "phone"})


@dataclass(frozen=True)
class Registered:
    """A person just created, with the probable duplicates to review (never blocking)."""

    person: Person
    possible_duplicates: list[Person] = field(default_factory=list)


class PeopleService:
    """Creates and updates young people; manages missions locales and users."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    def register(self, person: Person) -> Registered:
        """Create a person; warn about probable duplicates without refusing."""
        person = checked_person(person)
        now = self.clock.now()
        person.created_at = person.updated_at = now
        with self.uow() as uow:
            duplicates = uow.people.similar(person)
            uow.people.add(person)
            uow.commit()
        log.info("person_registered", person_id=person.id, possible_duplicates=len(duplicates))
        return Registered(person, duplicates)

    def get(self, person_id: int) -> Person:
        """Return one person."""
        with self.uow(readonly=True) as uow:
            return uow.people.get(person_id)

    @staticmethod
    def _visible(uow: UnitOfWork, person_id: int, actor: Actor) -> Person:
        person = uow.people.get(person_id)
        if actor.mission_locales is not None:
            theirs = uow.people.mission_locales_of(person_id)
            # A person with no case yet was just registered and may be opened by any advisor.
            if theirs and not theirs & actor.mission_locales:
                raise NotFound(f"person {person_id} not found")
        return person

    def get_for(self, person_id: int, actor: Actor) -> Person:
        """Return a person the actor may see: one with a case in their missions locales."""
        with self.uow(readonly=True) as uow:
            return self._visible(uow, person_id, actor)

    def update(self, person_id: int, changes: dict[str, Any], actor: Actor) -> Registered:
        """Change a person's fields; report probable duplicates again."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise InvalidInput(
                "unknown person fields",
                [{"field": k, "message": "not editable"} for k in sorted(unknown)],
            )
        changes = checked_person_fields(changes)
        with self.uow() as uow:
            person = self._visible(uow, person_id, actor)
            for key, value in changes.items():
                setattr(person, key, value)
            person.updated_at = self.clock.now()
            uow.people.update(person)
            duplicates = uow.people.similar(person)
            uow.commit()
        log.info("person_updated", person_id=person_id, fields=sorted(changes), actor=actor.id)
        return Registered(person, duplicates)

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
        if role not in USER_ROLES:
            raise InvalidInput(
                "unknown role",
                [{"field": "role", "message": f"'{role}' is not one of {', '.join(USER_ROLES)}"}],
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
