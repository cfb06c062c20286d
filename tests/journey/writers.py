"""Other writers holding SQLite's write lock, for tests of work that may not wait for them.

`another_process_writing` holds the lock from another connection (as another process would);
`another_thread_writing` holds this process's writer lock from another thread (as the embedded
worker would). Each yields the function that releases the lock early; neither exists on PostgreSQL,
which has no database-wide write lock: tests that use them run on SQLite only
(`pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ipm_workflow.bootstrap import Container

WAIT_LIMIT = 60.0  # seconds; generous for a loaded machine, never reached when all is well


def sqlite_path(container: Container) -> Path:
    """The SQLite file under the container (a SQLite container only)."""
    assert container.uow.local, "SQLite only: PostgreSQL has no database-wide write lock"
    database = container.engine.url.database
    assert database is not None
    return Path(database)


@contextmanager
def another_process_writing(container: Container) -> Iterator[Callable[[], None]]:
    """Another connection holding SQLite's write lock until released or the block ends."""
    other = sqlite3.connect(sqlite_path(container), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")

    def release() -> None:
        if other.in_transaction:
            other.execute("ROLLBACK")

    try:
        yield release
    finally:
        release()
        other.close()


@contextmanager
def another_thread_writing(container: Container) -> Iterator[Callable[[], None]]:
    """Another thread of this process holding the writer's lock until released or the block
    ends."""
    sqlite_path(container)
    writer = container.uow.writer
    assert writer is not None
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with writer:
            holding.set()
            done.wait(WAIT_LIMIT)

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert holding.wait(WAIT_LIMIT)
        yield done.set
    finally:
        done.set()
        other.join(WAIT_LIMIT)
