"""Repositories over SQLAlchemy Core: the hot path stays a few statements per command."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, false, func, insert, or_, select, update

from ipm_workflow.adapters.db import mappers
from ipm_workflow.adapters.db.tables import (
    CaseRow,
    CohortRow,
    HistoryRow,
    MissionLocaleRow,
    PersonRow,
    UserMissionLocaleRow,
    UserRow,
)
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.errors import NotFound, VersionConflict
from ipm_workflow.domain.people import Cohort, MissionLocale, Person, User
from ipm_workflow.services.ports import AuditQuery, CaseQuery


def new_id(result: Any) -> int:
    """Return the primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has a generated key
        raise RuntimeError("the insert returned no primary key")
    return int(key[0])


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


cases_t = _table(CaseRow)
history_t = _table(HistoryRow)
people_t = _table(PersonRow)
ml_t = _table(MissionLocaleRow)
users_t = _table(UserRow)
user_ml_t = _table(UserMissionLocaleRow)
cohorts_t = _table(CohortRow)

_CASE_SORTS = {
    "id": cases_t.c.id,
    "opened_at": cases_t.c.opened_at,
    "updated_at": cases_t.c.updated_at,
    "state": cases_t.c.state,
    "state_entered_at": cases_t.c.state_entered_at,
}
SORTABLE = tuple(_CASE_SORTS)


class SqlCaseRepository:
    """Cases in SQL, with the version counter checked in the UPDATE itself."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, case_id: int) -> tuple[Case, date | None]:
        """Return a case and its person's birth date, or raise NotFound."""
        stmt = (
            select(cases_t, people_t.c.birth_date)
            .join(people_t, people_t.c.id == cases_t.c.person_id)
            .where(cases_t.c.id == case_id)
        )
        row = self.conn.execute(stmt).mappings().first()
        if row is None:
            raise NotFound(f"case {case_id} not found")
        return mappers.case_from_row(row), row["birth_date"]

    def add(self, case: Case) -> int:
        """Insert a new case and return its id."""
        values = {**mappers.case_values(case), "version": case.version}
        return new_id(self.conn.execute(insert(cases_t).values(**values)))

    def update(self, case: Case, expected_version: int) -> None:
        """Write a case if it is still at `expected_version`, else raise VersionConflict."""
        assert case.id is not None  # noqa: S101 - only stored cases are updated
        stmt = (
            update(cases_t)
            .where(cases_t.c.id == case.id, cases_t.c.version == expected_version)
            .values(**mappers.case_values(case), version=expected_version + 1)
        )
        if self.conn.execute(stmt).rowcount != 1:
            current = self.conn.execute(
                select(cases_t.c.version).where(cases_t.c.id == case.id)
            ).scalar()
            if current is None:
                raise NotFound(f"case {case.id} not found")
            raise VersionConflict(case.id, expected_version, current)
        case.version = expected_version + 1

    def search(self, query: CaseQuery) -> tuple[list[Case], int]:
        """Return one page of matching cases and the total count."""
        conditions: list[Any] = []
        if query.state:
            conditions.append(cases_t.c.state == query.state)
        if query.states is not None:
            conditions.append(cases_t.c.state.in_(list(query.states)))
        if query.workflow:
            conditions.append(cases_t.c.workflow == query.workflow)
        if query.workflow_version is not None:
            conditions.append(cases_t.c.workflow_version == query.workflow_version)
        if query.cohort_id is not None:
            conditions.append(cases_t.c.cohort_id == query.cohort_id)
        if query.mission_locales is not None:
            conditions.append(cases_t.c.mission_locale_id.in_(list(query.mission_locales)))
        if query.advisor_id is not None:
            conditions.append(cases_t.c.advisor_id == query.advisor_id)
        if query.opened_from:
            conditions.append(cases_t.c.opened_at >= query.opened_from)
        if query.opened_to:
            conditions.append(cases_t.c.opened_at < query.opened_to)
        if query.overdue is not None:
            conditions.append(
                or_(
                    false(),
                    *(
                        and_(
                            cases_t.c.workflow == wf,
                            cases_t.c.workflow_version == version,
                            cases_t.c.state == state,
                            cases_t.c.state_entered_at < cutoff,
                        )
                        for wf, version, state, cutoff in query.overdue
                    ),
                )
            )
        total = self.conn.execute(
            select(func.count()).select_from(cases_t).where(*conditions)
        ).scalar_one()
        column = _CASE_SORTS[query.sort]
        # The id breaks ties so that pages never overlap nor skip a case.
        order = [column.desc(), cases_t.c.id.desc()] if query.descending else [column, cases_t.c.id]
        rows = self.conn.execute(
            select(cases_t)
            .where(*conditions)
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
        ).mappings()
        return [mappers.case_from_row(r) for r in rows], total

    def ids(self) -> list[int]:
        """Return every case id."""
        return list(self.conn.execute(select(cases_t.c.id).order_by(cases_t.c.id)).scalars())


