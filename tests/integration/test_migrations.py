"""Migrations build exactly the schema the models declare, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, insert, inspect, select, table
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db import migrate, tables
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.bootstrap import bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.people import MissionLocale
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.commands import Actor
from journey import Journey

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


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table present in the database (Alembic's own table left out)."""
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    with engine.connect() as conn:
        return {
            n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names
        }


class TestPopulatedRoundTrip:
    """Every migration goes down and up again on a database full of journeys."""

    def _populate(self, url: str, clock: ManualClock, registry: WorkflowRegistry) -> None:
        """Two journeys with history, reminders, a token, a cohort (every table gets rows)."""
        container = bootstrap(Settings(database_url=url), clock=clock, registry=registry)
        try:
            people = container.people
            people.add_mission_locale(MissionLocale("ml-a", "Mission locale A (test)", "42"))
            advisor = people.add_user("advisor.a", "Advisor A", "advisor", ["ml-a"])
            journey = Journey(container, Actor.of(advisor), clock)
            cases = [journey.open(journey.person(date(2005, 3, 1))) for _ in range(2)]
            journey.fire(cases[0], "log_first_contact", {"first_contact_date": clock.now().date()})
            container.tokens.issue("advisor.a", 1, "migration test")
            cohort = container.cohorts.create(
                "c-1", "Cohort", "erasmus_vet_long", None, None, actor=Actor.of(advisor)
            )
            container.cohorts.add_cases(cohort.id, cases, Actor.of(advisor))
        finally:
            container.close()

    def test_down_to_the_first_and_up_again_keeps_every_row(
        self, blank_db_url: str, clock: ManualClock, shipped_registry: WorkflowRegistry
    ) -> None:
        """Each step down (through `alembic`'s own path) and up keeps the surviving tables' rows."""
        engine = create_db_engine(blank_db_url)
        try:
            migrate.upgrade(engine)
            self._populate(blank_db_url, clock, shipped_registry)
            at_head = _counts(engine)
            assert all(at_head[t] > 0 for t in ("people", "cases", "history_entries", "reminders"))
            config = migrate.alembic_config(blank_db_url)
            revisions = _revisions()
            for target in reversed(revisions[:-1]):
                command.downgrade(config, target)  # exactly what `alembic downgrade` runs
                counts = _counts(engine)
                assert {t: at_head[t] for t in counts} == counts, f"down to {target}"
            for target in revisions[1:]:
                migrate.upgrade(engine, target)
                counts = _counts(engine)
                kept = {t: at_head[t] for t in counts if t in _FIRST_TABLES}
                assert kept == {t: counts[t] for t in kept}, f"up to {target}"
            assert not migrate.pending(engine)
            container = bootstrap(Settings(database_url=blank_db_url), registry=shipped_registry)
            reports = container.cases.verify()
            container.close()
            expected = (2, [])
            assert expected == (len(reports), [r for r in reports if not r.ok])
        finally:
            engine.dispose()


_FIRST_TABLES = {"people", "cases", "history_entries", "users", "mission_locales"}


BREAKING_REVISION = '''"""A migration that leaves cases pointing at missions locales it deleted."""

from alembic import op

revision = "0999"
down_revision = "{head}"


def upgrade() -> None:
    """Delete what cases reference."""
    op.execute("DELETE FROM mission_locales")


def downgrade() -> None:
    """Nothing to undo."""
'''


class TestBrokenReferences:
    """A migration that breaks a reference is refused whole, on both databases."""

    def test_refused_and_rolled_back(
        self,
        blank_db_url: str,
        clock: ManualClock,
        shipped_registry: WorkflowRegistry,
        tmp_path: Path,
    ) -> None:
        """SQLite (foreign keys off for the run) finds it by its check; PostgreSQL at once."""
        engine = create_db_engine(blank_db_url)
        try:
            migrate.upgrade(engine)
            TestPopulatedRoundTrip()._populate(blank_db_url, clock, shipped_registry)
            before = _counts(engine)
            directory = tmp_path / "migrations"
            shutil.copytree(migrate.MIGRATIONS, directory)
            head = _revisions()[-1]
            (directory / "versions" / "0999_break.py").write_text(
                BREAKING_REVISION.replace("{head}", head)
            )
            config = migrate.alembic_config(blank_db_url, directory)
            with pytest.raises(Exception, match=r"foreign key|FOREIGN KEY|violates") as raised:
                command.upgrade(config, "0999")
            assert type(raised.value).__name__ in {"ForeignKeysBroken", "IntegrityError"}
            expected = (before, [head])
            with engine.connect() as conn:
                current = list(MigrationContext.configure(conn).get_current_heads())
            assert expected == (_counts(engine), current)
        finally:
            engine.dispose()
