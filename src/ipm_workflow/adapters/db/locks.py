"""Cluster-wide locks for the singleton jobs (daily retention…) of any number of workers.

PostgreSQL: a session advisory lock on a connection of its own, held while the job runs.
SQLite: every process sharing the file runs on this host, so a lock file beside it does.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from ipm_workflow.adapters.db.database import is_sqlite


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def cluster_lock(engine: Engine, name: str, *, wait: bool = False) -> Iterator[bool]:
    """Try to take the lock `name`: yield True while held, False if another process holds it.

    `wait=True` waits for the lock instead (then always yields True).
    """
    if is_sqlite(engine):
        with _file_lock(engine, name, wait) as held:
            yield held
        return
    with engine.connect() as conn:
        key = lock_key(name)
        if wait:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            held = True
        else:
            taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            held = bool(taken)
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


@contextmanager
def _file_lock(engine: Engine, name: str, wait: bool) -> Iterator[bool]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # one process owns an in-memory database
        return
    path = Path(f"{database}.{name}.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
