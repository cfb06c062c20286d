"""Repositories over SQLAlchemy Core: the hot path stays a few statements per command."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)

from ipm_workflow.adapters.db import mappers
from ipm_workflow.adapters.db.driver import DriverStatement
from ipm_workflow.adapters.db.tables import (
    CaseRow,
    CohortRow,
    GuardianRow,
    HistoryRow,
    MissionLocaleRow,
    PersonRow,
    ReminderRow,
    UserMissionLocaleRow,
    UserRow,
)
from ipm_workflow.domain.cases import Case, HistoryEntry
from ipm_workflow.domain.chain import ERASED_PAYLOAD
from ipm_workflow.domain.errors import NotFound, VersionConflict
from ipm_workflow.domain.profile import adult_born_by
from ipm_workflow.services.case_ports import AuditQuery, CaseQuery


def _utc(moment: datetime) -> datetime:
    """Compare instants in UTC: SQLite compares stored timestamps as text."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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


def minors_without_guardian(on: date) -> Any:
    """The condition on cases of young people who are minors on a day with no guardian."""
    guardians = _table(GuardianRow)
    people = select(people_t.c.id).where(
        people_t.c.birth_date > adult_born_by(on),
        ~exists().where(guardians.c.person_id == people_t.c.id),
    )
    return cases_t.c.person_id.in_(people)


_CASE_SORTS = {
    "id": cases_t.c.id,
    "opened_at": cases_t.c.opened_at,
    "updated_at": cases_t.c.updated_at,
    "state": cases_t.c.state,
    "state_entered_at": cases_t.c.state_entered_at,
    "due_at": cases_t.c.due_at,
}
SORTABLE = tuple(_CASE_SORTS)


# The hot path's statements are built once: building them per call (coercing each value, keying
# the compiled cache) cost more than running them.
_GET_CASE = DriverStatement(
    select(cases_t, people_t.c.birth_date)
    .join(people_t, people_t.c.id == cases_t.c.person_id)
    .where(cases_t.c.id == bindparam("b_case_id"))
)
_CASE_VERSION = select(cases_t.c.version).where(cases_t.c.id == bindparam("b_case_id"))
_UPDATES: dict[tuple[str, ...], DriverStatement] = {}
_reminders_t: Table = ReminderRow.__table__  # type: ignore[attr-defined]
# A case's reminders carry its mission locale (the agenda's filter): they follow its moves.
_REMINDERS_FOLLOW = (
    update(_reminders_t)
    .where(
        _reminders_t.c.case_id == bindparam("b_case_id"),
        _reminders_t.c.mission_locale_id.is_distinct_from(bindparam("b_mission_locale_id")),
    )
    .values(mission_locale_id=bindparam("b_mission_locale_id"))
)
_HISTORY_COLUMNS = tuple(c.name for c in history_t.columns if c.name != "id")
_INSERT_HISTORY = DriverStatement(
    insert(history_t).values(**{c: bindparam(f"b_{c}") for c in _HISTORY_COLUMNS})
)


def _update_statement(columns: tuple[str, ...]) -> DriverStatement:
    """UPDATE of some columns, guarded by the expected version (cached per column set)."""
    stmt = _UPDATES.get(columns)
    if stmt is None:
        stmt = DriverStatement(
            update(cases_t)
            .where(
                cases_t.c.id == bindparam("b_case_id"), cases_t.c.version == bindparam("b_expected")
            )
            .values(version=bindparam("b_version"), **{c: bindparam(f"b_{c}") for c in columns})
        )
        _UPDATES[columns] = stmt
    return stmt


def _attribution_conditions(query: CaseQuery) -> list[Any]:
    """Filters on the referring mission locale, on people, and on cases nobody is assigned to."""
    conditions: list[Any] = []
    if query.referring_mission_locales is not None:
        referring = list(query.referring_mission_locales)
        conditions.append(cases_t.c.referring_mission_locale_id.in_(referring))
    if query.person_ids is not None:
        conditions.append(cases_t.c.person_id.in_(list(query.person_ids)))
    if query.unassigned:
        conditions.append(cases_t.c.advisor_id.is_(None))
    return conditions


