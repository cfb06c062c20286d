"""Repositories over SQLAlchemy Core: the hot path stays a few statements per command."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from ipm_workflow.adapters.db import case_search, mappers, name_keys
from ipm_workflow.adapters.db.driver import DriverStatement
from ipm_workflow.adapters.db.handles import cases_t, history_t, new_id, people_t
from ipm_workflow.adapters.db.tables import ReminderRow
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import NotFound, VersionConflict
from ipm_workflow.services.case_ports import CaseQuery

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
# What carries the case's mission locale follows its moves, in the case's transaction: its
# reminders (the agenda's filter, 0020_scale) and its history entries (the audit search's,
# 0025_history_ml; a copy outside the hash chain). Rows already there are left unwritten.
_FOLLOW_THE_CASE = tuple(
    update(table)
    .where(
        table.c.case_id == bindparam("b_case_id"),
        table.c.mission_locale_id.is_distinct_from(bindparam("b_mission_locale_id")),
    )
    .values(mission_locale_id=bindparam("b_mission_locale_id"))
    for table in (_reminders_t, history_t)
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
        # The name search's key, copied from the person in the same statement.
        values["name_key"] = name_keys.of_person(case.person_id, lock=True)
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
            for statement in _FOLLOW_THE_CASE:
                self.conn.execute(statement, follow)

    def search(self, query: CaseQuery) -> tuple[list[Case], int]:
        """Return one page of matching cases and their count, capped (see case_search)."""
        return case_search.search(self.conn, query)

    def ids(self) -> list[int]:
        """Return every case id."""
        return list(self.conn.execute(select(cases_t.c.id).order_by(cases_t.c.id)).scalars())
