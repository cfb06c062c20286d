"""HTTP fixtures: the Litestar app on the test database, a token per role, and a driver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.registry import WorkflowRegistry
from journey import ApiJourney, kept_logging
from journey.apps import serving
from journey.pages import Pages


@pytest.fixture(scope="session")
def registry(shipped_registry: WorkflowRegistry) -> WorkflowRegistry:
    """The shipped workflows (the root conftest's), compiled once for the session."""
    return shipped_registry


@pytest.fixture
def more_settings() -> dict[str, Any]:
    """JSON logs: the console renderer draws each 500's traceback with rich, seconds apiece."""
    return {"log_format": "json"}


@pytest.fixture
def users(container: Container, directory: dict[str, User]) -> dict[str, User]:
    """The directory's advisors and supervisor, plus an admin."""
    admin = container.people.add_user("admin", "Admin", "admin", [])
    return {**directory, "admin": admin}


@pytest.fixture
def tokens(container: Container, users: dict[str, User]) -> dict[str, str]:
    """A valid bearer token for each user, by the same keys as `users`."""
    return {key: container.tokens.issue(user.username).token for key, user in users.items()}


@pytest.fixture
def app(container: Container) -> Iterator[Litestar]:
    """The application on the test container; logging configuration restored afterwards."""
    with kept_logging(), serving(container) as app:
        yield app


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    """A test client with the application's lifespan running."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient[Litestar], tokens: dict[str, str], users: dict[str, User]) -> ApiJourney:
    """The journey driver over HTTP, calling the API as one of the users (advisor A by default)."""
    return ApiJourney(client, tokens, users=users)


@pytest.fixture
def pages(client: TestClient[Litestar], container: Container, users: dict[str, User]) -> Pages:
    """The pages through the test client, signing in as the users (by their keys)."""
    return Pages(client, container, users)
