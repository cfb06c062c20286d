"""A unit of work is one database transaction with its repositories."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from ipm_workflow.adapters.db.access import SqlIdempotencyRepository, SqlTokenRepository
from ipm_workflow.adapters.db.database import READONLY
from ipm_workflow.adapters.db.directory_store import (
    SqlCohortRepository,
    SqlDirectoryRepository,
    SqlPeopleRepository,
)
from ipm_workflow.adapters.db.reminder_store import SqlReminderRepository
from ipm_workflow.adapters.db.repositories import SqlCaseRepository, SqlHistoryRepository


class SqlUnitOfWork:
    """One transaction on one connection; rolled back unless committed."""

    cases: SqlCaseRepository
    history: SqlHistoryRepository
    people: SqlPeopleRepository
    directory: SqlDirectoryRepository
    tokens: SqlTokenRepository
    idempotency: SqlIdempotencyRepository
    reminders: SqlReminderRepository
    cohorts: SqlCohortRepository

    def __init__(self, engine: Engine, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        conn = self.engine.connect()
        if self.readonly:
            conn = conn.execution_options(**{READONLY: True})
        conn.begin()
        self._conn = conn
        self.cases = SqlCaseRepository(conn)
        self.history = SqlHistoryRepository(conn)
        self.people = SqlPeopleRepository(conn)
        self.directory = SqlDirectoryRepository(conn)
        self.tokens = SqlTokenRepository(conn)
        self.idempotency = SqlIdempotencyRepository(conn)
        self.reminders = SqlReminderRepository(conn)
        self.cohorts = SqlCohortRepository(conn)
        return self

    @property
    def connection(self) -> Connection:
        """Return the open connection (for adapters that join the transaction)."""
        if self._conn is None:
            raise RuntimeError("unit of work not started")
        return self._conn

    def commit(self) -> None:
        """Commit the transaction."""
        self.connection.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.rollback()
            conn.close()


class SqlUnitOfWorkFactory:
    """Opens SQL units of work on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, readonly: bool = False) -> SqlUnitOfWork:
        """Return a new unit of work."""
        return SqlUnitOfWork(self.engine, readonly)
