"""Backups and restores: SQLite's online backup API, or pg_dump/pg_restore in custom format."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, literal, select, table
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from ipm_workflow.domain.errors import DomainError

# Rows there say what the database is (mode, schema revision), not what it holds.
_BOOKKEEPING = frozenset({"alembic_version", "instance"})
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupFailed(DomainError):
    """A backup or restore could not be made; the message says why."""

    kind = "backup-failed"


def tables_with_rows(engine: Engine) -> list[str]:
    """Name the tables of ours that hold rows (empty list: an empty or new database)."""
    try:
        names = [n for n in inspect(engine).get_table_names() if n not in _BOOKKEEPING]
        with engine.connect() as conn:
            found = [
                name
                for name in sorted(names)
                if conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first()
            ]
            conn.rollback()
    except OperationalError as exc:
        raise BackupFailed(f"cannot reach the database: {_first_line(exc)}") from None
    return found


def _first_line(exc: Exception) -> str:
    return (str(getattr(exc, "orig", exc)).strip().splitlines() or ["no message"])[0]


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and an environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} is not installed (PostgreSQL client tools, same major version)")
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupFailed(f"{Path(args[0]).name} failed: {last}")


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to a file, while the service keeps running."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if engine.dialect.name == "sqlite":
        path = _sqlite_path(engine.url)
        if not path.is_file():  # connecting would create an empty database and back that up
            raise BackupFailed(f"no SQLite database at {path}")
        source = sqlite3.connect(path)
        copy = sqlite3.connect(partial)
        try:
            # Page by page, letting the service's writers in between steps.
            source.backup(copy, pages=1024)
        finally:
            copy.close()
            source.close()
    else:
        dsn, env = _libpq(engine.url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", dsn], env)
    # A file under the final name is always a whole backup.
    partial.replace(target)


def check_file(source: Path, dialect: str) -> None:
    """Refuse a file that is missing or not a backup of this kind of database."""
    if not source.is_file():
        raise BackupFailed(f"no backup file at {source}")
    with source.open("rb") as handle:
        head = handle.read(16)
    expected = SQLITE_MAGIC if dialect == "sqlite" else PGDUMP_MAGIC
    if not head.startswith(expected):
        kind = "SQLite database" if dialect == "sqlite" else "pg_dump custom-format archive"
        raise BackupFailed(f"{source} is not a {kind}")
    if dialect == "sqlite":
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()
        conn.close()
        if verdict is None or verdict[0] != "ok":
            raise BackupFailed(f"{source} is damaged: {verdict}")


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with a backup's (the service must be stopped)."""
    check_file(source, engine.dialect.name)
    engine.dispose()  # no pooled connection of ours may hold the old contents
    if engine.dialect.name == "sqlite":
        backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(engine.url))
        try:
            backup_conn.backup(target)
        finally:
            target.close()
            backup_conn.close()
        return
    dsn, env = _libpq(engine.url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dsn}",
            str(source),
        ],
        env,
    )
