"""HTTP benchmark: transitions per second through one real `ipm-workflow serve` process.

Run as `.venv/bin/python bench/http_api.py [--seconds S] [--cases N] [--sqlite-only]
[--clients 1,4,16] [--hand-seconds H] [--health-seconds H] [--bare-seconds B]
[--service-seconds V] [--pg-admin URL]`. On a fresh SQLite file and on a throw-away PostgreSQL
database, it:

1. migrates the database and seeds, with bench/engine.py's helpers, 3 x N cases on the
   ping/pong bench workflow in the mission locale `ml-bench` (N for the HTTP clients, N for the
   hand-written SQL, N for the service layer), then creates an advisor working for `ml-bench`
   and a one-day API token through the services (what `ipm-workflow users add` and
   `tokens create` call);
2. starts ONE server process, `ipm-workflow serve --host 127.0.0.1 --port <free> --no-worker`,
   with IPM_DATABASE_URL, IPM_WORKFLOWS_DIR (the shipped workflows, their templates and the
   bench workflow, copied to a temporary directory) and IPM_LOG_LEVEL=WARNING, and waits for
   GET /ready to answer 200;
3. for each client count (1, 4, 16 by default), runs that many asyncio clients, each with its
   own keep-alive httpx.AsyncClient (one connection) and its own slice of the cases, firing
   POST /api/v1/cases/{id}/transitions with `ping` or `pong` according to the state the client
   tracks for the case; after one untimed warm-up second, it counts the 200 answers for
   --seconds and prints transitions/s, p50/p99 latency and the errors (anything but 200,
   counted apart; there should be none), with the server's CPU (utime + stime of its process,
   in % of one core and per answer), this process's CPU (the clients) and how busy the whole
   machine was; then GET /health with one client, the floor set by the HTTP stack and the
   client alone (no authentication, database or worker thread);
4. measures the CEILING in the same run, per client count: 1 / (Litestar's own per-request cost
   + the service layer's per-transition cost). Litestar's own cost is 1 / the rate of a bare
   Litestar app (bench/bare_litestar.py: one POST handler parsing the same small JSON body and
   answering a small JSON object, no middleware, database or thread) served by the same server
   (uvicorn, one process, no access log) to the same clients at the same client count; the
   service layer's cost is the wall-clock time of one `CaseService.fire` in this process, one
   caller, on the same database, on cases of its own (half before, half after the HTTP runs).
   Each HTTP rate is printed as a ratio of its ceiling (goal: at least 0.6);
5. measures the hand-written SQL rate (bench/engine.py's `hand_transition`, a single client,
   the same database, its own cases), half before and half after the HTTP runs, and prints
   each HTTP rate as a ratio of it: the goal is at least a third with one server process;
6. checks that the database holds the states the clients tracked and one history entry per
   200 answer, stops the server with SIGTERM and drops the throw-away database.

All traffic goes to 127.0.0.1. Server and clients share the machine (and PostgreSQL too):
the number of CPUs and the load average are printed, as other processes skew the figures.
"""

from __future__ import annotations

# Run as a script, Python puts bench/ first on the path: `engine` (bench/engine.py) is found.
import argparse
import asyncio
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import httpx
import psycopg

import engine as base
from ipm_workflow.logging import configure_logging

SERVER = Path(sys.executable).with_name("ipm-workflow")
HOST = "127.0.0.1"
USERNAME = "bench-advisor"
WARMUP_SECONDS = 1.0
READY_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
MAX_ERRORS_PER_CLIENT = 50
GOAL = 1 / 3
CEILING_GOAL = 0.6
BARE_APP = "bare_litestar:create"  # bench/bare_litestar.py, served by uvicorn's own command
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- CPU accounting


