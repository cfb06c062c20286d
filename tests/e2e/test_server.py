"""A real `ipm-workflow serve` process, driven over HTTP, then stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from journey import OPENING
from journey.servers import IPM_WORKFLOW, free_port, launch, open_over_http, stop, wait_ready

pytestmark = pytest.mark.e2e

Cli = Callable[..., subprocess.CompletedProcess[str]]


@dataclass
class Server:
    """A running server process and how to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    token: str

    def stop(self) -> int:
        """Send SIGTERM and wait for the process to exit; return its exit code."""
        return stop(self.process)

    def output(self) -> str:
        """What the process wrote on stdout and stderr."""
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        """Wait until it answers /ready (a generous limit; nothing asserts on the time)."""
        wait_ready(self.url, self.process, self.log)


@pytest.fixture
def server(cli: Cli, server_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """A migrated database with an advisor and their token, and a server started on it."""
    cli("db", "upgrade")
    cli("ml", "add", "ml-a", "Mission locale A")
    cli("users", "add", "advisor.a", "--name", "Advisor A", "--role", "advisor", "--ml", "ml-a")
    token = cli("tokens", "create", "advisor.a", "--days", "1").stdout.strip()
    port = free_port()
    log = tmp_path / "server.log"
    process = launch("serve", "--host", "127.0.0.1", "--port", str(port), env=server_env, log=log)
    running = Server(process, f"http://127.0.0.1:{port}", log, token)
    try:
        running.wait_ready()
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


class TestServer:
    """`ipm-workflow serve` as operators run it."""

    def test_journey_then_clean_stop(self, server: Server) -> None:
        """Open a person and a case, list actions, fire one, read history; SIGTERM exits 0."""
        assert server.token.startswith("ipm_"), "tokens create prints the bare token on stdout"
        anonymous = (
            httpx.get(f"{server.url}/api/v1/cases").status_code,
            httpx.get(f"{server.url}/health").status_code,
        )
        expected_anonymous = (401, 200)
        assert expected_anonymous == anonymous
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
            camille = {"first_name": "Camille", "last_name": "Exemple", "birth_date": "2005-06-15"}
            opened = open_over_http(http, "ml-a", camille, inputs=OPENING)
            case_url = opened.headers["location"]
            actions = http.get(f"{case_url}/actions").json()["actions"]
            expected_allowed = ["log_first_contact"]
            assert expected_allowed == [a["trigger"] for a in actions if a["allowed"]]
            fired = http.post(
                f"{case_url}/transitions",
                json={
                    "trigger": "log_first_contact",
                    "inputs": {"first_contact_date": "2026-01-05"},
                    "version": 1,
                },
                headers={"X-Request-ID": "e2e-fire-1"},
            )
            expected_fired = (200, "CONTACTED", '"2"', "e2e-fire-1")
            assert expected_fired == (
                fired.status_code,
                fired.json()["case"]["state"],
                fired.headers["etag"],
                fired.headers["x-request-id"],
            )
            history = http.get(f"{case_url}/history").json()
        expected_history = [
            ("opened", None, "REFERRED", None),
            ("transition", "log_first_contact", "CONTACTED", "e2e-fire-1"),
        ]
        assert expected_history == [
            (e["kind"], e["trigger"], e["to_state"], e["request_id"] if e["seq"] > 1 else None)
            for e in history
        ]
        # Uvicorn shuts down gracefully, then re-raises the signal: exit status 0 or -SIGTERM.
        assert server.stop() in (0, -signal.SIGTERM), server.output()
        log = server.output()
        assert "Application shutdown complete." in log, log
        assert "Traceback" not in log


class TestServeRefusals:
    """`ipm-workflow serve` refusing to start."""

    def test_refuses_an_outdated_schema(self, tmp_path: Path) -> None:
        """On an unmigrated database the server does not start and says how to fix it."""
        env = {**os.environ, "IPM_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
        done = subprocess.run(
            [str(IPM_WORKFLOW), "serve", "--port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        expected = 2
        assert expected == done.returncode
        assert "ipm-workflow db upgrade" in done.stderr


# `serve --workers N --no-worker` on PostgreSQL, the documented way to scale out.
WORKERS = 2
# Generous limits for a loaded CI machine; nothing asserts on the time anything took.
STARTUP_LIMIT = 120.0


def log_lines(server: Server) -> list[dict[str, object]]:
    """The JSON log lines the server processes wrote so far."""
    lines = []
    for raw in server.output().splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def started_children(server: Server) -> set[int]:
    """Processes that completed their application start-up."""
    return {
        int(str(line["process"]))
        for line in log_lines(server)
        if line.get("event") == "Application startup complete."
    }


@pytest.mark.postgres
def test_every_child_comes_up_answers_and_stays_up(pg_url: str, tmp_path: Path) -> None:
    """Both server processes start, both answer requests, and uvicorn never replaces one."""
    env = {**os.environ, "IPM_DATABASE_URL": pg_url, "IPM_LOG_FORMAT": "json"}
    port = free_port()
    log = tmp_path / "serve.log"
    command = ["serve", "--workers", str(WORKERS), "--no-worker", "--access-log"]
    process = launch(*command, "--port", str(port), env=env, log=log)
    server = Server(process, f"http://127.0.0.1:{port}", log, token="")
    try:
        server.wait_ready()
        end = time.monotonic() + STARTUP_LIMIT
        while len(started_children(server)) < WORKERS and time.monotonic() < end:
            time.sleep(0.2)
        children = started_children(server)
        assert len(children) == WORKERS, server.output()
        # Fresh connections, spread by the kernel over the processes, through several of
        # uvicorn's health pings (every half second): every answer is a 200.
        statuses = set()
        answered: set[int] = set()
        end = time.monotonic() + STARTUP_LIMIT
        rounds = 0
        while (rounds < 200 or answered != children) and time.monotonic() < end:
            statuses.add(httpx.get(f"{server.url}/health", timeout=10).status_code)
            rounds += 1
            answered = {
                int(str(line["process"]))
                for line in log_lines(server)
                if "GET /health" in str(line.get("event"))
            }
        expected = ({200}, children)
        assert expected == (statuses, answered), server.output()
        output = server.output()
        assert "died" not in output, output
        assert children == started_children(server), "a child was replaced"
        for pid in children:
            os.kill(pid, 0)  # still running (raises if not)
    finally:
        stop(process)
    assert "Traceback" not in server.output()
