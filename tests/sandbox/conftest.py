"""Sandbox fixtures: the app in training-sandbox mode on the test database, its own clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sandbox_kit import TRAINER, SandboxApi, directory

from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from journey import FINANCE_EMAIL
from journey.apps import serving


@pytest.fixture
def settings_for(workflows_dir: Path) -> Callable[..., Settings]:
    """Settings of a sandbox (or, with sandbox=False, production) instance on a database."""

    def make(url: str, *, sandbox: bool = True, **extra: Any) -> Settings:
        where = {"sandbox_database_url": url} if sandbox else {"database_url": url}
        return Settings(
            sandbox=sandbox,
            workflows_dir=workflows_dir,
            # Only clock moves make the worker run (its first tick is at start-up).
            worker_poll_seconds=3600,
            finance_email=FINANCE_EMAIL,
            log_format="json",
            **where,
            **extra,
        )

    return make


@pytest.fixture
def make_app(
    registry: WorkflowRegistry, restore_logging: None
) -> Iterator[Callable[[Settings], Litestar]]:
    """Build apps the way `create_app` does, on the session's compiled workflow."""
    built: list[Container] = []
    with ExitStack() as lent:

        def make(settings: Settings) -> Litestar:
            # bootstrap() picks the clock itself: a SandboxClock in sandbox mode.
            container = bootstrap(settings, registry=registry)
            built.append(container)
            return lent.enter_context(serving(container))

        yield make
    for container in built:
        container.close()


@pytest.fixture
def sandbox_settings(db_url: str, settings_for: Callable[..., Settings]) -> Settings:
    """A training sandbox on the test database."""
    return settings_for(db_url)


@pytest.fixture
def sandbox_app(sandbox_settings: Settings, make_app: Callable[[Settings], Litestar]) -> Litestar:
    """The application as `serve --sandbox` builds it, on the test database."""
    return make_app(sandbox_settings)


@pytest.fixture
def container(sandbox_app: Litestar) -> Container:
    """The sandbox application's own container (its SandboxClock included)."""
    built: Container = sandbox_app.state.container
    return built


@pytest.fixture
def tokens(container: Container) -> dict[str, str]:
    """A mission locale with a contact address; advisor, supervisor and admin with tokens."""
    return directory(container)


@pytest.fixture
def client(sandbox_app: Litestar, tokens: dict[str, str]) -> Iterator[TestClient[Litestar]]:
    """A test client with the sandbox's lifespan (and so its worker) running."""
    with TestClient(sandbox_app) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient[Litestar], tokens: dict[str, str]) -> SandboxApi:
    """The sandbox's API, with a trainer created and given a token by the admin over HTTP."""
    api = SandboxApi(client, dict(tokens))
    api.create_trainer(TRAINER)
    return api
