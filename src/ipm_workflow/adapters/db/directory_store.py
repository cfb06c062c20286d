"""People, missions locales, users and cohorts in SQL."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from ipm_workflow.adapters.db import mappers, name_keys
from ipm_workflow.adapters.db.handles import (
    cases_t,
    cohorts_t,
    ml_t,
    new_id,
    people_t,
    user_ml_t,
    users_t,
)
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import Cohort, MissionLocale, Person, User


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class SqlPeopleRepository:
    """Young people."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, person: Person) -> int:
        """Insert a person and return the id."""
        person.id = new_id(
            self.conn.execute(insert(people_t).values(**mappers.person_values(person)))
        )
        return person.id

    def get(self, person_id: int) -> Person:
        """Return a person, or raise NotFound."""
        missing = f"person {person_id} not found"
        return mappers.one_record(
            self.conn, Person, people_t, people_t.c.id == person_id, missing=missing
        )

    def update(self, person: Person) -> None:
        """Write a person's fields (and their names onto their cases' search key)."""
        self.conn.execute(
            update(people_t)
            .where(people_t.c.id == person.id)
            .values(**mappers.person_values(person))
        )
        if person.id is not None:
            name_keys.refresh(self.conn, person.id)

    def mission_locales_of(self, person_id: int) -> set[str]:
        """Return the missions locales of the person's cases."""
        rows = self.conn.execute(
            select(cases_t.c.mission_locale_id).where(cases_t.c.person_id == person_id).distinct()
        ).scalars()
        return set(rows)

    def case_ids_of(self, person_id: int) -> list[int]:
        """Return the ids of the person's cases, oldest first."""
        rows = self.conn.execute(
            select(cases_t.c.id).where(cases_t.c.person_id == person_id).order_by(cases_t.c.id)
        ).scalars()
        return list(rows)

    def merged_into(self, person_id: int) -> list[int]:
        """Return the ids of the records merged into this person's (duplicates of them)."""
        stmt = select(people_t.c.id).where(people_t.c.merged_into_id == person_id)
        return list(self.conn.execute(stmt.order_by(people_t.c.id)).scalars())

    def _survivor(self, person: Person) -> Person:
        # A merged record stands for its survivor: searches find the survivor, once.
        seen = {person.id}
        while person.merged_into_id is not None and person.merged_into_id not in seen:
            seen.add(person.merged_into_id)
            person = self.get(person.merged_into_id)
        return person

    def names(self, person_ids: Sequence[int]) -> dict[int, str]:
        """Return "First Last" of each person by id (one query, for a listing)."""
        rows = self.conn.execute(
            select(people_t.c.id, people_t.c.first_name, people_t.c.last_name).where(
                people_t.c.id.in_(list(person_ids))
            )
        )
        return {r[0]: f"{r[1]} {r[2]}" for r in rows}

    def similar(self, person: Person) -> list[Person]:
        """Return probable duplicates: same birth date and close name, or same phone or e-mail.

        A record merged into another is reported as the record that survived it.
        """
        ors: list[Any] = []
        if person.birth_date:
            ors.append(people_t.c.birth_date == person.birth_date)
        if person.phone:
            ors.append(people_t.c.phone == person.phone)
        if person.email:
            ors.append(func.lower(people_t.c.email) == person.email.lower())
        if not ors:
            return []
        stmt = select(people_t).where(or_(*ors))
        if person.id is not None:
            stmt = stmt.where(people_t.c.id != person.id)
        name = _folded(f"{person.first_name} {person.last_name}")
        found: list[Person] = []
        for row in self.conn.execute(stmt.limit(200)).mappings():
            other = mappers.person_from_row(row)
            same_contact = (person.phone and other.phone == person.phone) or (
                person.email and (other.email or "").lower() == person.email.lower()
            )
            other_name = _folded(f"{other.first_name} {other.last_name}")
            close = difflib.SequenceMatcher(None, name, other_name).ratio() >= 0.8
            if same_contact or (other.birth_date == person.birth_date and close):
                survivor = self._survivor(other)
                if survivor.id != person.id and all(f.id != survivor.id for f in found):
                    found.append(survivor)
        return found


