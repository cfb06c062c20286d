"""Reminder benchmark: e-mails delivered per second by worker processes, and the claim rate.

Run as `.venv/bin/python bench/reminders.py [--reminders N] [--claims N] [--batch B]
[--concurrency C] [--timeout S] [--sqlite-only | --postgres-only]`. It prints:

1. reminders delivered per second to a local SMTP sink (aiosmtpd in this process, accepting and
   counting) by one and by two `ipm-workflow worker` processes on a throw-away PostgreSQL
   database, and by one worker on a fresh SQLite file. Each run seeds N due e-mail reminders
   (rows inserted with SQL on cases opened through the service layer), starts the workers and
   stops the clock at the N-th accepted e-mail; the rate is given overall (process start-up
   included) and steady (first to last e-mail), with the duplicates seen (there should be none);
2. reminders claimed per second through `DeliveryService.claim` (the repository: SELECT … FOR
   UPDATE SKIP LOCKED LIMIT n, UPDATE, SELECT, one transaction per batch) next to a hand-written
   claim loop with the raw driver (one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED
   LIMIT n) RETURNING *` per batch; without SKIP LOCKED on SQLite) on the same rows, in
   alternated rounds, and the service rate as a ratio of the hand-written one.

Throw-away databases are dropped at the end; each delivery run is cut at --timeout seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import structlog
from aiosmtpd.controller import Controller
from sqlalchemy import delete, insert, update

from ipm_workflow.adapters.clock import SystemClock
from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.reminder_store import attempts_t, reminders_t
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.people import MissionLocale, Person
from ipm_workflow.services.commands import Actor, OpenCase

PG_ADMIN = os.environ.get("IPM_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKER = Path(sys.executable).with_name("ipm-workflow")
WORKFLOW = "erasmus_vet_long"
CASES = 50
HAND_CLAIM = (
    "UPDATE reminders SET status = 'sending', claimed_by = {p}, lease_until = {p}, "
    "attempts = attempts + 1, updated_at = {p} WHERE id IN (SELECT id FROM reminders "
    "WHERE (status IN ('planned', 'retry') AND next_attempt_at <= {p}) "
    "OR (status = 'sending' AND lease_until < {p}) ORDER BY next_attempt_at LIMIT {p}{lock}) "
    "RETURNING *"
)


# --------------------------------------------------------------------------- the SMTP sink


class Sink:
    """aiosmtpd accepting every e-mail and counting Message-IDs, with arrival times."""

    def __init__(self) -> None:
        self.seen: dict[bytes, int] = {}
        self.first: float | None = None
        self.last: float | None = None
        self.controller: Controller | None = None

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        """Count the message by its Message-ID header."""
        content: bytes = envelope.content
        start = content.find(b"Message-ID: ")
        key = content[start : content.find(b"\r\n", start)] if start >= 0 else content
        self.seen[key] = self.seen.get(key, 0) + 1
        now = time.perf_counter()
        self.first = self.first or now
        self.last = now
        return "250 OK"

    @property
    def accepted(self) -> int:
        """E-mails accepted so far, duplicates included."""
        return sum(self.seen.values())

    def reset(self) -> None:
        """Forget what was counted."""
        self.seen, self.first, self.last = {}, None, None

    def start(self) -> int:
        """Listen on a free port and return it."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=port, server_hostname="bench")
        self.controller.start()
        return port

    def stop(self) -> None:
        """Stop listening."""
        if self.controller is not None:
            self.controller.stop()


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """Create a migrated throw-away PostgreSQL database, dropped on exit."""
    name = f"ipm_bench_rem_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        engine = create_db_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def sqlite_database(tmp: Path) -> Iterator[str]:
    """Create a migrated SQLite file."""
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url


