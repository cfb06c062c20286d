"""Engine benchmark: transitions per second through the service layer against hand-written SQL.

Run as `.venv/bin/python bench/engine.py [--cases N] [--seconds S] [--memory-cases M]
[--trace-window W] [--sqlite-only] [--pg-admin URL] [--profile]`. It prints:

1. transitions per second fired through `CaseService.fire` (one command = one transaction) on a
   fresh SQLite file and on a throw-away PostgreSQL database, for a two-state ping/pong bench
   workflow and for the realistic `report_incident` of erasmus_vet_long (ABROAD -> ABROAD);
2. next to each, the same transaction written by hand with the raw driver (sqlite3, psycopg 3):
   SELECT the case (joined to its person, as the repository does), UPDATE state, version,
   updated_at, history_seq, history_head and data with the version check, INSERT the whole
   history row, COMMIT; and the service rate as a ratio of the hand-written rate;
3. the process's memory (VmRSS, Python heap blocks, tracemalloc) after firing one transition
   on each of 1,000, 10,000 and 100,000 cases, on SQLite.

Work is spread round-robin over `--cases` cases, with a single client. Each measurement runs
in alternated quarters (hand-written, service, hand-written, service) so that both paths see
the same database size. Other processes on the machine skew the wall-clock figures: the load
average is printed, and the CPU time per transaction of this process is shown next to them.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import os
import platform
import pstats
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy
from psycopg import sql as pgsql
from psycopg.types.json import Jsonb

from ipm_workflow.adapters.clock import SystemClock
from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.cases import GENESIS_HASH
from ipm_workflow.domain.errors import WorkflowInvalid
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.commands import Actor, FireTrigger

PG_ADMIN = os.environ.get("IPM_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
MEMORY_CHECKPOINTS = (1_000, 10_000, 100_000)
WARMUP = 200
ML_ID = "ml-bench"
# An advisor of the bench's mission locale: the policy shows an advisor only their own cases.
ACTOR = Actor("user:1", "advisor", frozenset({ML_ID}))

BENCH_WORKFLOW = """\
name: bench_ping_pong
version: 1
title: {fr: Banc d'essai ping-pong, en: Ping-pong bench}
initial_state: A
roles: [advisor]
states:
  A: {phase: orientation, label: {fr: A, en: A}}
  B: {phase: orientation, label: {fr: B, en: B}}
transitions:
  - {trigger: ping, source: A, dest: B, roles: [advisor]}
  - {trigger: pong, source: B, dest: A, roles: [advisor]}
"""

# What a case of erasmus_vet_long carries once abroad (as the demo journey leaves it).
ABROAD_DATA: dict[str, Any] = {
    "cv_attached": True,
    "privacy_notice_given": True,
    "first_contact_date": "2026-09-01",
    "programme": "erasmus_vet",
    "eligibility_checked": True,
    "duplicate_check_passed": True,
    "grant_project_code": "BENCH-2026-KA121-VET-0001",
    "grant_project_end": "2028-08-31",
    "destination_country": "Malta",
    "host_organisation": "Bench Host Ltd",
    "mentor_name": "Mentor Bench",
    "planned_start": "2026-11-02",
    "planned_end": "2027-01-29",
    "signature_date": "2026-10-01",
    "ols_assessment_1_done": True,
    "travel_booked": True,
    "emergency_contacts_filled": True,
    "actual_start": "2026-11-02",
}
_VALID_DOC = {
    "status": "validated",
    "valid_from": None,
    "valid_until": "2027-12-31",
    "validated_by": "user:1",
    "validated_at": "2026-10-15T09:00:00+00:00",
}
_MISSING_DOC = {
    "status": "missing",
    "valid_from": None,
    "valid_until": None,
    "validated_by": None,
    "validated_at": None,
}
ABROAD_DOCUMENTS: dict[str, Any] = {
    name: dict(_VALID_DOC if name in {"identity", "insurance", "ceam"} else _MISSING_DOC)
    for name in (
        "identity",
        "insurance",
        "ceam",
        "grant_agreement",
        "learning_agreement",
        "guardian_consent",
        "ast",
        "guardian_id",
        "early_return_evidence",
        "europass",
    )
}
SEVERITIES = ("low", "medium", "high")

SELECT_CASE = (
    "SELECT c.id, c.person_id, c.workflow, c.workflow_version, c.state, c.previous_state, "
    "c.data, c.documents, c.mission_locale_id, c.advisor_id, c.version, c.opened_at, "
    "c.updated_at, c.state_entered_at, c.closed_at, c.history_seq, c.history_head, "
    "p.birth_date FROM cases c JOIN people p ON p.id = c.person_id WHERE c.id = ?"
)
UPDATE_CASE = (
    "UPDATE cases SET state = ?, version = version + 1, updated_at = ?, history_seq = ?, "
    "history_head = ?, data = ? WHERE id = ? AND version = ?"
)
# The entry's mission locale is the case's, read as the application's append reads it.
INSERT_HISTORY = (
    "INSERT INTO history_entries (case_id, seq, at, actor, role, kind, trigger, from_state, "
    "to_state, workflow, workflow_version, request_id, payload, payload_salt, payload_digest, "
    "prev_hash, hash, mission_locale_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, (SELECT mission_locale_id FROM cases WHERE id = ?))"
)
INSERT_CASE = (
    "INSERT INTO cases (person_id, workflow, workflow_version, state, previous_state, data, "
    "documents, mission_locale_id, advisor_id, version, opened_at, updated_at, "
    "state_entered_at, closed_at, history_seq, history_head) "
    "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, NULL, 0, ?, ?, ?, NULL, 0, ?)"
)
# Positions in SELECT_CASE's row.
S_WORKFLOW, S_VERSION_WF, S_STATE, S_DATA = 2, 3, 4, 6
S_VERSION, S_SEQ, S_HEAD = 10, 15, 16


# --------------------------------------------------------------------------- the two drivers


class Driver:
    """The differences between sqlite3 and psycopg 3 that hand-written SQL has to care about."""

    name = "?"

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.cur = conn.cursor()

    def sql(self, text: str) -> str:
        """Return a statement in the driver's parameter style."""
        return text

    def begin(self) -> None:
        """Open a write transaction."""

    def commit(self) -> None:
        """Commit the transaction."""
        self.conn.commit()

    def ts(self, moment: datetime) -> Any:
        """Return a timestamp as the column expects it."""
        return moment

    def js(self, value: Any) -> Any:
        """Return a JSON value as the column expects it."""
        return value

    def load_json(self, raw: Any) -> Any:
        """Return a JSON column's value as Python data."""
        return raw

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class SqliteDriver(Driver):
    """sqlite3 in autocommit mode with explicit BEGIN IMMEDIATE, like the engine's SQLite."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=10000",
        ):
            conn.execute(pragma)
        super().__init__(conn)

    def begin(self) -> None:
        """Take the write lock up front, as the engine does."""
        self.cur.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the explicit transaction."""
        self.cur.execute("COMMIT")

    def ts(self, moment: datetime) -> Any:
        """SQLAlchemy stores SQLite timestamps as naive ISO text with microseconds."""
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def js(self, value: Any) -> Any:
        """SQLAlchemy's JSON type stores json.dumps text on SQLite."""
        return json.dumps(value)

    def load_json(self, raw: Any) -> Any:
        """Parse the stored text."""
        return json.loads(raw) if raw is not None else None


class PgDriver(Driver):
    """psycopg 3 in its default mode: a transaction starts with the first statement."""

    name = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__(psycopg.connect(url))

    def sql(self, text: str) -> str:
        """Use psycopg's %s placeholders."""
        return text.replace("?", "%s")

    def js(self, value: Any) -> Any:
        """Adapt to JSONB."""
        return Jsonb(value)


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Step:
    """One transition to fire on a case in a given state."""

    trigger: str
    to_state: str
    inputs: Mapping[str, Any]
    reason: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A workflow, the state its cases are seeded in, and the transition fired repeatedly."""

    title: str
    workflow: str
    state: str
    data: Mapping[str, Any]
    documents: Mapping[str, Any]
    step: Callable[[str, int], Step]


def _ping_pong(state: str, _i: int) -> Step:
    return Step("ping", "B", {}) if state == "A" else Step("pong", "A", {})


def _incident(_state: str, i: int) -> Step:
    return Step("report_incident", "ABROAD", {"incident_severity": SEVERITIES[i % 3]}, "bench")


PING_PONG = Scenario("ping/pong (bench workflow)", "bench_ping_pong", "A", {}, {}, _ping_pong)
INCIDENT = Scenario(
    "report_incident (erasmus_vet_long)",
    "erasmus_vet_long",
    "ABROAD",
    ABROAD_DATA,
    ABROAD_DOCUMENTS,
    _incident,
)


# --------------------------------------------------------------------------- seeding


def seed_directory(drv: Driver) -> int:
    """Insert the mission locale and the one person every bench case belongs to."""
    now = drv.ts(datetime.now(UTC))
    drv.begin()
    drv.cur.execute(
        drv.sql(
            "INSERT INTO mission_locales (id, name, departement) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING"
        ),
        (ML_ID, "Mission locale (bench)", "42"),
    )
    drv.cur.execute(
        drv.sql(
            "INSERT INTO people (first_name, last_name, birth_date, created_at, updated_at, "
            "qpv, rural) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        ("Bench", "Person", "2005-06-15", now, now, "unknown", "unknown"),
    )
    drv.commit()
    drv.begin()
    drv.cur.execute(drv.sql("SELECT max(id) FROM people"))
    row = drv.cur.fetchone()
    drv.commit()
    return int(row[0])


def seed_cases(drv: Driver, scenario: Scenario, person_id: int, count: int) -> list[int]:
    """Insert `count` cases in bulk (one executemany) and return their ids in order."""
    now = drv.ts(datetime.now(UTC))
    data, documents = drv.js(dict(scenario.data)), drv.js(dict(scenario.documents))
    rows: Iterator[tuple[Any, ...]] = (
        (
            person_id,
            scenario.workflow,
            1,
            scenario.state,
            data,
            documents,
            ML_ID,
            now,
            now,
            now,
            GENESIS_HASH,
        )
        for _ in range(count)
    )
    drv.begin()
    drv.cur.executemany(drv.sql(INSERT_CASE), rows)
    drv.commit()
    drv.begin()
    drv.cur.execute(
        drv.sql("SELECT id FROM cases WHERE workflow = ? ORDER BY id DESC LIMIT ?"),
        (scenario.workflow, count),
    )
    ids = sorted(int(r[0]) for r in drv.cur.fetchall())
    drv.commit()
    return ids


# --------------------------------------------------------------------------- the two paths


def hand_transition(drv: Driver, case_id: int, scenario: Scenario, i: int) -> str:
    """One transition as hand-written SQL: SELECT, UPDATE with version check, INSERT, COMMIT."""
    cur = drv.cur
    drv.begin()
    cur.execute(drv.sql(SELECT_CASE), (case_id,))
    row = cur.fetchone()
    if row is None:
        raise LookupError(f"case {case_id} not found")
    state, version, seq, head = row[S_STATE], row[S_VERSION], row[S_SEQ], row[S_HEAD]
    data = drv.load_json(row[S_DATA])
    step = scenario.step(state, i)
    changes = {k: [data.get(k), v] for k, v in step.inputs.items() if data.get(k) != v}
    new_data = {**data, **step.inputs}
    payload: dict[str, Any] = {"inputs": dict(step.inputs), "changes": changes}
    if step.reason:
        payload["reason"] = step.reason
    now = datetime.now(UTC)
    salt = secrets.token_hex(16)
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256((salt + canonical).encode()).hexdigest()
    seq += 1
    chained = f"{case_id}|{seq}|{now.isoformat()}|{ACTOR.id}|{step.trigger}|{digest}|{head}"
    entry_hash = hashlib.sha256(chained.encode()).hexdigest()
    at = drv.ts(now)
    cur.execute(
        drv.sql(UPDATE_CASE),
        (step.to_state, at, seq, entry_hash, drv.js(new_data), case_id, version),
    )
    if cur.rowcount != 1:
        raise RuntimeError(f"case {case_id} changed under us")
    cur.execute(
        drv.sql(INSERT_HISTORY),
        (
            case_id,
            seq,
            at,
            ACTOR.id,
            ACTOR.role,
            "transition",
            step.trigger,
            state,
            step.to_state,
            row[S_WORKFLOW],
            row[S_VERSION_WF],
            None,
            drv.js(payload),
            salt,
            digest,
            head,
            entry_hash,
            case_id,
        ),
    )
    drv.commit()
    return step.to_state


def service_transition(
    container: Container, case_id: int, scenario: Scenario, state: str, i: int
) -> str:
    """One transition through the service layer: one FireTrigger, one unit of work."""
    step = scenario.step(state, i)
    fired = container.cases.fire(
        FireTrigger(case_id, step.trigger, step.inputs, reason=step.reason), ACTOR
    )
    return fired.case.state


@dataclass
class RoundRobin:
    """Cycles over the cases, remembering each one's state for the service path."""

    ids: list[int]
    states: list[str]
    i: int = 0

    def next(self) -> tuple[int, int]:
        """Return (position, case id) of the next case, and advance."""
        pos = self.i % len(self.ids)
        self.i += 1
        return pos, self.ids[pos]


@dataclass
class Rate:
    """Transactions counted over a wall-clock and a CPU time."""

    count: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def add(self, other: Rate) -> None:
        """Accumulate another measurement."""
        self.count += other.count
        self.wall += other.wall
        self.cpu += other.cpu

    @property
    def per_second(self) -> float:
        """Transactions per wall-clock second."""
        return self.count / self.wall if self.wall else 0.0

    @property
    def wall_us(self) -> float:
        """Wall-clock microseconds per transaction."""
        return 1e6 * self.wall / self.count if self.count else 0.0

    @property
    def cpu_us(self) -> float:
        """This process's CPU microseconds per transaction."""
        return 1e6 * self.cpu / self.count if self.count else 0.0


def timed(seconds: float, one: Callable[[], None], warmup: int = 0) -> Rate:
    """Run `one` repeatedly for `seconds` (after `warmup` untimed calls)."""
    for _ in range(warmup):
        one()
    count, clock = 0, time.perf_counter
    cpu0, start = time.process_time(), clock()
    deadline = start + seconds
    while clock() < deadline:
        one()
        count += 1
    return Rate(count, clock() - start, time.process_time() - cpu0)


@dataclass
class Result:
    """One row of the throughput table."""

    scenario: str
    backend: str
    hand: Rate = field(default_factory=Rate)
    service: Rate = field(default_factory=Rate)

    @property
    def ratio(self) -> float:
        """Service rate as a fraction of the hand-written rate."""
        return self.service.per_second / self.hand.per_second if self.hand.count else 0.0


def measure(
    container: Container, drv: Driver, scenario: Scenario, rr: RoundRobin, seconds: float
) -> Result:
    """Alternate hand-written and service quarters on the same cases; return both rates."""
    result = Result(scenario.title, drv.name)

    def hand() -> None:
        pos, case_id = rr.next()
        rr.states[pos] = hand_transition(drv, case_id, scenario, rr.i)

    def service() -> None:
        pos, case_id = rr.next()
        rr.states[pos] = service_transition(container, case_id, scenario, rr.states[pos], rr.i)

    for round_ in range(2):
        warmup = WARMUP if round_ == 0 else 0
        result.hand.add(timed(seconds / 4, hand, warmup))
        result.service.add(timed(seconds / 4, service, warmup))
    return result


# --------------------------------------------------------------------------- backends


@dataclass(frozen=True)
class Workflows:
    """The directory the bench loads workflows from, and the scenarios it can run."""

    directory: Path
    scenarios: tuple[Scenario, ...]


def write_workflows(tmp: Path) -> Workflows:
    """Copy the shipped workflows (with their templates) and add the bench workflow.

    If the shipped workflows do not load, say why and carry on with the bench workflow alone.
    """
    full = tmp / "workflows"
    shutil.copytree(ROOT / "workflows", full)
    (full / "bench_ping_pong.v1.yaml").write_text(BENCH_WORKFLOW, encoding="utf-8")
    try:
        load_registry(full)
    except WorkflowInvalid as exc:
        print(f"warning: the shipped workflows do not load, report_incident skipped: {exc}"[:400])
        alone = tmp / "bench-workflow"
        alone.mkdir()
        (alone / "bench_ping_pong.v1.yaml").write_text(BENCH_WORKFLOW, encoding="utf-8")
        return Workflows(alone, (PING_PONG,))
    return Workflows(full, (PING_PONG, INCIDENT))


def make_container(url: str, workflows: Path) -> Container:
    """Wire the application on a database exactly as an entry point does."""
    settings = Settings(database_url=url, workflows_dir=workflows)
    return bootstrap(settings, registry=load_registry(workflows), clock=SystemClock())


def run_backend(url: str, drv: Driver, wfs: Workflows, args: argparse.Namespace) -> list[Result]:
    """Seed each scenario's cases in the migrated database; measure both paths on each."""
    container = make_container(url, wfs.directory)
    results = []
    try:
        person = seed_directory(drv)
        for scenario in wfs.scenarios:
            ids = seed_cases(drv, scenario, person, args.cases)
            rr = RoundRobin(ids, [scenario.state] * len(ids))
            results.append(measure(container, drv, scenario, rr, args.seconds))
            print_result(results[-1])
        if args.profile and drv.name == "sqlite":
            profile_service(container, drv, args)
    finally:
        container.close()
        drv.close()
    return results


def migrated(url: str) -> str:
    """Bring a database to the latest schema with the project's own migrations."""
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return url


def run_sqlite(tmp: Path, wfs: Workflows, args: argparse.Namespace) -> list[Result]:
    """Throughput on a fresh SQLite file."""
    path = tmp / "bench.sqlite3"
    return run_backend(migrated(f"sqlite:///{path}"), SqliteDriver(path), wfs, args)


@contextmanager
def throwaway_pg(admin: str) -> Iterator[str]:
    """Create a PostgreSQL database for this run and drop it at the end."""
    name = f"ipm_bench_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name))
            )


