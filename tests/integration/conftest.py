"""Integration fixtures: a journey driver over the real service layer, and a CLI runner."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import structlog
from journeys import Journey
from typer.testing import CliRunner, Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person
from ipm_workflow.entrypoints.cli import app
from ipm_workflow.services.commands import Actor


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy (overrides tests/conftest.py, whose checkpoint fails)."""
    # tests/conftest.py runs the checkpoint through a Connection, which our engine opens with
    # BEGIN IMMEDIATE; SQLite refuses a checkpoint inside a transaction ("table is locked").
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    engine.dispose()
    return path


@pytest.fixture
def journey(
    container: Container, clock: ManualClock, advisor: Actor, directory: Mapping[str, Any]
) -> Journey:
    """A journey driver on the wired application, with the directory in place."""
    return Journey(container, clock, advisor)


@pytest.fixture
def case_id(journey: Journey, person: Person) -> int:
    """A freshly opened case of the 20-year-old person, in REFERRED."""
    assert person.id is not None
    return journey.open(person.id)


@pytest.fixture
def cli(db_url: str) -> Iterator[Any]:
    """Run the command line on the test database; restore logging configuration afterwards."""
    runner = CliRunner()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    saved = structlog.get_config()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env={"IPM_DATABASE_URL": db_url})

    yield invoke
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**saved)