def process_cpu_seconds(pid: int) -> float:
    """Return a process's user + system CPU seconds (all its threads), from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def machine_ticks() -> tuple[int, int]:
    """Return the machine's (busy, total) CPU ticks since boot, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0]
    except OSError:
        return 0, 0
    ticks = [int(v) for v in first.split()[1:9]]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def process_status(pid: int) -> dict[str, str]:
    """Return the fields of /proc/<pid>/status."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines()
    except OSError:
        return {}
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


@dataclass
class CpuWindow:
    """CPU used over a stretch of wall-clock time by the server, this process and the machine."""

    server_pid: int
    wall: float = 0.0
    server: float = 0.0
    client: float = 0.0
    machine_busy: float = 0.0
    _start: tuple[float, float, float, int, int] = (0.0, 0.0, 0.0, 0, 0)

    def __enter__(self) -> CpuWindow:
        busy, total = machine_ticks()
        self._start = (
            time.perf_counter(),
            process_cpu_seconds(self.server_pid),
            time.process_time(),
            busy,
            total,
        )
        return self

    def __exit__(self, *_: object) -> None:
        wall0, server0, client0, busy0, total0 = self._start
        busy, total = machine_ticks()
        self.wall = time.perf_counter() - wall0
        self.server = process_cpu_seconds(self.server_pid) - server0
        self.client = time.process_time() - client0
        self.machine_busy = (busy - busy0) / (total - total0) if total > total0 else 0.0


# --------------------------------------------------------------------------- the clients


@dataclass
class Tally:
    """What one client saw."""

    ok: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    first_error: str = ""

    def error(self, kind: str, detail: str) -> None:
        """Count an error, remembering the first one's detail."""
        self.errors[kind] += 1
        if not self.first_error:
            self.first_error = f"{kind}: {detail}"[:300]


@dataclass
class HttpRun:
    """One client count's measurement."""

    label: str
    clients: int
    ok: int
    warm_ok: int
    wall: float
    latencies: list[float]
    errors: Counter[str]
    first_error: str
    cpu: CpuWindow

    @property
    def per_second(self) -> float:
        """Transitions answered 200 per wall-clock second."""
        return self.ok / self.wall if self.wall else 0.0

    def percentile_ms(self, q: float) -> float:
        """Return a latency percentile (nearest rank) in milliseconds."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
        return 1000 * ordered[rank]


LABELS = {"transition": "HTTP", "health": "GET /health", "bare": "bare Litestar"}


async def resync(client: httpx.AsyncClient, case_id: int, states: dict[int, str]) -> None:
    """After an error, read the case's state again (the transition may or may not have run)."""
    try:
        resp = await client.get(f"/api/v1/cases/{case_id}")
        if resp.status_code == 200:
            states[case_id] = str(resp.json()["state"])
    except (httpx.HTTPError, ValueError, KeyError):
        pass


