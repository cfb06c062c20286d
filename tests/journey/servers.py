"""Helpers for the tests that start real servers (our processes, SMTP and SMS sinks): a free
port, `ipm-workflow` run to its end or started in the background, readiness, a clean stop."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import pytest

# The console script of the venv running the tests.
IPM_WORKFLOW = Path(sys.executable).with_name("ipm-workflow")
# Generous limits for a loaded machine (a start took 13 s at load 4); nothing asserts on time.
PATIENCE = 300.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ipm(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `ipm-workflow <args>` to its end; fail with what it wrote unless it exits 0."""
    done = subprocess.run(
        [str(IPM_WORKFLOW), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    expected = 0
    assert expected == done.returncode, f"ipm-workflow {' '.join(args)}: {done.stderr}"
    return done


def launch(
    *args: str, env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `ipm-workflow <args>` in the background, its output (both streams) in a log file."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(IPM_WORKFLOW), *args],
            env=dict(env),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition: Callable[[], bool], what: str, *, pause: float = 0.2) -> None:
    """Poll a condition every `pause` seconds until it holds; fail after PATIENCE."""
    end = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"still waiting, after {PATIENCE} s, for {what}")
        time.sleep(pause)


def wait_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, deadline: float = PATIENCE
) -> None:
    """Poll `<url>/ready` until it answers 200; fail with the process' output if it exits or
    the (generous) limit passes."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            pytest.fail(f"the process exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"not ready within {deadline} s:\n{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM, then SIGKILL if the process has not exited in time; return its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.returncode


def open_over_http(
    http: httpx.Client,
    mission_locale: str,
    person: Mapping[str, str],
    **case: object,
) -> httpx.Response:
    """Register a fictitious young person (`person`: first_name, last_name, birth_date) and
    open a variant-B case for them through a running server's API (`case` adds to the body).

    Returns the case's 201 response; asserts both answers are 201.
    """
    registered = http.post("/api/v1/people", json=dict(person))
    assert registered.status_code == 201, registered.text
    body = {
        "person_id": registered.json()["person"]["id"],
        "workflow": "erasmus_vet_long",
        "mission_locale_id": mission_locale,
        "inputs": {"cv_attached": True, "privacy_notice_given": True},
        **case,
    }
    opened = http.post("/api/v1/cases", json=body)
    assert opened.status_code == 201, opened.text
    return opened
