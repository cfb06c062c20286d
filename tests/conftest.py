"""Shared fixtures: one `db_url` parametrised over a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
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
from journey.fixtures import empty_database

# The variant-B-only workflow directory, its registry and restore_logging (reminders, sandbox).
pytest_plugins = ["journey.fixtures"]

PG_ADMIN = os.environ.get("IPM_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this run, migrated once, dropped at the end."""
    problem = _pg_reachable()
    if problem:
        message = f"PostgreSQL not reachable at {PG_ADMIN} ({problem})"
        if IN_CI:
            pytest.fail(f"{message}: PostgreSQL tests are mandatory with CI=true")
        pytest.skip(f"{message}: PostgreSQL tests skipped (they run, mandatory, with CI=true)")
    name = f"ipm_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A throw-away database needs no durability: commits do not wait for the WAL's fsync
        # (on a shared disk, most of a PostgreSQL test's time). Atomicity, isolation and locks
        # are unchanged; only a crash of the server could lose the last commits.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