def new_client(base_url: str, token: str) -> httpx.AsyncClient:
    """A client with one keep-alive connection and the bench's token. Made before the clock
    starts: an httpx client builds an SSL context, tens of ms of CPU, even for plain HTTP."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=REQUEST_TIMEOUT,
    )


async def client_loop(
    *,
    client: httpx.AsyncClient,
    cases: list[int],
    states: dict[int, str],
    deadline: float,
    tally: Tally,
    mode: str,
) -> None:
    """Fire ping/pong on this client's cases in turn until the deadline, on one connection.

    `mode` "health" asks GET /health instead (no authentication, database or worker thread):
    the floor that the HTTP stack and the client alone set; "bare" posts the same body to the
    bare Litestar app's /echo (Litestar's own per-request cost).
    """
    clock = time.perf_counter
    async with client:
        i = 0
        while clock() < deadline and sum(tally.errors.values()) < MAX_ERRORS_PER_CLIENT:
            case_id = cases[i % len(cases)]
            i += 1
            trigger, dest = ("ping", "B") if states[case_id] == "A" else ("pong", "A")
            body = {"trigger": trigger, "inputs": {}}
            if mode == "health":
                request = client.get("/health")
            elif mode == "bare":
                request = client.post("/echo", json=body)
            else:
                request = client.post(f"/api/v1/cases/{case_id}/transitions", json=body)
            began = clock()
            try:
                resp = await request
            except httpx.HTTPError as exc:
                tally.error(type(exc).__name__, str(exc))
                resp = None
            if resp is not None and resp.status_code == 200:
                tally.latencies.append(clock() - began)
                tally.ok += 1
                if mode == "transition":
                    states[case_id] = dest
                continue
            if resp is not None:
                tally.error(f"HTTP {resp.status_code}", resp.text)
            if mode == "transition":
                await resync(client, case_id, states)


async def drive(
    base_url: str,
    token: str,
    slices: list[list[int]],
    states: dict[int, str],
    seconds: float,
    *,
    mode: str,
) -> tuple[list[Tally], float]:
    """Run one client per slice for `seconds`; return their tallies and the wall-clock time."""
    tallies = [Tally() for _ in slices]
    clients = [new_client(base_url, token) for _ in slices]
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            client_loop(
                client=client,
                cases=cases,
                states=states,
                deadline=deadline,
                tally=tally,
                mode=mode,
            )
            for client, cases, tally in zip(clients, slices, tallies, strict=True)
        )
    )
    return tallies, time.perf_counter() - started


def run_clients(
    *,
    base_url: str,
    token: str,
    server_pid: int,
    ids: list[int],
    states: dict[int, str],
    clients: int,
    seconds: float,
    mode: str = "transition",
) -> HttpRun:
    """Warm up, then measure `clients` concurrent clients, each on its own slice of the cases."""
    slices = [ids[k::clients] for k in range(clients)]
    warm, _ = asyncio.run(drive(base_url, token, slices, states, WARMUP_SECONDS, mode=mode))
    with CpuWindow(server_pid) as cpu:
        tallies, wall = asyncio.run(drive(base_url, token, slices, states, seconds, mode=mode))
    errors: Counter[str] = Counter()
    for t in (*warm, *tallies):
        errors.update(t.errors)
    first = next((t.first_error for t in (*warm, *tallies) if t.first_error), "")
    return HttpRun(
        LABELS[mode],
        clients,
        sum(t.ok for t in tallies),
        sum(t.ok for t in warm),
        wall,
        [lat for t in tallies for lat in t.latencies],
        errors,
        first,
        cpu,
    )


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 (the server binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One `ipm-workflow serve` process."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    started_in: float


def start_server(url: str, workflows: Path, tmp: Path, *, bare: bool = False) -> Server:
    """Start the API (or, `bare`, bench/bare_litestar.py's app under uvicorn's own command, with
    the same server settings) on a free port with the bench's environment; wait until /ready
    says 200."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    env |= {
        "IPM_DATABASE_URL": url,
        "IPM_WORKFLOWS_DIR": str(workflows),
        "IPM_LOG_LEVEL": "WARNING",
    }
    log = tmp / f"server-{port}.log"
    began = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own console scripts, fixed arguments
            bare_command(port)
            if bare
            else [str(SERVER), "serve", "--host", HOST, "--port", str(port), "--no-worker"],
            env=env,
            cwd=tmp,  # no stray .env file from the current directory
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://{HOST}:{port}", log, 0.0)
    deadline = began + READY_TIMEOUT
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_tail(log)}")
        try:
            if httpx.get(f"{server.base_url}/ready", timeout=2.0).status_code == 200:
                server.started_in = time.perf_counter() - began
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"the server was not ready within {READY_TIMEOUT:g} s:\n{log_tail(log)}")


def bare_command(port: int) -> list[str]:
    """uvicorn serving the bare app as `serve` serves ours: one process, no access log."""
    return [
        *(sys.executable, "-m", "uvicorn", "--factory", BARE_APP),
        *("--app-dir", str(Path(__file__).parent), "--host", HOST, "--port", str(port)),
        *("--no-access-log", "--log-level", "warning"),
    ]


def stop_server(server: Server) -> tuple[int | None, float]:
    """Stop the server with SIGTERM (SIGKILL if it hangs); return its exit code and the delay."""
    began = time.perf_counter()
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=STOP_TIMEOUT)
    return server.process.returncode, time.perf_counter() - began


def log_tail(log: Path, lines: int = 15) -> str:
    """Return the last lines of the server's output."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:])


def server_messages(log: Path) -> list[str]:
    """Return what the server printed besides its start-up banner."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line and "ipm-workflow API on" not in line]