def pg_problem(admin: str) -> str | None:
    """Return why PostgreSQL cannot be used, or None."""
    try:
        with psycopg.connect(admin, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def run_postgres(wfs: Workflows, args: argparse.Namespace) -> list[Result]:
    """Throughput on a throw-away PostgreSQL database, or nothing if none is reachable."""
    problem = pg_problem(args.pg_admin)
    if problem:
        print(f"\nPostgreSQL skipped: not reachable at {args.pg_admin} ({problem})")
        return []
    with throwaway_pg(args.pg_admin) as url:
        return run_backend(migrated(url), PgDriver(url), wfs, args)


# --------------------------------------------------------------------------- memory


def vm_rss_kib() -> int:
    """Return this process's resident set size in KiB (Linux /proc/self/status)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True)
class MemoryPoint:
    """Memory after touching a number of cases."""

    cases: int
    rss_kib: int
    blocks: int
    traced_kib: float
    traced_over: int
    rate: float | None


def checkpoints(limit: int) -> list[int]:
    """Return the numbers of cases at which memory is read."""
    points = [c for c in MEMORY_CHECKPOINTS if c < limit]
    return [*points, limit]


def run_memory(
    tmp: Path, workflows: Path, limit: int, window: int
) -> tuple[tuple[int, int], list[MemoryPoint]]:
    """Fire `ping` once on each of `limit` cases in turn; read memory at each checkpoint.

    tracemalloc slows the service path about fourfold, so by default it traces only the last
    `window` transitions before each checkpoint: its "current" figure is then what those
    transitions left allocated. With window 0 it traces the whole run from the first case.
    """
    path = tmp / "memory.sqlite3"
    url = migrated(f"sqlite:///{path}")
    drv = SqliteDriver(path)
    person = seed_directory(drv)
    warm = seed_cases(drv, PING_PONG, person, WARMUP)
    started = time.perf_counter()
    ids = seed_cases(drv, PING_PONG, person, limit)
    print(f"  seeded {limit:,} cases with one executemany in {time.perf_counter() - started:.1f} s")
    drv.close()
    container = make_container(url, workflows)

    def ping(case_ids: list[int]) -> float:
        begun = time.perf_counter()
        for case_id in case_ids:
            container.cases.fire(FireTrigger(case_id, "ping"), ACTOR)
        return time.perf_counter() - begun

    try:
        ping(warm)
        gc.collect()
        before = (vm_rss_kib(), sys.getallocatedblocks())
        print(
            f"  before the first case (after {WARMUP} warm-up transitions): VmRSS "
            f"{before[0] / 1024:.1f} MiB, {before[1]:,} Python heap blocks"
        )
        print(MEMORY_HEADER)
        points: list[MemoryPoint] = []
        done = 0
        if window == 0:
            tracemalloc.start()
        for target in checkpoints(limit):
            traced = target - done if window == 0 else min(window, target - done)
            untraced = target - done - traced
            elapsed = ping(ids[done : done + untraced]) if window else 0.0
            if window:
                tracemalloc.start()
            ping(ids[done + untraced : target])
            gc.collect()
            current = tracemalloc.get_traced_memory()[0]
            if window:
                tracemalloc.stop()
            traced_over = traced if window else target
            rate = untraced / elapsed if untraced else None
            done = target
            point = MemoryPoint(
                done, vm_rss_kib(), sys.getallocatedblocks(), current / 1024, traced_over, rate
            )
            points.append(point)
            print_memory_point(before[0], point)
        tracemalloc.stop()
    finally:
        container.close()
    return before, points


# --------------------------------------------------------------------------- profile


def profile_service(container: Container, drv: Driver, args: argparse.Namespace) -> None:
    """cProfile the service path on fresh ping/pong cases; print the top cumulative entries."""
    ids = seed_cases(drv, PING_PONG, seed_directory(drv), args.cases)
    rr = RoundRobin(ids, ["A"] * len(ids))

    def service() -> None:
        pos, case_id = rr.next()
        rr.states[pos] = service_transition(container, case_id, PING_PONG, rr.states[pos], rr.i)

    timed(0, service, WARMUP)
    profiler = cProfile.Profile()
    profiler.enable()
    rate = timed(args.seconds, service)
    profiler.disable()
    print(
        f"\ncProfile of the service path, SQLite ping/pong: {rate.count:,} transitions "
        f"({rate.per_second:,.0f}/s under the profiler); top 25 by cumulative time"
    )
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    print("top 15 by own time")
    stats.sort_stats("tottime").print_stats(15)


# --------------------------------------------------------------------------- printing

HEADER = (
    f"{'scenario':<36} {'backend':<10} {'path':<12} {'transitions':>11} {'tx/s':>8} "
    f"{'wall µs/tx':>10} {'CPU µs/tx':>10} {'service/hand':>12}"
)


def print_result(r: Result) -> None:
    """Print the two rows of one measurement."""
    for path, rate in (("hand SQL", r.hand), ("service", r.service)):
        ratio = f"{r.ratio:.2f}" if path == "service" else ""
        print(
            f"{r.scenario:<36} {r.backend:<10} {path:<12} {rate.count:>11,} "
            f"{rate.per_second:>8,.0f} {rate.wall_us:>10,.0f} {rate.cpu_us:>10,.0f} {ratio:>12}"
        )


MEMORY_HEADER = (
    f"  {'cases touched':>13}  {'VmRSS MiB':>9}  {'Δ MiB':>6}  {'heap blocks':>11}  "
    f"{'tracemalloc current':>19}  {'traced over':>18}  {'untraced tx/s':>13}"
)


def print_memory_point(before: int, p: MemoryPoint) -> None:
    """Print one memory row."""
    rate = f"{p.rate:,.0f}" if p.rate is not None else "—"
    print(
        f"  {p.cases:>13,}  {p.rss_kib / 1024:>9.1f}  {(p.rss_kib - before) / 1024:>+6.1f}  "
        f"{p.blocks:>11,}  {p.traced_kib:>15.1f} KiB  {p.traced_over:>6,} transitions  "
        f"{rate:>13}"
    )


def print_machine() -> None:
    """Print what the figures were measured on."""
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"ipm-workflow engine benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    print(f"machine: nproc={usable} ({cpu}), {platform.system()} {platform.release()}")
    print(
        f"python {platform.python_version()} ({sys.implementation.name}), "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"psycopg {psycopg.__version__}"
    )
    print(f"source: {git_revision()}; load average {load_average()}")


def git_revision() -> str:
    """Return the checked-out commit, read from .git without running git.

    In a worktree `.git` is a file naming the worktree's own directory (HEAD), whose
    `commondir` holds the refs.
    """
    git = ROOT / ".git"
    try:
        if git.is_file():
            git = Path(git.read_text(encoding="ascii").strip().removeprefix("gitdir: "))
        common = git
        if (git / "commondir").exists():
            common = git / (git / "commondir").read_text(encoding="ascii").strip()
        head = (git / "HEAD").read_text(encoding="ascii").strip()
        if not head.startswith("ref: "):
            return f"commit {head[:12]}"
        ref = head.removeprefix("ref: ")
        if (common / ref).exists():
            return f"commit {(common / ref).read_text(encoding='ascii').strip()[:12]} ({ref})"
        for line in (common / "packed-refs").read_text(encoding="ascii").splitlines():
            if line.endswith(f" {ref}"):
                return f"commit {line[:12]} ({ref})"
    except OSError:
        pass
    return "commit unknown"


def load_average() -> str:
    """Return the 1, 5 and 15-minute load averages (other work skews the figures)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"


def summary(
    results: Iterable[Result], memory: tuple[tuple[int, int], list[MemoryPoint]] | None
) -> str:
    """Return the one-line verdict."""
    parts = [
        f"{r.backend} {r.scenario.split(' ')[0]} {r.service.per_second:,.0f} tx/s = "
        f"{r.ratio:.2f}x hand SQL"
        for r in results
    ]
    core = [r.ratio for r in results if r.scenario == PING_PONG.title]
    verdict = "goal ≥ 0.5 met" if core and min(core) >= 0.5 else "goal ≥ 0.5 NOT met"
    line = f"SUMMARY: {'; '.join(parts)} ({verdict} on ping/pong)"
    if memory and memory[1]:
        (rss0, _), points = memory
        rss = " / ".join(f"{p.rss_kib / 1024:.1f}" for p in points)
        cases = " / ".join(f"{p.cases:,}" for p in points)
        line += (
            f"; memory: VmRSS {rss} MiB after {cases} cases "
            f"({(points[-1].rss_kib - rss0) / 1024:+.1f} MiB over the whole run)"
        )
    return line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--cases",
        type=int,
        default=1_000,
        help="cases the throughput runs cycle over (default 1000)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=5.0,
        help="seconds per throughput measurement (one scenario on one database), shared by "
        "the hand-written and the service paths (default 5)",
    )
    parser.add_argument(
        "--memory-cases",
        type=int,
        default=100_000,
        help="cases touched by the memory run; 0 skips it (default 100000)",
    )
    parser.add_argument(
        "--trace-window",
        type=int,
        default=500,
        help="transitions traced by tracemalloc before each memory checkpoint; "
        "0 traces the whole memory run (about 4x slower) (default 500)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--pg-admin",
        default=PG_ADMIN,
        help="PostgreSQL URL used to create and drop the throw-away database",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the service path on SQLite and print the hotspots",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the figures."""
    args = parse_args(argv)
    # Production logs at INFO would add one rendered line per transition; measure the engine.
    configure_logging("json", "WARNING")
    print_machine()
    print(
        f"settings: {args.cases:,} cases round-robin, single client, one command = one "
        f"transaction; {args.seconds:g} s per measurement, shared by the hand-written and the "
        f"service paths in alternated quarters after {WARMUP} warm-up transitions each\n"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ipm-bench-") as name:
        tmp = Path(name)
        wfs = write_workflows(tmp)
        print(HEADER)
        results = run_sqlite(tmp, wfs, args)
        if args.sqlite_only:
            print("\nPostgreSQL skipped (--sqlite-only)")
        else:
            results += run_postgres(wfs, args)
        memory = None
        if args.memory_cases > 0:
            print("\nMemory (SQLite), one `ping` through CaseService.fire on each case in turn:")
            memory = run_memory(tmp, wfs.directory, args.memory_cases, args.trace_window)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s; load average {load_average()}")
    print(summary(results, memory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
