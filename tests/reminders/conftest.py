"""Reminder fixtures: a real SMTP sink, the container wired to it, the worker on the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from reminder_kit import Pump
from reminder_sinks import SmtpSink
from typer.testing import CliRunner, Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.people import MissionLocale, User
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.cli import app
from ipm_workflow.entrypoints.worker import Worker
from ipm_workflow.services.commands import Actor
from journey import (
    ADVISOR_EMAIL,
    FINANCE_EMAIL,
    ML_EMAIL,
    SUPERVISOR_EMAIL,
    YP_EMAIL,
    ApiJourney,
    Journey,
    kept_logging,
)
from journey.apps import serving


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, like the worker."""
    return "asyncio"


@pytest.fixture
def smtp(clock: ManualClock) -> Iterator[SmtpSink]:
    """A real SMTP server on a free port; each e-mail is stamped with the manual clock."""
    sink = SmtpSink(clock.now)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def delivery_settings() -> dict[str, Any]:
    """Extra settings for the container (a test overrides this fixture to change them)."""
    return {}


@pytest.fixture
def container(
    db_url: str,
    clock: ManualClock,
    smtp: SmtpSink,
    registry: WorkflowRegistry,
    workflows_dir: Path,
    delivery_settings: dict[str, Any],
) -> Iterator[Container]:
    """The application on the test database and the manual clock, sending to the SMTP sink."""
    settings = Settings(
        database_url=db_url,
        workflows_dir=workflows_dir,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        finance_email=FINANCE_EMAIL,
        **delivery_settings,
    )
    built = bootstrap(settings, clock=clock, registry=registry)
    yield built
    built.close()


@pytest.fixture
def directory(container: Container) -> dict[str, User]:
    """Two missions locales with a contact address, their advisors and a supervisor."""
    people = container.people
    people.add_mission_locale(MissionLocale("ml-a", "Mission locale A (test)", "42", ML_EMAIL))
    people.add_mission_locale(MissionLocale("ml-b", "Mission locale B (test)", "69"))
    return {
        "advisor_a": people.add_user(
            "advisor.a", "Advisor A", "advisor", ["ml-a"], email=ADVISOR_EMAIL
        ),
        "advisor_b": people.add_user("advisor.b", "Advisor B", "advisor", ["ml-b"]),
        "supervisor": people.add_user(
            "super", "Supervisor", "supervisor", [], email=SUPERVISOR_EMAIL
        ),
    }


@pytest.fixture
def walker(container: Container, advisor: Actor, clock: ManualClock) -> Journey:
    """The journey driver over the service layer; its people are Camille, with an e-mail."""
    return Journey(container, advisor, clock, first_name="Camille", contact={"email": YP_EMAIL})


@pytest.fixture
async def pump(container: Container, clock: ManualClock) -> AsyncIterator[Pump]:
    """The real worker, with the configured channels, run at each due moment of the clock."""
    worker = Worker(
        container.delivery, container.channels(), worker_id="test-worker", concurrency=4
    )
    yield Pump(worker, clock, container.engine)
    await worker.stop()


@pytest.fixture
def api(
    container: Container, directory: dict[str, User], restore_logging: None
) -> Iterator[ApiJourney]:
    """The HTTP API on the test container, called with each directory user's token."""
    tokens = {key: container.tokens.issue(user.username).token for key, user in directory.items()}
    with serving(container) as app, TestClient(app) as client:
        yield ApiJourney(client, tokens)


@pytest.fixture
def cli(db_url: str, workflows_dir: Path, restore_logging: None) -> Callable[..., Result]:
    """Run the command line on the test database."""
    runner = CliRunner()
    env = {"IPM_DATABASE_URL": db_url, "IPM_WORKFLOWS_DIR": str(workflows_dir)}

    def invoke(*args: str) -> Result:
        # The CLI logs to the runner's stderr, which is closed once the command returns.
        with kept_logging():
            return runner.invoke(app, list(args), env=env)

    return invoke