# --------------------------------------------------------------------------- one backend


@dataclass
class BackendResult:
    """Everything measured on one database."""

    backend: str
    before: HandRun | None = None
    after: HandRun | None = None
    runs: list[HttpRun] = field(default_factory=list)
    floor: HttpRun | None = None
    bare: dict[int, HttpRun] = field(default_factory=dict)
    service: base.Rate = field(default_factory=base.Rate)

    def ceiling(self, clients: int) -> float:
        """1 / (Litestar's own per-request cost + the service layer's per-transition cost),
        per second: the first is 1 / the bare app's rate at this client count, the second the
        wall-clock time of one `CaseService.fire` (0 when either is missing)."""
        bare = self.bare.get(clients)
        if bare is None or not bare.per_second or not self.service.count:
            return 0.0
        return 1 / (1 / bare.per_second + self.service.wall / self.service.count)

    def cpu_share(self, run: HttpRun) -> tuple[float, float]:
        """The same ratio in CPU, which a shared machine skews far less than wall-clock time:
        (the ceiling's CPU per answer: the bare app's server CPU per answer at this client count
        + the service layer's CPU per fire, in µs; that over the server's CPU per transition)."""
        bare = self.bare.get(run.clients)
        if bare is None or not bare.ok or not run.ok or not self.service.count:
            return 0.0, 0.0
        floor = 1e6 * bare.cpu.server / bare.ok + self.service.cpu_us
        spent = 1e6 * run.cpu.server / run.ok
        return floor, floor / spent if spent else 0.0

    def of_ceiling(self, run: HttpRun) -> float:
        """An HTTP rate as a fraction of its ceiling."""
        ceiling = self.ceiling(run.clients)
        return run.per_second / ceiling if ceiling else 0.0

    @property
    def hand(self) -> base.Rate:
        """The hand-written SQL rate over both halves."""
        total = base.Rate()
        for half in (self.before, self.after):
            if half is not None:
                total.add(half.rate)
        return total

    def ratio(self, run: HttpRun) -> float:
        """An HTTP rate as a fraction of the hand-written one."""
        hand = self.hand
        return run.per_second / hand.per_second if hand.count else 0.0


@dataclass
class Prepared:
    """The seeded cases of each path, the API token, and the service layer in this process."""

    http_ids: list[int]
    hand_ids: list[int]
    service: base.RoundRobin
    token: str
    container: base.Container


def prepare(url: str, drv: base.Driver, workflows: Path, cases: int) -> Prepared:
    """Seed the cases (HTTP ones, hand-written ones, service ones), the advisor and a token."""
    person = base.seed_directory(drv)
    http_ids = base.seed_cases(drv, base.PING_PONG, person, cases)
    hand_ids = base.seed_cases(drv, base.PING_PONG, person, cases)
    service_ids = base.seed_cases(drv, base.PING_PONG, person, cases)
    container = base.make_container(url, workflows)
    container.people.add_user(USERNAME, "Bench Advisor", "advisor", [base.ML_ID])
    token = container.tokens.issue(USERNAME, days=1, label="bench/http_api.py").token
    service = base.RoundRobin(service_ids, ["A"] * len(service_ids))
    return Prepared(http_ids, hand_ids, service, token, container)


def service_rate(prepared: Prepared, seconds: float, warmup: int) -> base.Rate:
    """Fire ping/pong through `CaseService.fire` in this process, one caller, for `seconds`."""
    rr = prepared.service

    def one() -> None:
        pos, case_id = rr.next()
        rr.states[pos] = base.service_transition(
            prepared.container, case_id, base.PING_PONG, rr.states[pos], rr.i
        )

    return base.timed(seconds, one, warmup)


def bare_rates(
    url: str, workflows: Path, tmp: Path, args: argparse.Namespace, token: str
) -> dict[int, HttpRun]:
    """Serve the bare Litestar app and measure it at each client count."""
    server = start_server(url, workflows, tmp, bare=True)
    states = {0: "A"}
    try:
        return {
            clients: run_clients(
                base_url=server.base_url,
                token=token,
                server_pid=server.process.pid,
                ids=[0] * clients,
                states=states,
                clients=clients,
                seconds=args.bare_seconds,
                mode="bare",
            )
            for clients in args.clients
        }
    finally:
        stop_server(server)


