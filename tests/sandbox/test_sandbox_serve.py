"""The real `ipm-workflow serve --sandbox`: set up, demo tokens printed, the clock over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sandbox_kit import CLOCK, MARKER, OUTBOX, parse

from ipm_workflow.services.auth import TOKEN_PREFIX
from journey.servers import free_port, launch, stop, wait_ready

pytestmark = pytest.mark.e2e


@dataclass
class Sandbox:
    """A running `serve --sandbox` process and how to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        """What the process wrote on stdout and stderr."""
        return self.log.read_text(errors="replace")

    def token(self, username: str) -> str:
        """The demo token printed for a user."""
        found = re.search(rf"{re.escape(username)}\s+Authorization: Bearer (\S+)", self.output())
        assert found is not None, self.output()
        return found.group(1)


@pytest.fixture
def sandbox(db_url: str, workflows_dir: Path, tmp_path: Path) -> Iterator[Sandbox]:
    """`ipm-workflow serve --sandbox` on a fresh database, stopped with SIGTERM at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    env |= {
        "IPM_SANDBOX_DATABASE_URL": db_url,
        "IPM_WORKFLOWS_DIR": str(workflows_dir),
        "IPM_WORKER_POLL_SECONDS": "3600",
        "IPM_LOG_FORMAT": "json",
    }
    port = free_port()
    log = tmp_path / "sandbox.log"
    process = launch("serve", "--sandbox", "--port", str(port), env=env, log=log, cwd=tmp_path)
    running = Sandbox(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_ready(running.url, process, log)
        yield running
    finally:
        stop(process)


class TestServeSandbox:
    """`serve --sandbox` sets itself up, prints demo tokens and serves the sandbox API."""

    def test_it_starts_with_demo_tokens_and_serves_the_clock(self, sandbox: Sandbox) -> None:
        """It says messages are captured, prints demo tokens; the trainer moves the clock."""
        output = sandbox.output()
        expected_start = (True, True)
        actual_start = (
            "TRAINING SANDBOX: messages are captured in its outbox, never sent." in output,
            sandbox.token("demo.trainer").startswith(TOKEN_PREFIX),
        )
        assert expected_start == actual_start, output
        trainer = {"Authorization": f"Bearer {sandbox.token('demo.trainer')}"}
        advisor = {"Authorization": f"Bearer {sandbox.token('demo.advisor1')}"}
        with httpx.Client(base_url=sandbox.url, timeout=30) as client:
            answers = [
                client.get(CLOCK, headers=trainer),
                client.post(CLOCK, json={"advance": "P14D"}, headers=trainer),
                client.get(OUTBOX, headers=trainer),
                client.get("/api/v1/cases", headers=advisor),
            ]
        before, moved, _, cases = answers
        expected = ([200] * 4, [MARKER] * 4, 14, True)
        actual = (
            [r.status_code for r in answers],
            [r.headers.get("x-ipm-sandbox") for r in answers],
            round((parse(moved.json()["now"]) - parse(before.json()["now"])) / timedelta(days=1)),
            cases.json()["total"] > 0,  # the demo data is loaded
        )
        assert expected == actual, moved.text
