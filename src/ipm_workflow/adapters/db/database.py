"""Database engines: SQLite in WAL mode with foreign keys, or PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ipm_workflow.services.waiting import WouldWait, may_wait

READONLY = "ipm_readonly"
BUSY_TIMEOUT_MS = 10_000  # how long SQLite waits for another process's write lock


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: Engine) -> bool:
    """Tell whether an engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def in_wal_mode(engine: Engine) -> bool:
    """Whether a SQLite database runs with its write-ahead log (readers never wait for a
    writer); `PRAGMA journal_mode=WAL` can fail quietly (some network filesystems). False for
    PostgreSQL."""
    if not is_sqlite(engine):
        return False
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        conn.rollback()
    return str(mode).lower() == "wal"


def create_db_engine(url: str, **options: Any) -> Engine:
    """Create an engine tuned for our transactions on SQLite or PostgreSQL."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No ping before each checkout (a round trip per command); connections are recycled
        # instead, and a dropped one fails one command, then the pool replaces it.
        options.setdefault("pool_pre_ping", False)
        options.setdefault("pool_recycle", 1800)
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
        return create_engine(url, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A checkout never waits for a free connection (short work may run on the event loop,
        # entrypoints/http/offload.py); a SQLite connection is only an open file.
        options.setdefault("max_overflow", -1)
    # Every unit of work ends in an explicit commit or rollback: the pool's own rollback when a
    # connection comes back would only repeat it.
    options.setdefault("pool_reset_on_return", None)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions into our hands (see _sqlite_begin) instead of pysqlite's implicit ones.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # What is deleted or overwritten (pseudonymisation, erasure) is zeroed, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A write transaction takes the write lock up front: a deferred one that reads then writes
    # fails with SQLITE_BUSY when another writer committed in between, and no wait can fix it.
    readonly = connection.get_execution_options().get(READONLY, False)
    raw = connection.connection.dbapi_connection
    if readonly or may_wait():
        raw.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
        return
    # Work that may not wait (services/waiting.py) tries the lock once, then says so.
    raw.execute("PRAGMA busy_timeout=0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # extended codes: low byte
            raise
        raise WouldWait("another process is writing to the SQLite database") from exc
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def scrub(engine: Engine) -> None:
    """After personal data was erased: leave no old copy in SQLite's write-ahead log.

    PostgreSQL keeps old row versions until (auto)vacuum; dumps and backups never hold them.
    """
    if not is_sqlite(engine):
        return
    # Outside a transaction: SQLite refuses a checkpoint inside one (our engine opens them).
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()