@dataclass
class HandRun:
    """A stretch of hand-written SQL transitions, with the CPU it used."""

    rate: base.Rate
    cpu: CpuWindow


def hand_rate(
    drv: base.Driver, rr: base.RoundRobin, seconds: float, warmup: int, server: Server
) -> HandRun:
    """Fire hand-written transitions round-robin over the hand cases for `seconds`."""

    def one() -> None:
        _, case_id = rr.next()
        base.hand_transition(drv, case_id, base.PING_PONG, rr.i)

    for _ in range(warmup):
        one()
    with CpuWindow(server.process.pid) as cpu:
        rate = base.timed(seconds, one)
    return HandRun(rate, cpu)


def check_database(drv: base.Driver, ids: list[int], states: dict[int, str]) -> tuple[int, int]:
    """Return (cases whose stored state differs from the tracked one, history entries stored)."""
    lo, hi = ids[0], ids[-1]
    drv.begin()
    drv.cur.execute(drv.sql("SELECT id, state FROM cases WHERE id >= ? AND id <= ?"), (lo, hi))
    stored = {int(r[0]): str(r[1]) for r in drv.cur.fetchall()}
    drv.cur.execute(
        drv.sql("SELECT count(*) FROM history_entries WHERE case_id >= ? AND case_id <= ?"),
        (lo, hi),
    )
    row = drv.cur.fetchone()
    drv.commit()
    wrong = sum(1 for case_id in ids if stored.get(case_id) != states[case_id])
    return wrong, int(row[0]) if row else 0


def run_backend(
    url: str, drv: base.Driver, tmp: Path, workflows: Path, args: argparse.Namespace
) -> BackendResult:
    """Seed, start the server, measure hand SQL and HTTP at each client count, stop, check."""
    result = BackendResult(drv.name)
    try:
        prepared = prepare(url, drv, workflows, args.cases)
        http_ids, token = prepared.http_ids, prepared.token
        rr = base.RoundRobin(prepared.hand_ids, ["A"] * len(prepared.hand_ids))
        states = dict.fromkeys(http_ids, "A")
        result.bare = bare_rates(url, workflows, tmp, args, token)
        result.service.add(service_rate(prepared, args.service_seconds / 2, base.WARMUP))
        server = start_server(url, workflows, tmp)
        print(
            f"{drv.name}: server pid {server.process.pid} ready on {server.base_url} in "
            f"{server.started_in:.1f} s; {len(http_ids):,} cases for each of HTTP, hand-written "
            "SQL and the service layer; measuring…"
        )
        try:
            result.before = hand_rate(drv, rr, args.hand_seconds / 2, base.WARMUP, server)
            for clients in args.clients:
                result.runs.append(
                    run_clients(
                        base_url=server.base_url,
                        token=token,
                        server_pid=server.process.pid,
                        ids=http_ids,
                        states=states,
                        clients=clients,
                        seconds=args.seconds,
                    )
                )
            if args.health_seconds > 0:
                result.floor = run_clients(
                    base_url=server.base_url,
                    token=token,
                    server_pid=server.process.pid,
                    ids=http_ids,
                    states=states,
                    clients=1,
                    seconds=args.health_seconds,
                    mode="health",
                )
            result.after = hand_rate(drv, rr, args.hand_seconds / 2, 0, server)
            status = process_status(server.process.pid)
        finally:
            code, delay = stop_server(server)
        result.service.add(service_rate(prepared, args.service_seconds / 2, 0))
        prepared.container.close()
        print_backend(result)
        print_server(status, code, delay, server)
        answered = sum(r.ok + r.warm_ok for r in result.runs)
        wrong, entries = check_database(drv, http_ids, states)
        print(
            f"  database check: {wrong} of {len(http_ids):,} cases differ from the state the "
            f"clients tracked; {entries:,} history entries on them for {answered:,} answers "
            "200 (warm-ups included)\n"
        )
    finally:
        drv.close()
    return result


