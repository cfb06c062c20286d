"""A unit of work is one database transaction with its repositories."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from functools import cached_property
from typing import Self

from sqlalchemy import Connection, Engine

from ipm_workflow.adapters.db.access import SqlIdempotencyRepository, SqlTokenRepository
from ipm_workflow.adapters.db.attribution_store import SqlAttributionRepository
from ipm_workflow.adapters.db.contact_store import SqlContactRepository
from ipm_workflow.adapters.db.database import READONLY, in_wal_mode, is_sqlite
from ipm_workflow.adapters.db.directory_store import (
    SqlCohortRepository,
    SqlDirectoryRepository,
    SqlPeopleRepository,
)
from ipm_workflow.adapters.db.history_store import SqlHistoryRepository
from ipm_workflow.adapters.db.mobility_reads import SqlMobilityReads
from ipm_workflow.adapters.db.people_store import (
    SqlCommuneRepository,
    SqlGuardianRepository,
    SqlSensitiveRepository,
)
from ipm_workflow.adapters.db.portal_store import SqlPortalRepository
from ipm_workflow.adapters.db.privacy_store import SqlPrivacyRepository
from ipm_workflow.adapters.db.reminder_store import SqlReminderRepository
from ipm_workflow.adapters.db.repositories import SqlCaseRepository
from ipm_workflow.adapters.db.retention_store import SqlRetentionRepository
from ipm_workflow.adapters.db.staff_store import SqlStaffRepository
from ipm_workflow.adapters.db.upload_store import SqlUploadRepository
from ipm_workflow.services.waiting import WouldWait, may_wait, wrote


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
    guardians: SqlGuardianRepository
    sensitive: SqlSensitiveRepository
    communes: SqlCommuneRepository
    attribution: SqlAttributionRepository
    contacts: SqlContactRepository
    staff: SqlStaffRepository
    mobilities: SqlMobilityReads
    retention: SqlRetentionRepository
    privacy: SqlPrivacyRepository
    uploads: SqlUploadRepository
    portal: SqlPortalRepository

    def __init__(
        self, engine: Engine, readonly: bool = False, writer: threading.RLock | None = None
    ) -> None:
        self.engine = engine
        self.readonly = readonly
        self._conn: Connection | None = None
        self._writer = writer if not readonly else None

    def __enter__(self) -> Self:
        # Inside `without_waiting()` (services/waiting.py), a writer of this process holding
        # the lock means WouldWait now; SQLite's own lock is tried likewise (_sqlite_begin).
        if self._writer is not None and not self._writer.acquire(blocking=may_wait()):
            raise WouldWait("another thread of this process is writing")
        try:
            return self._begin()
        except BaseException:
            if self._writer is not None:
                self._writer.release()
            raise

    def _begin(self) -> Self:
        conn = self.engine.connect()
        try:
            if self.readonly:
                conn = conn.execution_options(**{READONLY: True})
            conn.begin()
        except BaseException:
            conn.close()  # back to the pool (a refused BEGIN left no transaction to end)
            raise
        self._conn = conn
        self.cases = SqlCaseRepository(conn)
        self.history = SqlHistoryRepository(conn)
        self.people = SqlPeopleRepository(conn)
        self.directory = SqlDirectoryRepository(conn)
        self.tokens = SqlTokenRepository(conn)
        self.idempotency = SqlIdempotencyRepository(conn)
        self.reminders = SqlReminderRepository(conn)
        self.cohorts = SqlCohortRepository(conn)
        self.guardians = SqlGuardianRepository(conn)
        self.sensitive = SqlSensitiveRepository(conn)
        self.communes = SqlCommuneRepository(conn)
        self.attribution = SqlAttributionRepository(conn)
        self.contacts = SqlContactRepository(conn)
        self.staff = SqlStaffRepository(conn)
        self.mobilities = SqlMobilityReads(conn)
        self.retention = SqlRetentionRepository(conn)
        self.privacy = SqlPrivacyRepository(conn)
        self.uploads = SqlUploadRepository(conn)
        self.portal = SqlPortalRepository(conn)
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
        if not self.readonly:
            wrote()

    def savepoint(self) -> AbstractContextManager[object]:
        """Open a savepoint: an error inside rolls back only what was done since."""
        return self.connection.begin_nested()

    def __exit__(self, *exc_info: object) -> None:
        """Roll back unless committed (whatever ended the block), then close."""
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                conn.rollback()
                conn.close()
        finally:
            if self._writer is not None:
                self._writer.release()


class SqlUnitOfWorkFactory:
    """Opens SQL units of work on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of
        # SQLite's busy handler, which sleeps in growing steps and wrecks latency under load;
        # other processes still wait through the busy timeout.
        self.writer = threading.RLock() if is_sqlite(engine) else None

    @cached_property
    def local(self) -> bool:
        """Whether the database is a file this process opens itself, in WAL mode (readers never
        wait for the writer): short work waits on no network round trip, so it may run on the
        caller's event loop (entrypoints/http/offload.py). Read once, when first asked."""
        return in_wal_mode(self.engine)

    def __call__(self, readonly: bool = False) -> SqlUnitOfWork:
        """Return a new unit of work."""
        return SqlUnitOfWork(self.engine, readonly, self.writer)
