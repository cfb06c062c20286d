"""Operations on the database itself: migrate, check before serving, back up and restore.

Entry points reach them only through `bootstrap`, so the import contract holds without
exceptions; each adapter import stays inside its function (start-up pays only for what it uses).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ipm_workflow.config import Settings
from ipm_workflow.domain.errors import DomainError


class DatabaseNotReady(DomainError):
    """The database's schema is missing or outdated: migrations must run first."""

    kind = "database-not-ready"


def upgrade_database(settings: Settings, *, sandbox: bool = False) -> str:
    """Apply every migration to the configured database; return its URL (password hidden)."""
    from ipm_workflow.adapters.db import migrate  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415

    url = settings.sandbox_database_url if sandbox else settings.database_url
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
        return engine.url.render_as_string()
    finally:
        engine.dispose()


def prepare_to_serve(settings: Settings) -> None:
    """Check the database before serving: migrated (a sandbox migrates itself), right mode.

    Raises DatabaseNotReady or WrongInstance with a message for the operator, or
    RetentionConfigInvalid when an embedded worker would run retention on a broken file.
    """
    from ipm_workflow.adapters.db import migrate  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415
    from ipm_workflow.adapters.db.instance import claim_mode  # noqa: PLC0415

    engine = create_db_engine(settings.active_database_url)
    try:
        if settings.sandbox:
            migrate.upgrade(engine)  # a sandbox sets itself up
        missing = migrate.pending(engine)
        if missing:
            raise DatabaseNotReady(
                f"database schema is not current (pending: {', '.join(missing)}); "
                "run `ipm-workflow db upgrade`"
            )
        claim_mode(engine, settings.sandbox)
    finally:
        engine.dispose()
    if settings.embedded_worker and not settings.sandbox:
        from ipm_workflow.adapters.retention_file import load_policy  # noqa: PLC0415

        load_policy(settings.retention_file)  # its daily job runs in the embedded worker


def sortable_case_fields() -> tuple[str, ...]:
    """The case columns a listing may be sorted by."""
    from ipm_workflow.adapters.db.case_search import SORTABLE  # noqa: PLC0415

    return SORTABLE


class RestoreRefused(DomainError):
    """A restore would replace a database that already holds data (and was not told to)."""

    kind = "restore-refused"


def backup_database(settings: Settings, target: Path) -> int:
    """Copy the configured database to `target` while it serves; return the file's size in bytes.

    SQLite: its online backup API; PostgreSQL: `pg_dump` in custom format. Raises BackupFailed
    (a DomainError) with the first line of what went wrong.
    """
    from ipm_workflow.adapters.db.backup import backup  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415

    engine = create_db_engine(settings.active_database_url)
    try:
        backup(engine, target)
    finally:
        engine.dispose()
    return target.stat().st_size


def restore_database(settings: Settings, source: Path, *, force: bool) -> Engine:
    """Restore a file written by `backup_database` into the configured database.

    Returns the engine on the restored database (the caller checks it, then disposes of it).
    Raises BackupFailed for an unreadable file or a failed tool, RestoreRefused when the database
    holds rows and `force` is false (nothing is changed then).
    """
    from ipm_workflow.adapters.db import backup as backups  # noqa: PLC0415
    from ipm_workflow.adapters.db.database import create_db_engine  # noqa: PLC0415

    engine = create_db_engine(settings.active_database_url)
    try:
        backups.check_file(source, engine.dialect.name)
        holding = backups.tables_with_rows(engine)
        if holding and not force:
            where = engine.url.render_as_string(hide_password=True)
            raise RestoreRefused(
                f"{where} is not empty (rows in {', '.join(holding)}); "
                "pass --force to replace its contents",
                tables=holding,
            )
        backups.restore(engine, source)
    except DomainError:
        engine.dispose()
        raise
    return engine


def pending_migrations(engine: Engine) -> list[str]:
    """The migrations not yet applied to the database behind `engine` (empty: at head)."""
    from ipm_workflow.adapters.db import migrate  # noqa: PLC0415

    return migrate.pending(engine)