def run_sqlite(tmp: Path, workflows: Path, args: argparse.Namespace) -> BackendResult:
    """The whole run on a fresh SQLite file."""
    path = tmp / "http.sqlite3"
    url = base.migrated(f"sqlite:///{path}")
    return run_backend(url, base.SqliteDriver(path), tmp, workflows, args)


def run_postgres(tmp: Path, workflows: Path, args: argparse.Namespace) -> BackendResult | None:
    """The whole run on a throw-away PostgreSQL database, or None if none is reachable."""
    problem = base.pg_problem(args.pg_admin)
    if problem:
        print(f"\nPostgreSQL skipped: not reachable at {args.pg_admin} ({problem})")
        return None
    with base.throwaway_pg(args.pg_admin) as url:
        return run_backend(base.migrated(url), base.PgDriver(url), tmp, workflows, args)


# --------------------------------------------------------------------------- printing

HEADER = (
    f"{'backend':<10} {'path':<18} {'clients':>7} {'answered':>9} {'per s':>7} "
    f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'/hand':>6} {'ceiling':>7} {'/ceil':>5} "
    f"{'server CPU':>10} "
    f"{'µs/req':>7} {'client CPU':>10} {'µs/req':>7} {'machine':>7}"
)


def cpu_columns(cpu: CpuWindow, count: int) -> str:
    """Server and client CPU, in % of one core and per request, and the machine's busy share."""
    if not cpu.wall:
        return ""
    server_us = f"{1e6 * cpu.server / count:,.0f}" if count else "-"
    client_us = f"{1e6 * cpu.client / count:,.0f}" if count else "-"
    return (
        f"{100 * cpu.server / cpu.wall:>9.0f}% {server_us:>7} "
        f"{100 * cpu.client / cpu.wall:>9.0f}% {client_us:>7} {100 * cpu.machine_busy:>6.0f}%"
    )


def print_hand(backend: str, label: str, half: HandRun | None) -> None:
    """Print a hand-written SQL row (the client CPU is this process's, which runs the SQL)."""
    if half is None:
        return
    rate = half.rate
    print(
        f"{backend:<10} {label:<18} {1:>7} {rate.count:>9,} {rate.per_second:>7,.0f} "
        f"{'':>7} {'':>7} {0:>6} {'':>6} {'':>7} {'':>5} {cpu_columns(half.cpu, rate.count)}"
    )


def print_service(backend: str, rate: base.Rate) -> None:
    """Print the service layer's row: `CaseService.fire` in the bench process, one caller."""
    print(
        f"{backend:<10} {'service fire':<18} {1:>7} {rate.count:>9,} {rate.per_second:>7,.0f} "
        f"{rate.wall_us / 1000:>7.2f} {'':>7} {0:>6} {'':>6} {'':>7} {'':>5} {'':>10} {'':>7} "
        f"{100 * rate.cpu / rate.wall if rate.wall else 0:>9.0f}% {rate.cpu_us:>7,.0f}"
    )


def print_run(
    backend: str, run: HttpRun, ratio: float | None, ceiling: float = 0.0, of_ceiling: float = 0.0
) -> None:
    """Print an HTTP row (with its ceiling and the rate's share of it, when given)."""
    errors = sum(run.errors.values())
    shown = f"{ratio:.2f}" if ratio is not None else ""
    ceil = f"{ceiling:,.0f}" if ceiling else ""
    share = f"{of_ceiling:.2f}" if ceiling else ""
    print(
        f"{backend:<10} {run.label:<18} {run.clients:>7} {run.ok:>9,} {run.per_second:>7,.0f} "
        f"{run.percentile_ms(0.5):>7.2f} {run.percentile_ms(0.99):>7.2f} {errors:>6} "
        f"{shown:>6} {ceil:>7} {share:>5} {cpu_columns(run.cpu, run.ok)}"
    )
    if errors:
        kinds = ", ".join(f"{k} x{n}" for k, n in run.errors.most_common())
        print(f"  errors: {kinds}; first: {run.first_error}")


