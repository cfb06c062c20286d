"""`db backup` / `db restore`: round trip on SQLite and PostgreSQL, chains verified, refusals."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


@pytest.fixture
def journeys(journey: Journey, container: Container) -> None:
    """Three cases at different points of the normal path."""
    for n, state in enumerate(["ASSESSED", "SELECTED", "REFERRED"]):
        born = date(2004, 3, 1 + n)
        person = container.people.register(
            Person(None, f"Test{n}", "Exemple", born), journey.advisor
        ).person
        assert person.id is not None
        journey.walk_to(journey.open(person.id), state)


@dataclass
class Dumps:
    """`db backup` of the test database into a folder, `db restore` of a file into a URL."""

    run_cli: Cli
    db_url: str
    folder: Path

    def backup(self, name: str = "backup.dump") -> Path:
        """Back the test database up into `name`; asserts the command succeeded."""
        file = self.folder / name
        made = self.run_cli("db", "backup", str(file), env={"IPM_DATABASE_URL": self.db_url})
        assert made.exit_code == 0, made.stderr
        return file

    def restore(self, file: Path, url: str, *options: str) -> Result:
        """Restore `file` into the database at `url` (with `options`); return the result."""
        return self.run_cli("db", "restore", *options, str(file), env={"IPM_DATABASE_URL": url})


@pytest.fixture
def dumps(run_cli: Cli, db_url: str, tmp_path: Path) -> Dumps:
    """Backups of the test database in the test's temporary folder."""
    return Dumps(run_cli, db_url, tmp_path)


class TestRoundTrip:
    """Back up a database with journeys, restore it elsewhere, verify every chain."""

    @pytest.mark.usefixtures("journeys")
    def test_backup_then_restore_into_an_empty_database(
        self, dumps: Dumps, db_url: str, target_url: str
    ) -> None:
        """Same cases, same entries, same chain heads; the check verifies every chain."""
        restored = dumps.restore(dumps.backup(), target_url)
        assert restored.exit_code == 0, restored.stderr
        source = _cases_and_entries(db_url)
        assert source == _cases_and_entries(target_url)
        assert "check: schema at the latest migration" in restored.stdout
        expected = f"check: 3 case(s), {source[1]} history entries verified, 0 broken"
        assert expected in restored.stdout

    @pytest.mark.usefixtures("journeys")
    def test_backup_while_the_service_writes(
        self, container: Container, dumps: Dumps, target_url: str
    ) -> None:
        """Writers keep committing during the backup; the copy is consistent and verifies."""
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set():
                container.people.register(Person(None, f"Busy{n}", "Exemple"), OPERATOR_ACTOR)
                n += 1

        writer = threading.Thread(target=write)
        writer.start()
        try:
            file = dumps.backup("live.dump")
        finally:
            stop.set()
            writer.join(timeout=60)
        restored = dumps.restore(file, target_url)
        assert restored.exit_code == 0, restored.stderr
        assert "3 case(s)" in restored.stdout
        assert ", 0 broken" in restored.stdout


class TestRefusals:
    """What a restore refuses, and what it reports."""

    @pytest.mark.usefixtures("journeys")
    def test_non_empty_database_refused_unless_forced(
        self, container: Container, dumps: Dumps, db_url: str
    ) -> None:
        """A database with rows is left untouched without --force; with it, it is replaced."""
        file = dumps.backup()
        before = _cases_and_entries(db_url)
        refused = dumps.restore(file, db_url)
        assert refused.exit_code == 1
        assert "refusing to restore" in refused.stderr
        assert "cases" in refused.stderr
        assert before == _cases_and_entries(db_url)
        container.close()
        forced = dumps.restore(file, db_url, "--force")
        assert forced.exit_code == 0, forced.stderr
        assert before == _cases_and_entries(db_url)

    @pytest.mark.usefixtures("journeys")
    def test_a_broken_chain_in_the_backup_is_reported(
        self, container: Container, dumps: Dumps, target_url: str
    ) -> None:
        """The check after restore names a case whose history was altered before the backup."""
        with container.engine.begin() as conn:
            altered = conn.execute(
                update(history_t)
                .where(history_t.c.case_id == 2, history_t.c.seq == 2)
                .values(actor="user:999")
            )
            assert altered.rowcount == 1
        restored = dumps.restore(dumps.backup(), target_url)
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
