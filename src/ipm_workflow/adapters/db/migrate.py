"""Applying Alembic migrations from code, and checking that a database is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ipm_workflow.adapters.db.database import READONLY
from ipm_workflow.adapters.db.locks import cluster_lock
from ipm_workflow.config import ROOT

MIGRATIONS = ROOT / "migrations"


def alembic_config(url: str, directory: Path = MIGRATIONS) -> Config:
    """Build the Alembic configuration without needing alembic.ini on the path."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to a revision, in one transaction on the engine's database."""
    # migrations/env.py runs the transaction (and, on SQLite, the foreign-key switch and check
    # around it) on this connection, exactly as for `alembic` run from the shell.
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    # Processes upgrading one database at once (two `db upgrade`, a sandbox's server and
    # worker) take turns: the later one finds the schema current instead of failing on
    # tables the first has just created.
    with cluster_lock(engine, "migrations", wait=True), engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def pending(engine: Engine) -> list[str]:
    """Return the revisions not yet applied (empty when the schema is current)."""
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    # Read-only: on SQLite a plain transaction would take the write lock (and /ready with it).
    with engine.connect().execution_options(**{READONLY: True}) as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(script.get_heads())
    if current == heads:
        return []
    return [
        rev.revision
        for rev in script.iterate_revisions(tuple(heads), tuple(current) or None)
        if rev.revision not in current
    ]