class SqlDirectoryRepository:
    """Missions locales and users."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def mission_locale(self, ml_id: str) -> MissionLocale:
        """Return a mission locale, or raise NotFound."""
        missing = f"mission locale '{ml_id}' not found"
        return mappers.one_record(
            self.conn, MissionLocale, ml_t, ml_t.c.id == ml_id, missing=missing
        )

    def mission_locales(self) -> list[MissionLocale]:
        """Return every mission locale."""
        return mappers.records(self.conn, MissionLocale, select(ml_t).order_by(ml_t.c.id))

    def add_mission_locale(self, ml: MissionLocale) -> None:
        """Insert or update a mission locale."""
        values = mappers.values_of(ml, ml_t)
        mappers.upsert(self.conn, ml_t, {"id": ml.id}, values)

    def _users(self, *where: Any, order: Any = users_t.c.id) -> list[User]:
        # Two queries for any number of users: the rows, then their missions locales.
        rows = self.conn.execute(select(users_t).where(*where).order_by(order)).mappings().all()
        mls: dict[int, set[str]] = {r["id"]: set() for r in rows}
        if mls:
            links = select(user_ml_t.c.user_id, user_ml_t.c.mission_locale_id).where(
                user_ml_t.c.user_id.in_(list(mls))
            )
            for user_id, ml_id in self.conn.execute(links):
                mls[user_id].add(ml_id)
        return [mappers.record_of(User, r, mission_locales=frozenset(mls[r["id"]])) for r in rows]

    def _user(self, where: Any) -> User:
        found = self._users(where)
        if not found:
            raise NotFound("user not found")
        return found[0]

    def users_with_role(self, role: str) -> list[User]:
        """Return the active users of a role."""
        return self._users(users_t.c.role == role, users_t.c.active.is_(True))

    def users(self) -> list[User]:
        """Return every user, active or not, by username."""
        return self._users(order=users_t.c.username)

    def user(self, user_id: int) -> User:
        """Return a user, or raise NotFound."""
        return self._user(users_t.c.id == user_id)

    def user_by_name(self, username: str) -> User:
        """Return a user by username, or raise NotFound."""
        return self._user(users_t.c.username == username)

    def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        mission_locales: Sequence[str],
        *,
        now: datetime,
        email: str | None = None,
    ) -> User:
        """Create a user working for the given missions locales."""
        given = {"username": username, "display_name": display_name, "role": role, "email": email}
        result = self.conn.execute(insert(users_t).values(**given, active=True, created_at=now))
        user_id = new_id(result)
        for ml_id in mission_locales:
            self.conn.execute(insert(user_ml_t).values(user_id=user_id, mission_locale_id=ml_id))
        return self.user(user_id)


class SqlCohortRepository:
    """Groups of cases leaving together."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, cohort: Cohort, now: datetime) -> Cohort:
        """Create a cohort."""
        result = mappers.insert_record(self.conn, cohorts_t, cohort, created_at=now)
        return replace(cohort, id=new_id(result))

    def get(self, cohort_id: int) -> Cohort:
        """Return a cohort, or raise NotFound."""
        missing = f"cohort {cohort_id} not found"
        return mappers.one_record(
            self.conn, Cohort, cohorts_t, cohorts_t.c.id == cohort_id, missing=missing
        )

    def all(self) -> list[Cohort]:
        """Return every cohort."""
        return mappers.records(self.conn, Cohort, select(cohorts_t).order_by(cohorts_t.c.id))

    def mission_locales(self, cohort_ids: Sequence[int] | None = None) -> dict[int, set[str]]:
        """Return the missions locales of each cohort's member cases (all cohorts by default)."""
        stmt = select(cases_t.c.cohort_id, cases_t.c.mission_locale_id).where(
            cases_t.c.cohort_id.is_not(None)
        )
        if cohort_ids is not None:
            stmt = stmt.where(cases_t.c.cohort_id.in_(list(cohort_ids)))
        found: dict[int, set[str]] = {}
        for cohort_id, ml_id in self.conn.execute(stmt.distinct()):
            found.setdefault(cohort_id, set()).add(ml_id)
        return found