def print_backend(result: BackendResult) -> None:
    """Print one database's rows: bare Litestar, the service layer, hand SQL, HTTP at each
    client count, /health, hand SQL."""
    for bare in result.bare.values():
        print_run(result.backend, bare, None)
    print_service(result.backend, result.service)
    print_hand(result.backend, "hand SQL (before)", result.before)
    for run in result.runs:
        print_run(
            result.backend,
            run,
            result.ratio(run),
            result.ceiling(run.clients),
            result.of_ceiling(run),
        )
    if result.floor is not None:
        print_run(result.backend, result.floor, None)
    print_hand(result.backend, "hand SQL (after)", result.after)
    print(
        f"  hand SQL over both halves: {result.hand.per_second:,.0f} tx/s (the /hand column's "
        f"reference); goal for one server process: >= {GOAL * result.hand.per_second:,.0f} "
        "transitions/s"
    )
    print(
        f"  ceiling = 1 / (1 / bare Litestar rate at the same client count + "
        f"{result.service.wall_us:,.0f} µs per CaseService.fire, wall clock, one caller; "
        f"{result.service.cpu_us:,.0f} µs of CPU); goal: HTTP >= {CEILING_GOAL:g} x ceiling"
    )
    cpu = []
    for run in result.runs:
        floor, share = result.cpu_share(run)
        cpu.append(
            f"{run.clients}c {floor:,.0f}/{1e6 * run.cpu.server / max(run.ok, 1):,.0f} "
            f"= {share:.2f}"
        )
    print(
        "  in CPU (µs per answer, bare app's server CPU + service CPU / our server's CPU): "
        + ", ".join(cpu)
    )


def print_server(status: dict[str, str], code: int | None, delay: float, server: Server) -> None:
    """Print the server's memory, how it stopped, and anything it printed."""
    print(
        f"  server after the runs: VmRSS {status.get('VmRSS', '?')}, "
        f"{status.get('Threads', '?')} threads; SIGTERM -> exit code {code} in {delay:.1f} s "
        "(uvicorn re-raises the signal after a graceful shutdown: -15 is a clean stop)"
    )
    messages = server_messages(server.log)
    if messages:
        print(f"  server printed {len(messages)} line(s) besides its banner; the last ones:")
        for line in messages[-10:]:
            print(f"    {line[:200]}")


