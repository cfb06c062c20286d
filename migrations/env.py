"""Alembic environment: the schema comes from the SQLModel tables, the URL from settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from ipm_workflow.adapters.db import tables  # noqa: F401 - registers the tables on the metadata
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.config import Settings

target_metadata = SQLModel.metadata


class ForeignKeysBroken(RuntimeError):
    """A migration left rows pointing at rows that no longer exist (SQLite's check)."""


def _sqlite_pragma(connection: Connection, statement: str) -> list[tuple[object, ...]]:
    # On the driver's connection: SQLAlchemy would open a transaction first, and SQLite ignores
    # `PRAGMA foreign_keys` inside one.
    raw = connection.connection.dbapi_connection
    if raw is None:
        raise RuntimeError("the migration's connection is closed")
    return list(raw.execute(statement).fetchall())


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them: batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # A batch operation copies a table, drops the original and renames the copy: with foreign
    # keys on, dropping `people` or `cases` fails (or cascades) while other tables reference
    # them. They are switched off around the whole run, outside its transaction, and every
    # reference is checked before the transaction commits.
    _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        # One transaction around the whole run, begun before Alembic looks (it would give
        # SQLite one transaction per revision, its DDL counting as not transactional), so
        # that a failed check rolls every revision back. SQLite's DDL is transactional.
        with connection.begin():
            _configure(connection)
            context.run_migrations()
            broken = _sqlite_pragma(connection, "PRAGMA foreign_key_check")
            if broken:
                raise ForeignKeysBroken(f"foreign keys broken by the migration: {broken[:5]}")
    finally:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    """Run migrations on the connection handed over by the CLI, or on IPM_DATABASE_URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
    engine = create_db_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them online")
run_migrations_online()
