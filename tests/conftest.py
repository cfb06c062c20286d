"""Shared fixtures: one `db_url` parametrised over a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db import migrate, tables  # noqa: F401 - registers every table
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.services.commands import Actor
from journey.fixtures import empty_database, throwaway_postgresql

# The variant-B-only workflow directory, its registry and restore_logging (reminders, sandbox).
pytest_plugins = ["journey.fixtures"]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this run, migrated once, dropped at the end."""
    with throwaway_postgresql("ipm_test", durable=False) as url:
        engine = create_db_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    # Fold the WAL into the file before copying it; outside a transaction, which our engine
    # would open with BEGIN IMMEDIATE (SQLite refuses a checkpoint inside one).
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or the run's PostgreSQL database emptied."""
    return empty_database(request, request.param, tmp_path, sqlite_template)


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when a test says so."""
    return ManualClock(START)


@pytest.fixture(scope="session")
def shipped_registry() -> WorkflowRegistry:
    """The shipped workflows, parsed and compiled once for the whole run."""
    return load_registry(ROOT / "workflows")


@pytest.fixture
def more_settings() -> dict[str, Any]:
    """Settings a folder's conftest adds to the container's (none here)."""
    return {}


@pytest.fixture
def container(
    db_url: str,
    clock: ManualClock,
    shipped_registry: WorkflowRegistry,
    tmp_path: Path,
    more_settings: dict[str, Any],
) -> Iterator[Container]:
    """The application wired on the test database, the shipped workflows and a manual clock."""
    settings = Settings(
        database_url=db_url,
        workflows_dir=ROOT / "workflows",
        uploads_dir=tmp_path / "uploads",
        **more_settings,
    )
    built = bootstrap(settings, clock=clock, registry=shipped_registry)
    yield built
    built.close()


@pytest.fixture
def engine(container: Container) -> Engine:
    """The test database's engine."""
    return container.engine


@pytest.fixture
def directory(container: Container) -> dict[str, User]:
    """Two missions locales, an advisor for each, and a supervisor."""
    people = container.people
    people.add_mission_locale(MissionLocale("ml-a", "Mission locale A (test)", "42"))
    people.add_mission_locale(MissionLocale("ml-b", "Mission locale B (test)", "69"))
    return {
        "advisor_a": people.add_user("advisor.a", "Advisor A", "advisor", ["ml-a"]),
        "advisor_b": people.add_user("advisor.b", "Advisor B", "advisor", ["ml-b"]),
        "supervisor": people.add_user("super", "Supervisor", "supervisor", []),
    }


@pytest.fixture
def advisor(directory: dict[str, User]) -> Actor:
    """The advisor of mission locale A."""
    return Actor.of(directory["advisor_a"])


@pytest.fixture
def person(container: Container, advisor: Actor) -> Person:
    """A young person aged 20 at the start of the tests, registered by mission locale A."""
    registered = container.people.register(
        Person(None, "Camille", "Exemple", date(2005, 6, 15)), advisor
    )
    return registered.person