class SqlCaseRepository:
    """Cases in SQL, with the version counter checked in the UPDATE itself."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, case_id: int) -> tuple[Case, date | None]:
        """Return a case and its person's birth date, or raise NotFound."""
        row = _GET_CASE.fetch_one(self.conn, {"b_case_id": case_id})
        if row is None:
            raise NotFound(f"case {case_id} not found")
        return mappers.case_from_row(row), row["birth_date"]

    def add(self, case: Case) -> int:
        """Insert a new case and return its id."""
        values = {**mappers.case_values(case), "version": case.version}
        return new_id(self.conn.execute(insert(cases_t).values(**values)))

    def hold(self, case_id: int, expected_version: int) -> None:
        """Lock the case's row until the transaction ends, if still at `expected_version`.

        PostgreSQL: `SELECT … FOR UPDATE`, so a concurrent change waits here, then sees the new
        version, before it writes anything that depends on the case (its reminders); SQLite
        writers are serialised by BEGIN IMMEDIATE already. Raises VersionConflict or NotFound.
        """
        stmt = select(cases_t.c.version).where(cases_t.c.id == case_id).with_for_update()
        current = self.conn.execute(stmt).scalar()
        if current is None:
            raise NotFound(f"case {case_id} not found")
        if current != expected_version:
            raise VersionConflict(case_id, expected_version, current)

    def update(
        self, case: Case, expected_version: int, columns: Collection[str] | None = None
    ) -> None:
        """Write a case (or some of its columns) if still at `expected_version`.

        Raises VersionConflict when another command changed the case in between.
        """
        assert case.id is not None  # noqa: S101 - only stored cases are updated
        if columns is None:
            values = mappers.case_values(case)
            chosen = tuple(sorted(values))
        else:
            # Only what changed: re-serialising the document checklist is not free.
            chosen = tuple(sorted(columns))
            values = mappers.case_values(case, chosen)
        params = {f"b_{c}": values[c] for c in chosen}
        params |= {
            "b_case_id": case.id,
            "b_expected": expected_version,
            "b_version": expected_version + 1,
        }
        if _update_statement(chosen).execute(self.conn, params) != 1:
            current = self.conn.execute(_CASE_VERSION, {"b_case_id": case.id}).scalar()
            if current is None:
                raise NotFound(f"case {case.id} not found")
            raise VersionConflict(case.id, expected_version, current)
        case.version = expected_version + 1
        if "mission_locale_id" in chosen:
            follow = {"b_case_id": case.id, "b_mission_locale_id": case.mission_locale_id}
            self.conn.execute(_REMINDERS_FOLLOW, follow)

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
        conditions += _attribution_conditions(query)
        if query.opened_from:
            conditions.append(cases_t.c.opened_at >= _utc(query.opened_from))
        if query.opened_to:
            conditions.append(cases_t.c.opened_at < _utc(query.opened_to))
        if query.overdue is not None:
            # The same clock as the case representation: the stored deadline, pauses included.
            conditions.append(cases_t.c.due_at < _utc(query.overdue))
        if query.minor_without_guardian_on is not None:
            conditions.append(minors_without_guardian(query.minor_without_guardian_on))
        conditions.extend(_page_conditions(query))
        total = self.conn.execute(
            select(func.count()).select_from(cases_t).where(*conditions)
        ).scalar_one()
        conditions.extend(_keyset(query))
        order = _order(query)
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


def _keyset(query: CaseQuery) -> list[Any]:
    """Keyset paging: the cases after `query.after` (sorted value, id) in the listing's order."""
    if query.after is None or query.due_first:
        return []
    column = _CASE_SORTS[query.sort]
    value, last_id = query.after
    if isinstance(value, datetime):
        value = _utc(value)
    key = tuple_(column, cases_t.c.id)
    bound = tuple_(literal(value, column.type), literal(last_id, cases_t.c.id.type))
    return [key < bound if query.descending else key > bound]


def _page_conditions(query: CaseQuery) -> list[Any]:
    """The pages' filter: a young person's name."""
    conditions: list[Any] = []
    if query.name:
        conditions.append(_name_matches(query.name))
    return conditions


def _order(query: CaseQuery) -> list[Any]:
    """The listing's order; the id breaks ties so that pages never overlap nor skip a case."""
    if query.due_first:
        # Overdue cases have the earliest deadlines: they come first (the clock's `due_at`).
        return [cases_t.c.due_at.is_(None), cases_t.c.due_at, cases_t.c.id]
    column = _CASE_SORTS[query.sort]
    return [column.desc(), cases_t.c.id.desc()] if query.descending else [column, cases_t.c.id]


def _name_matches(text: str) -> Any:
    """Cases whose young person's first or last name contains the text (any case)."""
    needle = f"%{text.strip().lower()}%"
    people = select(people_t.c.id).where(
        or_(
            func.lower(people_t.c.first_name).like(needle),
            func.lower(people_t.c.last_name).like(needle),
        )
    )
    return cases_t.c.person_id.in_(people)


class SqlHistoryRepository:
    """The append-only history table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, entry: HistoryEntry) -> None:
        """Insert one entry."""
        values = mappers.entry_values(entry)
        _INSERT_HISTORY.execute(self.conn, {f"b_{c}": values[c] for c in _HISTORY_COLUMNS})

    def for_case(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's entries in order."""
        rows = self.conn.execute(
            select(history_t).where(history_t.c.case_id == case_id).order_by(history_t.c.seq)
        ).mappings()
        return [mappers.entry_from_row(r) for r in rows]

    def latest(self, case_id: int, limit: int) -> tuple[list[HistoryEntry], int, set[str]]:
        """Return a case's `limit` latest entries (oldest first), their count, states entered."""
        mine = history_t.c.case_id == case_id
        rows = self.conn.execute(
            select(history_t)
            .where(mine)
            .order_by(history_t.c.at.desc(), history_t.c.seq)
            .limit(limit)
        ).mappings()
        entries = sorted((mappers.entry_from_row(r) for r in rows), key=lambda e: e.seq)
        total = self.conn.execute(select(func.count()).where(mine)).scalar_one()
        states = self.conn.execute(
            select(history_t.c.to_state).where(mine, history_t.c.to_state.is_not(None)).distinct()
        ).scalars()
        return entries, int(total), set(states)

    def erase_payloads(self, case_id: int, seqs: Collection[int]) -> int:
        """Blank some entries' payloads and salts (digests and hashes kept); return how many."""
        stmt = (
            update(history_t)
            .where(history_t.c.case_id == case_id, history_t.c.seq.in_(sorted(seqs)))
            .values(payload=dict(ERASED_PAYLOAD), payload_salt=None)
        )
        return self.conn.execute(stmt).rowcount

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
            stmt = stmt.where(history_t.c.at >= _utc(query.since))
        if query.until:
            stmt = stmt.where(history_t.c.at < _utc(query.until))
        stmt = stmt.order_by(history_t.c.at.desc(), history_t.c.id.desc())
        rows = self.conn.execute(stmt.limit(query.limit).offset(query.offset)).mappings()
        return [mappers.entry_from_row(r) for r in rows]