class SqlHistoryRepository:
    """The append-only history table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, entry: HistoryEntry) -> None:
        """Insert one entry."""
        self.conn.execute(insert(history_t).values(**mappers.entry_values(entry)))

    def for_case(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's entries in order."""
        rows = self.conn.execute(
            select(history_t).where(history_t.c.case_id == case_id).order_by(history_t.c.seq)
        ).mappings()
        return [mappers.entry_from_row(r) for r in rows]

    def search(self, query: AuditQuery) -> list[HistoryEntry]:
        """Return entries across cases, newest first."""
        stmt = select(history_t)
        if query.mission_locale_id:
            stmt = stmt.join(cases_t, cases_t.c.id == history_t.c.case_id).where(
                cases_t.c.mission_locale_id == query.mission_locale_id
            )
        for column, value in (
            (history_t.c.actor, query.actor),
            (history_t.c.trigger, query.trigger),
            (history_t.c.case_id, query.case_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if query.since:
            stmt = stmt.where(history_t.c.at >= query.since)
        if query.until:
            stmt = stmt.where(history_t.c.at < query.until)
        stmt = stmt.order_by(history_t.c.at.desc(), history_t.c.id.desc())
        rows = self.conn.execute(stmt.limit(query.limit).offset(query.offset)).mappings()
        return [mappers.entry_from_row(r) for r in rows]


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
        row = self.conn.execute(select(people_t).where(people_t.c.id == person_id)).mappings()
        found = row.first()
        if found is None:
            raise NotFound(f"person {person_id} not found")
        return mappers.person_from_row(found)

    def update(self, person: Person) -> None:
        """Write a person's fields."""
        self.conn.execute(
            update(people_t)
            .where(people_t.c.id == person.id)
            .values(**mappers.person_values(person))
        )

    def mission_locales_of(self, person_id: int) -> set[str]:
        """Return the missions locales of the person's cases."""
        rows = self.conn.execute(
            select(cases_t.c.mission_locale_id).where(cases_t.c.person_id == person_id).distinct()
        ).scalars()
        return set(rows)

    def similar(self, person: Person) -> list[Person]:
        """Return probable duplicates: same birth date and close name, or same phone or e-mail."""
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
        found = []
        for row in self.conn.execute(stmt.limit(200)).mappings():
            other = mappers.person_from_row(row)
            same_contact = (person.phone and other.phone == person.phone) or (
                person.email and (other.email or "").lower() == person.email.lower()
            )
            other_name = _folded(f"{other.first_name} {other.last_name}")
            close = difflib.SequenceMatcher(None, name, other_name).ratio() >= 0.8
            if same_contact or (other.birth_date == person.birth_date and close):
                found.append(other)
        return found


class SqlDirectoryRepository:
    """Missions locales and users."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def mission_locale(self, ml_id: str) -> MissionLocale:
        """Return a mission locale, or raise NotFound."""
        row = self.conn.execute(select(ml_t).where(ml_t.c.id == ml_id)).mappings().first()
        if row is None:
            raise NotFound(f"mission locale '{ml_id}' not found")
        return MissionLocale(row["id"], row["name"], row["departement"], row["contact_email"])

    def mission_locales(self) -> list[MissionLocale]:
        """Return every mission locale."""
        rows = self.conn.execute(select(ml_t).order_by(ml_t.c.id)).mappings()
        return [
            MissionLocale(r["id"], r["name"], r["departement"], r["contact_email"]) for r in rows
        ]

    def add_mission_locale(self, ml: MissionLocale) -> None:
        """Insert or update a mission locale."""
        values = {"name": ml.name, "departement": ml.departement, "contact_email": ml.contact_email}
        if self.conn.execute(update(ml_t).where(ml_t.c.id == ml.id).values(**values)).rowcount:
            return
        self.conn.execute(insert(ml_t).values(id=ml.id, **values))

    def _user(self, where: Any) -> User:
        row = self.conn.execute(select(users_t).where(where)).mappings().first()
        if row is None:
            raise NotFound("user not found")
        mls = self.conn.execute(
            select(user_ml_t.c.mission_locale_id).where(user_ml_t.c.user_id == row["id"])
        ).scalars()
        return User(
            row["id"],
            row["username"],
            row["display_name"],
            row["role"],
            frozenset(mls),
            row["active"],
            row["email"],
            row["timezone"],
        )

    def users_with_role(self, role: str) -> list[User]:
        """Return the active users of a role."""
        ids = self.conn.execute(
            select(users_t.c.id)
            .where(users_t.c.role == role, users_t.c.active.is_(True))
            .order_by(users_t.c.id)
        ).scalars()
        return [self.user(i) for i in ids]

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
        result = self.conn.execute(
            insert(users_t).values(
                username=username,
                display_name=display_name,
                role=role,
                active=True,
                created_at=now,
                email=email,
            )
        )
        user_id = new_id(result)
        for ml_id in mission_locales:
            self.conn.execute(insert(user_ml_t).values(user_id=user_id, mission_locale_id=ml_id))
        return self.user(user_id)


def _cohort(row: Any) -> Cohort:
    return Cohort(
        row["id"],
        row["code"],
        row["label"],
        row["workflow"],
        row["planned_start"],
        row["planned_end"],
    )


class SqlCohortRepository:
    """Groups of cases leaving together."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, cohort: Cohort, now: datetime) -> Cohort:
        """Create a cohort."""
        result = self.conn.execute(
            insert(cohorts_t).values(
                code=cohort.code,
                label=cohort.label,
                workflow=cohort.workflow,
                planned_start=cohort.planned_start,
                planned_end=cohort.planned_end,
                created_at=now,
            )
        )
        return Cohort(
            new_id(result),
            cohort.code,
            cohort.label,
            cohort.workflow,
            cohort.planned_start,
            cohort.planned_end,
        )

    def get(self, cohort_id: int) -> Cohort:
        """Return a cohort, or raise NotFound."""
        row = self.conn.execute(select(cohorts_t).where(cohorts_t.c.id == cohort_id)).mappings()
        found = row.first()
        if found is None:
            raise NotFound(f"cohort {cohort_id} not found")
        return _cohort(found)

    def all(self) -> list[Cohort]:
        """Return every cohort."""
        rows = self.conn.execute(select(cohorts_t).order_by(cohorts_t.c.id)).mappings()
        return [_cohort(r) for r in rows]
