"""Units of work that may not wait for another writer (services/waiting.py), on both databases.

On SQLite, inside `without_waiting()`, a write unit of work that finds the write lock taken (by
another connection, as another process would, or by another thread of this process) raises
WouldWait at once, leaks no connection and leaves the busy timeout as it was; readers are never
refused; once a write has committed, later writes wait as usual. On PostgreSQL there is no
database-wide write lock: the same work simply runs.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager

import pytest
from sqlalchemy import text

from ipm_workflow.adapters.db.database import BUSY_TIMEOUT_MS, create_db_engine
from ipm_workflow.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from ipm_workflow.bootstrap import Container
from ipm_workflow.services.waiting import WouldWait, may_wait, without_waiting
from journey.writers import (
    WAIT_LIMIT,
    another_process_writing,
    another_thread_writing,
)

TOUCH = text("UPDATE cases SET version = version WHERE id = :id")


def touch(uows: SqlUnitOfWorkFactory, case_id: int = 1) -> None:
    """One committed write unit of work (it writes the case's row as it is)."""
    with uows() as uow:
        uow.connection.execute(TOUCH, {"id": case_id})
        uow.commit()


def free_for_another_thread(lock: AbstractContextManager[bool] | None) -> bool:
    """Whether another thread can take the lock (an RLock is re-entrant for its own holder)."""
    assert lock is not None
    taken: list[bool] = []

    def take() -> None:
        with lock:
            taken.append(True)

    other = threading.Thread(target=take, daemon=True)
    other.start()
    other.join(WAIT_LIMIT)
    return taken == [True]


class TestWithoutWaiting:
    """The contract of `without_waiting()` itself."""

    def test_outside_it_work_may_wait(self) -> None:
        """Outside any block, and after one, every unit of work may wait."""
        before = may_wait()
        with without_waiting():
            inside = may_wait()
        assert (before, inside, may_wait()) == (True, False, True)

    def test_a_committed_write_allows_waiting(self, container: Container, case_id: int) -> None:
        """After a write commits inside the block, the work may wait (it cannot run again)."""
        with without_waiting():
            touch(container.uow, case_id)
            assert may_wait()


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
class TestOnSqlite:
    """A write that would wait says so instead; nothing else changes."""

    def test_another_connection_writing_means_would_wait(self, container: Container) -> None:
        """WouldWait at once; the one connection is back in the pool with its busy timeout as
        before, and the writer's lock is free."""
        # One connection only, so the one read afterwards is the one that was refused.
        uows = SqlUnitOfWorkFactory(create_db_engine(str(container.engine.url), pool_size=1))
        try:
            with uows(readonly=True):
                pass  # the connection is opened (and configured) before the refusal
            with another_process_writing(container), without_waiting():
                with pytest.raises(WouldWait):
                    touch(uows)
                still_free = free_for_another_thread(uows.writer)
            pool = uows.engine.pool
            with uows(readonly=True) as uow:
                timeout = uow.connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                idle_and_used = (pool.checkedin(), pool.checkedout())  # type: ignore[attr-defined]
            assert (still_free, idle_and_used, timeout) == (True, (0, 1), BUSY_TIMEOUT_MS)
            touch(uows)  # and SQLite's lock is free again for anybody
        finally:
            uows.engine.dispose()

    def test_another_thread_writing_means_would_wait(self, container: Container) -> None:
        """A thread of this process holding the writer's lock: WouldWait too; the refused
        attempt keeps no hold on the lock."""
        with another_thread_writing(container), without_waiting(), pytest.raises(WouldWait):
            touch(container.uow)
        assert free_for_another_thread(container.uow.writer)

    def test_readers_are_never_refused(self, container: Container, case_id: int) -> None:
        """Reading while another connection writes: the write-ahead log serves the reader."""
        with (
            another_process_writing(container),
            without_waiting(),
            container.uow(readonly=True) as uow,
        ):
            found, _ = uow.cases.get(case_id)
        assert found.id == case_id

    def test_after_a_committed_write_the_next_one_waits(
        self, container: Container, case_id: int
    ) -> None:
        """The second write finds the lock taken and waits until it is free: no WouldWait."""
        with without_waiting():
            touch(container.uow, case_id)
            with another_process_writing(container) as release:
                # Released from another thread while this one waits for the lock.
                timer = threading.Timer(0.3, release)
                timer.start()
                try:
                    touch(container.uow, case_id)  # WouldWait here would fail the test
                finally:
                    timer.join(WAIT_LIMIT)


class TestWhereWorkRuns:
    """Only SQLite is local: PostgreSQL's work always runs where it may wait (offload.py)."""

    def test_local_is_sqlite(self, container: Container, db_url: str) -> None:
        """`local` follows the database's kind, read from its URL here."""
        assert container.uow.local is db_url.startswith("sqlite")
