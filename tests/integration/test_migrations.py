"""Migrations build exactly the schema the models declare, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from ipm_workflow.adapters.db import migrate, tables
from ipm_workflow.adapters.db.database import create_db_engine

MODEL_TABLES = {t.name for t in SQLModel.metadata.sorted_tables}


class TestSchema:
    """The migrated schema against the SQLModel tables."""

    def test_nothing_pending_after_upgrade(self, engine: Engine) -> None:
        """Upgrading again is a no-op and leaves no revision pending."""
        migrate.upgrade(engine)
        assert not migrate.pending(engine)

    def test_autogenerate_finds_no_difference(self, engine: Engine) -> None:
        """Alembic's comparison of models and database finds nothing to migrate."""
        assert tables.CaseRow.__tablename__ in MODEL_TABLES
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert not differences, differences

    def test_every_model_table_exists(self, engine: Engine) -> None:
        """Each table of the models is in the database, plus Alembic's own."""
        expected = {*MODEL_TABLES, "alembic_version"}
        assert expected == set(inspect(engine).get_table_names())


class TestConnectionSettings:
    """How the engine sets up its connections."""

    def test_foreign_keys_are_enforced(self, engine: Engine) -> None:
        """A history entry for a case that does not exist is refused by the database."""
        history = tables.HistoryRow.__table__
        row = {
            "case_id": 424242,
            "seq": 1,
            "at": datetime(2026, 1, 5, tzinfo=UTC),
            "actor": "system",
            "role": "system",
            "kind": "opened",
            "workflow": "erasmus_vet_long",
            "workflow_version": 1,
            "payload": {},
            "payload_digest": "0" * 64,
            "prev_hash": "0" * 64,
            "hash": "0" * 64,
        }
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(history).values(**row))

    def test_sqlite_runs_in_wal_mode_with_foreign_keys(
        self, sqlite_template: Path, tmp_path: Path
    ) -> None:
        """The embedded database journals ahead (readers never block) and checks foreign keys."""
        path = tmp_path / "copy.sqlite3"
        shutil.copy(sqlite_template, path)
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as conn:
                journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        finally:
            engine.dispose()
        expected = ("wal", 1)
        assert expected == (journal, foreign_keys)
