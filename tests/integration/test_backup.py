"""`db backup` / `db restore`: round trip on SQLite and PostgreSQL, chains verified, refusals."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, update
from typer.testing import Result

from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.handles import cases_t, history_t
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from journey import Journey

Cli = Callable[..., Result]


@pytest.fixture
def target_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind (nothing created in it yet)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    server = db_url.rsplit("/", 1)[0]
    admin = f"{server}/postgres"
    name = f"ipm_restore_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cases_and_entries(url: str) -> tuple[int, int, list[str]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            cases = conn.execute(select(func.count()).select_from(cases_t)).scalar_one()
            entries = conn.execute(select(func.count()).select_from(history_t)).scalar_one()
            heads = list(
                conn.execute(select(cases_t.c.history_head).order_by(cases_t.c.id)).scalars()
            )
    finally:
        engine.dispose()
    return cases, entries, heads


def _journeys(journey: Journey, container: Container) -> None:
    """Three cases at different points of the normal path."""
    for n, state in enumerate(["ASSESSED", "SELECTED", "REFERRED"]):
        born = date(2004, 3, 1 + n)
        person = container.people.register(
            Person(None, f"Test{n}", "Exemple", born), journey.advisor
        ).person
        assert person.id is not None
        journey.walk_to(journey.open(person.id), state)


class TestRoundTrip:
    """Back up a database with journeys, restore it elsewhere, verify every chain."""

    def test_backup_then_restore_into_an_empty_database(
        self,
        journey: Journey,
        container: Container,
        run_cli: Cli,
        db_url: str,
        target_url: str,
        tmp_path: Path,
    ) -> None:
        """Same cases, same entries, same chain heads; the check verifies every chain."""
        _journeys(journey, container)
        file = tmp_path / "backup.dump"
        made = run_cli("db", "backup", str(file), env={"IPM_DATABASE_URL": db_url})
        assert made.exit_code == 0, made.stderr
        restored = run_cli("db", "restore", str(file), env={"IPM_DATABASE_URL": target_url})
        assert restored.exit_code == 0, restored.stderr
        source = _cases_and_entries(db_url)
        assert source == _cases_and_entries(target_url)
        assert "check: schema at the latest migration" in restored.stdout
        expected = f"check: 3 case(s), {source[1]} history entries verified, 0 broken"
        assert expected in restored.stdout

    def test_backup_while_the_service_writes(
        self,
        journey: Journey,
        container: Container,
        run_cli: Cli,
        db_url: str,
        target_url: str,
        tmp_path: Path,
    ) -> None:
        """Writers keep committing during the backup; the copy is consistent and verifies."""
        _journeys(journey, container)
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set():
                container.people.register(Person(None, f"Busy{n}", "Exemple"), OPERATOR_ACTOR)
                n += 1

        writer = threading.Thread(target=write)
        writer.start()
        try:
            file = tmp_path / "live.dump"
            made = run_cli("db", "backup", str(file), env={"IPM_DATABASE_URL": db_url})
        finally:
            stop.set()
            writer.join(timeout=60)
        assert made.exit_code == 0, made.stderr
        restored = run_cli("db", "restore", str(file), env={"IPM_DATABASE_URL": target_url})
        assert restored.exit_code == 0, restored.stderr
        assert "3 case(s)" in restored.stdout
        assert ", 0 broken" in restored.stdout


class TestRefusals:
    """What a restore refuses, and what it reports."""

    def test_non_empty_database_refused_unless_forced(
        self,
        journey: Journey,
        container: Container,
        run_cli: Cli,
        db_url: str,
        tmp_path: Path,
    ) -> None:
        """A database with rows is left untouched without --force; with it, it is replaced."""
        _journeys(journey, container)
        file = tmp_path / "backup.dump"
        assert run_cli("db", "backup", str(file), env={"IPM_DATABASE_URL": db_url}).exit_code == 0
        before = _cases_and_entries(db_url)
        refused = run_cli("db", "restore", str(file), env={"IPM_DATABASE_URL": db_url})
        assert refused.exit_code == 1
        assert "refusing to restore" in refused.stderr
        assert "cases" in refused.stderr
        assert before == _cases_and_entries(db_url)
        container.close()
        forced = run_cli("db", "restore", "--force", str(file), env={"IPM_DATABASE_URL": db_url})
        assert forced.exit_code == 0, forced.stderr
        assert before == _cases_and_entries(db_url)

    def test_a_broken_chain_in_the_backup_is_reported(
        self,
        journey: Journey,
        container: Container,
        run_cli: Cli,
        db_url: str,
        target_url: str,
        tmp_path: Path,
    ) -> None:
        """The check after restore names a case whose history was altered before the backup."""
        _journeys(journey, container)
        with container.engine.begin() as conn:
            altered = conn.execute(
                update(history_t)
                .where(history_t.c.case_id == 2, history_t.c.seq == 2)
                .values(actor="user:999")
            )
            assert altered.rowcount == 1
        file = tmp_path / "backup.dump"
        assert run_cli("db", "backup", str(file), env={"IPM_DATABASE_URL": db_url}).exit_code == 0
        restored = run_cli("db", "restore", str(file), env={"IPM_DATABASE_URL": target_url})
        assert restored.exit_code == 1
        assert "BROKEN case 2: entry 2" in restored.stderr
        assert "1 broken" in restored.stdout

    def test_not_a_backup_is_refused(self, run_cli: Cli, target_url: str, tmp_path: Path) -> None:
        """A missing file, or a file of another kind, is refused with a message, no traceback."""
        text_file = tmp_path / "notes.csv"
        text_file.write_text("Nom;Prénom\n")
        for file in (tmp_path / "missing.dump", text_file):
            result = run_cli("db", "restore", str(file), env={"IPM_DATABASE_URL": target_url})
            assert result.exit_code == 1
            assert result.stderr.startswith("restore failed:")
            assert result.exception is None or isinstance(result.exception, SystemExit)

    def test_unreachable_or_missing_database(self, run_cli: Cli, tmp_path: Path) -> None:
        """A missing SQLite file is not backed up as an empty one; a dead server is named."""
        missing = f"sqlite:///{tmp_path / 'nowhere.sqlite3'}"
        made = run_cli("db", "backup", str(tmp_path / "b.dump"), env={"IPM_DATABASE_URL": missing})
        assert made.exit_code == 1
        assert made.stderr.startswith("backup failed: no SQLite database at")
        assert not (tmp_path / "nowhere.sqlite3").exists()
        assert not (tmp_path / "b.dump").exists()
        archive = tmp_path / "looks-like.dump"
        archive.write_bytes(b"PGDMP" + bytes(64))
        dead = "postgresql://postgres@127.0.0.1:1/none"
        backup = run_cli("db", "backup", str(tmp_path / "x.dump"), env={"IPM_DATABASE_URL": dead})
        restore = run_cli("db", "restore", str(archive), env={"IPM_DATABASE_URL": dead})
        assert backup.stderr.startswith("backup failed: pg_dump failed:")
        assert restore.stderr.startswith("restore failed: cannot reach the database:")
        assert (backup.exit_code, restore.exit_code) == (1, 1)
