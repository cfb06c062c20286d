"""Integration fixtures: a journey driver over the real service layer, and a CLI runner."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
import structlog
from typer.testing import CliRunner, Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.cli import app
from ipm_workflow.services.commands import Actor
from journey import Journey

_REGISTRIES: dict[tuple[Path, tuple[tuple[str, int], ...]], WorkflowRegistry] = {}


def _cached_registry(directory: Path) -> WorkflowRegistry:
    """Load a workflow directory once per content (file names and modification times)."""
    root = Path(directory).resolve()
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()))
    key = (root, stamp)
    if key not in _REGISTRIES:
        _REGISTRIES[key] = load_registry(root)
    return _REGISTRIES[key]


@pytest.fixture(autouse=True)
def _parse_workflows_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share compiled workflows between tests and CLI calls: parsing YAML dominates a bootstrap."""
    # A compiled workflow is immutable and thread-safe; the CLI's `workflows check` still parses.
    # bootstrap imports the loader when it runs (fast start): patch it where it lives.
    monkeypatch.setattr("ipm_workflow.adapters.workflow_files.load_registry", _cached_registry)


@pytest.fixture
def journey(
    container: Container, clock: ManualClock, advisor: Actor, directory: Mapping[str, Any]
) -> Journey:
    """A journey driver on the wired application, with the directory in place."""
    return Journey(container, advisor, clock)


@pytest.fixture
def case_id(journey: Journey, person: Person) -> int:
    """A freshly opened case of the 20-year-old person, in REFERRED."""
    assert person.id is not None
    return journey.open(person.id)


@pytest.fixture
def run_cli() -> Iterator[Callable[..., Result]]:
    """Invoke the command line in-process; restore the logging it configures afterwards."""
    runner = CliRunner()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    saved = structlog.get_config()

    def invoke(*args: str, env: Mapping[str, str]) -> Result:
        return runner.invoke(app, list(args), env=dict(env))

    yield invoke
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**saved)


@pytest.fixture
def cli(run_cli: Callable[..., Result], db_url: str) -> Callable[..., Result]:
    """Run the command line on the test database."""
    return lambda *args: run_cli(*args, env={"IPM_DATABASE_URL": db_url})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that was never migrated: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.sqlite3'}"
        return
    admin_url: str = request.getfixturevalue("pg_url")
    admin = admin_url.rsplit("/", 1)[0] + "/postgres"
    name = f"ipm_blank_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
