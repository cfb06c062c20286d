"""Start-up times of the command line and the server, next to two baselines, in one run.

Prints, for `ipm-workflow --help`, `workflows check`, `cases show` and `serve` until `/ready`,
the median wall time of a few runs and its ratio to `python -c pass` and to
`python -c "import litestar"`; the load average is printed with them, as the figures are only
comparable between runs on a similarly loaded machine. A throw-away SQLite database is used.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

RUNS = 5
READY_LIMIT = 120.0
BIN = Path(sys.executable).parent
IPM = str(BIN / "ipm-workflow")


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one run of a command that must succeed."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=READY_LIMIT)  # noqa: S603 - our own commands
    return time.perf_counter() - started


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_until_ready(env: dict[str, str]) -> float:
    """Wall time from starting `serve` to its first 200 on /ready."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own command
        [IPM, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < READY_LIMIT:
            try:
                url = f"http://127.0.0.1:{port}/ready"
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"serve was not ready within {READY_LIMIT} s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def median(measure: Callable[[], float]) -> float:
    """Median of RUNS measurements, after one warm-up run (disk cache)."""
    measure()
    return statistics.median(measure() for _ in range(RUNS))


def main() -> None:
    """Measure and print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
        env["IPM_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        subprocess.run([IPM, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        subprocess.run([IPM, "demo", "--no-tokens"], env=env, check=True, capture_output=True)  # noqa: S603
        python = sys.executable
        rows = {
            "python -c pass": lambda: timed([python, "-c", "pass"], env),
            'python -c "import litestar"': lambda: timed([python, "-c", "import litestar"], env),
            "ipm-workflow --help": lambda: timed([IPM, "--help"], env),
            "ipm-workflow workflows check": lambda: timed([IPM, "workflows", "check"], env),
            "ipm-workflow cases show 1": lambda: timed([IPM, "cases", "show", "1"], env),
            "ipm-workflow serve until /ready": lambda: serve_until_ready(env),
        }
        load_before = os.getloadavg()[0]
        figures = {name: median(measure) for name, measure in rows.items()}
        load_after = os.getloadavg()[0]
    base, litestar = figures["python -c pass"], figures['python -c "import litestar"']
    bytecode = os.environ.get("PYTHONDONTWRITEBYTECODE", "unset")
    print(f"median of {RUNS} runs; load average {load_before:.2f} -> {load_after:.2f}; ", end="")
    print(f"PYTHONDONTWRITEBYTECODE={bytecode}")
    print(f"{'command':<34} {'seconds':>8} {'x pass':>8} {'x litestar':>11}")
    for name, seconds in figures.items():
        print(f"{name:<34} {seconds:>8.3f} {seconds / base:>8.1f} {seconds / litestar:>11.2f}")


if __name__ == "__main__":
    main()