@dataclass
class Bench:
    """One database with its container, cases and workflow directory."""

    url: str
    container: Container
    cases: list[int]
    workflows: Path

    @property
    def backend(self) -> str:
        """postgresql or sqlite."""
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    def seed(self, count: int) -> None:
        """Replace every reminder with `count` e-mails to the advisor, due a day ago."""
        due = datetime.now(UTC) - timedelta(days=1)
        rows = [
            {
                "case_id": self.cases[i % len(self.cases)],
                "rule_id": "first_contact_overdue",
                "kind": "reminder",
                "occurrence": i // len(self.cases),
                "recipient": "advisor",
                "template": "first_contact_overdue",
                "anchor_at": due,
                "due_at": due,
                "next_attempt_at": due,
                "status": "planned",
                "attempts": 0,
                "created_at": due,
                "updated_at": due,
            }
            for i in range(count)
        ]
        with self.container.engine.begin() as conn:
            conn.execute(delete(attempts_t))
            conn.execute(delete(reminders_t))
            conn.execute(insert(reminders_t), rows)

    def requeue(self) -> None:
        """Put every reminder back in the queue, as if never claimed."""
        with self.container.engine.begin() as conn:
            conn.execute(
                update(reminders_t).values(
                    status="planned", claimed_by=None, lease_until=None, attempts=0
                )
            )


def open_bench(url: str, workflows: Path, batch: int) -> Bench:
    """Wire the application on a database and open the cases the reminders belong to."""
    settings = Settings(database_url=url, workflows_dir=workflows, worker_batch=batch)
    container = bootstrap(settings, clock=SystemClock())
    container.people.add_mission_locale(MissionLocale("ml-b", "Mission locale (bench)", "42"))
    advisor = container.people.add_user(
        "bench.advisor", "Bench Advisor", "advisor", ["ml-b"], email="advisor@bench.example"
    )
    actor = Actor.of(advisor)
    cases = []
    for i in range(CASES):
        person = Person(None, "Bench", f"Person {i}", date(2005, 6, 15), email="yp@bench.example")
        person_id = container.people.register(person, actor).person.id
        assert person_id is not None  # noqa: S101 - just registered
        opening = {"cv_attached": True, "privacy_notice_given": True}
        case = container.cases.open_case(
            OpenCase(person_id, WORKFLOW, "ml-b", advisor.id, opening), actor
        )
        assert case.id is not None  # noqa: S101 - just opened
        cases.append(case.id)
    return Bench(url, container, cases, workflows)


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Delivery:
    """One delivery run."""

    label: str
    count: int
    delivered: int
    duplicates: int
    seconds: float
    startup: float
    steady: float

    def line(self) -> str:
        """Format the run."""
        cut = "" if self.delivered >= self.count else f" (cut: {self.delivered} delivered)"
        return (
            f"  {self.label:<24} {self.count:>6} in {self.seconds:6.1f} s "
            f"(first e-mail after {self.startup:4.1f} s) -> {self.delivered / self.seconds:7.1f}/s "
            f"overall, {self.steady:7.1f}/s steady, duplicates {self.duplicates}{cut}"
        )


