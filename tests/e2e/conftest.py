"""End-to-end fixtures: the real `ipm-workflow` console script on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# The console script of the venv running the tests.
IPM_WORKFLOW = Path(sys.executable).with_name("ipm-workflow")


@pytest.fixture
def server_env(db_url: str) -> dict[str, str]:
    """The environment of every process: the test database, JSON logs."""
    return {**os.environ, "IPM_DATABASE_URL": db_url, "IPM_LOG_FORMAT": "json"}


@pytest.fixture
def cli(server_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `ipm-workflow <args>` on the test database; fail with its output if it fails."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(IPM_WORKFLOW), *args],
            env=server_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        expected = 0
        assert expected == done.returncode, f"ipm-workflow {' '.join(args)}: {done.stderr}"
        return done

    return run
