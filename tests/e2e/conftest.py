"""End-to-end fixtures: the real `ipm-workflow` console script on the test database."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable

import pytest

from journey.servers import ipm


@pytest.fixture
def server_env(db_url: str) -> dict[str, str]:
    """The environment of every process: the test database, JSON logs."""
    return {**os.environ, "IPM_DATABASE_URL": db_url, "IPM_LOG_FORMAT": "json"}


@pytest.fixture
def cli(server_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `ipm-workflow <args>` on the test database; fail with its output if it fails."""

    return lambda *args: ipm(*args, env=server_env)