def deliver(
    bench: Bench, sink: Sink, port: int, workers: int, args: argparse.Namespace
) -> Delivery:
    """Seed due reminders, start worker processes, time them to the last accepted e-mail."""
    bench.seed(args.reminders)
    sink.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    env |= {
        "IPM_DATABASE_URL": bench.url,
        "IPM_WORKFLOWS_DIR": str(bench.workflows),
        "IPM_SMTP_HOST": "127.0.0.1",
        "IPM_SMTP_PORT": str(port),
        "IPM_WORKER_POLL_SECONDS": "0.2",
        "IPM_WORKER_BATCH": str(args.batch),
        "IPM_WORKER_CONCURRENCY": str(args.concurrency),
        "IPM_QUIET_HOURS_START": "00:00",
        "IPM_QUIET_HOURS_END": "00:00",
        "IPM_LOG_LEVEL": "ERROR",
    }
    began = time.perf_counter()
    processes = [
        subprocess.Popen(  # noqa: S603 - our own console script
            [str(WORKER), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    deadline = began + args.timeout
    try:
        while len(sink.seen) < args.reminders and time.perf_counter() < deadline:
            time.sleep(0.02)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    end = sink.last or time.perf_counter()
    first = sink.first or end
    delivered = len(sink.seen)
    label = f"{bench.backend}, {workers} worker{'s' if workers > 1 else ''}"
    return Delivery(
        label,
        args.reminders,
        delivered,
        sink.accepted - delivered,
        end - began,
        first - began,
        (delivered - 1) / (end - first) if end > first else 0.0,
    )


# --------------------------------------------------------------------------- claims


def _timed(action: Callable[[], int]) -> tuple[int, float]:
    began = time.perf_counter()
    claimed = action()
    return claimed, time.perf_counter() - began


def claim_service(bench: Bench) -> int:
    """Claim everything due through DeliveryService.claim, batch after batch."""
    total = 0
    while batch := bench.container.delivery.claim("bench-service"):
        total += len(batch)
    return total


def claim_by_hand(bench: Bench, batch: int) -> int:
    """Claim everything due with the raw driver, one UPDATE … RETURNING per batch."""
    lease = timedelta(minutes=5)
    total = 0
    if bench.backend == "postgresql":
        sql = HAND_CLAIM.format(p="%s", lock=" FOR UPDATE SKIP LOCKED")
        with psycopg.connect(bench.url) as conn:
            while True:
                now = datetime.now(UTC)
                rows = conn.execute(
                    sql, ("bench-hand", now + lease, now, now, now, batch)
                ).fetchall()
                conn.commit()
                if not rows:
                    return total
                total += len(rows)
    path = bench.url.removeprefix("sqlite:///")
    sql = HAND_CLAIM.format(p="?", lock="")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        while True:
            now = datetime.now(UTC)
            conn.execute("BEGIN IMMEDIATE")
            rows = conn.execute(
                sql, ("bench-hand", stamp(now + lease), stamp(now), stamp(now), stamp(now), batch)
            ).fetchall()
            conn.execute("COMMIT")
            if not rows:
                return total
            total += len(rows)
    finally:
        conn.close()


def stamp(moment: datetime) -> str:
    """SQLAlchemy stores SQLite timestamps as naive UTC text with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def claims(bench: Bench, args: argparse.Namespace) -> str:
    """Claim rate of the service against the hand-written loop, alternated over two rounds."""
    bench.seed(args.claims)
    spent = {"service": 0.0, "hand": 0.0}
    claimed = {"service": 0, "hand": 0}
    for _ in range(2):
        for name, action in (
            ("hand", lambda: claim_by_hand(bench, args.batch)),
            ("service", lambda: claim_service(bench)),
        ):
            bench.requeue()
            count, seconds = _timed(action)
            claimed[name] += count
            spent[name] += seconds
    service = claimed["service"] / spent["service"]
    hand = claimed["hand"] / spent["hand"]
    return (
        f"  {bench.backend:<11} DeliveryService.claim {service:9,.0f}/s   "
        f"hand-written SQL {hand:9,.0f}/s   ratio {service / hand:4.2f}"
    )


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reminders", type=int, default=1500, help="due e-mails per run")
    parser.add_argument("--claims", type=int, default=20_000, help="rows for the claim race")
    parser.add_argument("--batch", type=int, default=100, help="claim batch (IPM_WORKER_BATCH)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="deliveries in flight per worker"
    )
    parser.add_argument("--timeout", type=float, default=40.0, help="cut a delivery run (s)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    only.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    args = parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    load = os.getloadavg()[0]
    print(
        f"reminders bench: {args.reminders} due e-mails per delivery run, batch {args.batch}, "
        f"concurrency {args.concurrency} per worker; {os.cpu_count()} CPUs, load {load:.1f}"
    )
    sink = Sink()
    port = sink.start()
    deliveries: list[Delivery] = []
    claim_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ipm-bench-") as raw:
        tmp = Path(raw)
        workflows = tmp / "workflows"
        workflows.mkdir()
        shutil.copy(ROOT / "workflows" / f"{WORKFLOW}.v1.yaml", workflows)
        shutil.copytree(ROOT / "workflows" / "templates", workflows / "templates")
        print("delivery to a local SMTP sink (aiosmtpd), from the workers' start:")
        if not args.sqlite_only:
            with postgres_database() as url:
                bench = open_bench(url, workflows, args.batch)
                for workers in (1, 2):
                    deliveries.append(deliver(bench, sink, port, workers, args))
                    print(deliveries[-1].line(), flush=True)
                claim_lines.append(claims(bench, args))
                bench.container.close()
        if not args.postgres_only:
            with sqlite_database(tmp) as url:
                bench = open_bench(url, workflows, args.batch)
                deliveries.append(deliver(bench, sink, port, 1, args))
                print(deliveries[-1].line(), flush=True)
                claim_lines.append(claims(bench, args))
                bench.container.close()
    sink.stop()
    print(f"claim rate ({args.claims} due rows, batch {args.batch}, two alternated rounds):")
    for line in claim_lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