def package_version(name: str) -> str:
    """Return an installed distribution's version."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def postgres_version(admin: str) -> str:
    """Return the PostgreSQL server's version, or why it is unknown."""
    try:
        with psycopg.connect(admin, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return "unreachable"
    return str(row[0]) if row else "?"


def print_machine(args: argparse.Namespace) -> None:
    """Print what the figures were measured on."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"ipm-workflow HTTP benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    print(
        f"machine: nproc={usable} ({platform.processor() or platform.machine()}), "
        f"{platform.system()} {platform.release()}; load average {base.load_average()}"
    )
    print(
        f"python {platform.python_version()}, ipm-workflow {package_version('ipm-workflow')}, "
        f"litestar {package_version('litestar')}, uvicorn {package_version('uvicorn')} "
        f"(uvloop {package_version('uvloop')}, httptools {package_version('httptools')}), "
        f"httpx {package_version('httpx')}, SQLAlchemy {package_version('sqlalchemy')}, "
        f"SQLite {sqlite3.sqlite_version}, psycopg {psycopg.__version__}, "
        f"PostgreSQL {postgres_version(args.pg_admin) if not args.sqlite_only else 'skipped'}"
    )
    print(f"source: {base.git_revision()}")
    print(
        f"settings: one server process (--no-worker); {args.cases:,} cases per path; clients "
        f"{', '.join(map(str, args.clients))}, each with one keep-alive connection and its own "
        f"slice of the cases; {WARMUP_SECONDS:g} s warm-up then {args.seconds:g} s per client "
        f"count; hand-written SQL {args.hand_seconds:g} s (half before, half after the HTTP "
        f"runs, after {base.WARMUP} warm-up transitions); GET /health with one client for "
        f"{args.health_seconds:g} s (no authentication, database or thread: the HTTP stack's "
        "floor); server and client CPU in % of one core and µs per answer, machine = share of "
        "all CPUs busy (other processes included); /hand = rate / hand SQL rate\n"
    )


def summary(results: list[BackendResult], load: str) -> str:
    """Return the one-line verdict."""
    parts = []
    verdicts = []
    ceilings = []
    errors = 0
    for r in results:
        rates = ", ".join(
            f"{run.clients}c {run.per_second:,.0f} ({r.ratio(run):.2f}x)" for run in r.runs
        )
        parts.append(f"{r.backend} hand SQL {r.hand.per_second:,.0f} tx/s, HTTP {rates}")
        errors += sum(sum(run.errors.values()) for run in r.runs)
        best = max((r.ratio(run) for run in r.runs), default=0.0)
        verdicts.append(f"{r.backend} {'met' if best >= GOAL else 'NOT met'} (best {best:.2f}x)")
        shares = ", ".join(
            f"{run.clients}c {run.per_second:,.0f}/{r.ceiling(run.clients):,.0f} = "
            f"{r.of_ceiling(run):.2f} (CPU {r.cpu_share(run)[1]:.2f})"
            for run in r.runs
        )
        ceilings.append(f"{r.backend} {shares}")
    return (
        f"SUMMARY: {'; '.join(parts)}; errors {errors}; goal HTTP >= 1/3 of hand SQL with one "
        f"server process: {', '.join(verdicts)}; HTTP / ceiling (goal >= {CEILING_GOAL:g}): "
        f"{'; '.join(ceilings)}; load average {load}"
    )


def parse_clients(raw: str) -> list[int]:
    """Read a comma-separated list of positive client counts."""
    try:
        counts = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of integers: {raw!r}") from exc
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("client counts must be positive integers")
    return counts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="seconds measured per client count (default 5)"
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=1_000,
        help="cases shared out among the HTTP clients, and as many for hand SQL (default 1000)",
    )
    parser.add_argument(
        "--clients",
        type=parse_clients,
        default=[1, 4, 16],
        help="comma-separated concurrent client counts (default 1,4,16)",
    )
    parser.add_argument(
        "--hand-seconds",
        type=float,
        default=4.0,
        help="seconds of hand-written SQL, half before and half after the HTTP runs (default 4)",
    )
    parser.add_argument(
        "--health-seconds",
        type=float,
        default=2.0,
        help="seconds of GET /health with one client, the HTTP stack's floor; 0 skips it "
        "(default 2)",
    )
    parser.add_argument(
        "--bare-seconds",
        type=float,
        default=3.0,
        help="seconds of the bare Litestar app per client count, for the ceiling (default 3)",
    )
    parser.add_argument(
        "--service-seconds",
        type=float,
        default=3.0,
        help="seconds of CaseService.fire in this process, half before and half after the "
        "HTTP runs, for the ceiling (default 3)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--pg-admin",
        default=base.PG_ADMIN,
        help="PostgreSQL URL used to create and drop the throw-away database",
    )
    args = parser.parse_args(argv)
    if args.cases < max(args.clients):
        parser.error("--cases must be at least the largest client count")
    if min(args.seconds, args.hand_seconds, args.bare_seconds, args.service_seconds) <= 0:
        parser.error("--seconds, --hand-seconds, --bare-seconds, --service-seconds: positive")
    if args.health_seconds < 0:
        parser.error("--health-seconds must not be negative")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the figures."""
    args = parse_args(argv)
    configure_logging("json", "WARNING")
    print_machine(args)
    started = time.perf_counter()
    results: list[BackendResult] = []
    with tempfile.TemporaryDirectory(prefix="ipm-bench-http-") as name:
        tmp = Path(name)
        workflows = base.write_workflows(tmp).directory
        print(HEADER)
        results.append(run_sqlite(tmp, workflows, args))
        if args.sqlite_only:
            print("\nPostgreSQL skipped (--sqlite-only)")
        else:
            pg = run_postgres(tmp, workflows, args)
            if pg is not None:
                results.append(pg)
    load = base.load_average()
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s; load average {load}")
    print(summary(results, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
