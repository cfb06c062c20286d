"""Real worker processes on a real SMTP server: a SIGKILL loses nothing, two workers share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from reminder_sinks import SmtpSink
from sqlalchemy import delete, func, insert, select, update

from ipm_workflow.adapters.db.reminder_store import attempts_t, reminders_t
from ipm_workflow.bootstrap import Container
from journey import Journey

pytestmark = pytest.mark.e2e

CONCURRENCY = 8
CASES = 25
WORKER = Path(sys.executable).with_name("ipm-workflow")
RETENTION_RULES = Path(__file__).parents[1] / "fixtures" / "retention" / "variant_b.yaml"


def _seed(container: Container, walker: Journey, count: int, *, held: bool = False) -> set[str]:
    """Make `count` e-mail reminders due long ago; return the Message-IDs they must carry.

    `held`: their next attempt is set years ahead, so that no worker claims them until
    `_release` makes them due (the workers' real clock is past the test clock's `now`).
    """
    cases = [walker.open(walker.person()) for _ in range(CASES)]
    now = container.clock.now()
    attempt = now + timedelta(days=2) if not held else now + timedelta(days=3650 * 3)
    rows = [
        {
            "case_id": cases[i % CASES],
            "rule_id": "first_contact_overdue",
            "kind": "reminder",
            "occurrence": i // CASES,
            "recipient": "advisor",
            "template": "first_contact_overdue",
            "anchor_at": now,
            "due_at": now + timedelta(days=2),
            "next_attempt_at": attempt,
            "status": "planned",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with container.engine.begin() as conn:
        conn.execute(delete(reminders_t))
        conn.execute(insert(reminders_t), rows)
        ids = conn.execute(select(reminders_t.c.id)).scalars().all()
    return {f"<reminder-{i}@ipm-workflow.example.org>" for i in ids}


def _release(container: Container) -> None:
    """Make every held reminder due (its next attempt at its due time, long past)."""
    with container.engine.begin() as conn:
        conn.execute(update(reminders_t).values(next_attempt_at=reminders_t.c.due_at))


def _unsent(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(reminders_t).where(reminders_t.c.status != "sent")
            ).scalar_one()
        )


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """`ipm-workflow worker` as a child process, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> WorkerProcess:
        """Start the worker."""
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(WORKER), "worker"],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.log_path.parent,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    @property
    def started(self) -> bool:
        """Whether the worker logged that it is ticking (needs the INFO log level)."""
        return b"worker_started" in self.log_path.read_bytes() if self.log_path.exists() else False

    @property
    def exited(self) -> bool:
        """Whether the process is gone."""
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> int:
        """SIGTERM, as an operator would; return the exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        if self._log is not None:
            self._log.close()
        return code


@pytest.fixture
def workers(
    db_url: str, workflows_dir: Path, smtp: SmtpSink, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes on the test database and the SMTP sink; all stopped at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    env |= {
        "IPM_DATABASE_URL": db_url,
        "IPM_WORKFLOWS_DIR": str(workflows_dir),
        # Rules naming only the programme of that directory (the shipped ones name all four).
        "IPM_RETENTION_FILE": str(RETENTION_RULES),
        "IPM_SMTP_HOST": "127.0.0.1",
        "IPM_SMTP_PORT": str(smtp.port),
        "IPM_WORKER_POLL_SECONDS": "0.2",
        "IPM_WORKER_CONCURRENCY": str(CONCURRENCY),
        # The worker runs on the real clock: no quiet hours, whatever the time of the run.
        "IPM_QUIET_HOURS_START": "00:00",
        "IPM_QUIET_HOURS_END": "00:00",
        "IPM_LOG_LEVEL": "WARNING",
    }
    started: list[WorkerProcess] = []

    def start(name: str, lease_seconds: int = 300, log_level: str = "WARNING") -> WorkerProcess:
        own = {"IPM_WORKER_LEASE_SECONDS": str(lease_seconds), "IPM_LOG_LEVEL": log_level}
        process = WorkerProcess(env | own, tmp_path / f"{name}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


class TestKilledWorker:
    """A worker killed with SIGKILL in the middle of 1,000 e-mails, then restarted."""

    def test_a_restarted_worker_delivers_everything(
        self,
        container: Container,
        walker: Journey,
        smtp: SmtpSink,
        workers: Callable[..., WorkerProcess],
        record_property: Callable[[str, Any], None],
    ) -> None:
        """Every Message-ID arrives; re-sends are at most the messages in flight at the kill."""
        expected_ids = _seed(container, walker, 1_000)
        # A short lease, so that the restarted worker takes over the killed one's claims soon.
        first = workers("killed", lease_seconds=2)

        def kill_on_300th(count: int) -> None:
            # The 300th e-mail is in the server's hands, the worker never hears the 250 reply.
            if count == 300:
                first.kill()

        smtp.on_accept = kill_on_300th
        _wait(lambda: first.exited, 300, "the kill at the 300th e-mail")
        smtp.on_accept = None
        at_kill = smtp.count()
        workers("restarted", lease_seconds=2)
        _wait(lambda: _unsent(container) == 0, 600, "every reminder recorded as sent")

        received = smtp.message_ids()
        duplicates = {mid: n for mid, n in received.items() if n > 1}
        resends = sum(n - 1 for n in duplicates.values())
        record_property("resends", resends)
        print(f"SIGKILL at e-mail {at_kill}: {resends} re-sent, {sorted(duplicates)}")
        assert expected_ids == set(received)
        assert 1 <= resends <= CONCURRENCY
        with container.engine.connect() as conn:
            resent = set(
                conn.execute(select(reminders_t.c.message_id).where(reminders_t.c.attempts > 1))
                .scalars()
                .all()
            )
        assert set(duplicates) <= resent


class TestTwoWorkers:
    """Two worker processes on one PostgreSQL share 5,000 due reminders."""

    def test_none_missing_none_twice(
        self,
        container: Container,
        walker: Journey,
        smtp: SmtpSink,
        workers: Callable[..., WorkerProcess],
        db_url: str,
    ) -> None:
        """FOR UPDATE SKIP LOCKED gives each reminder to exactly one of the two workers."""
        if db_url.startswith("sqlite"):
            pytest.skip("several workers share a PostgreSQL database; SQLite has one writer")
        expected_ids = _seed(container, walker, 5_000, held=True)
        # Both workers ticking before anything is due: one alone could otherwise send all
        # 5,000 while the other is still starting (seen on a quiet machine), and the test
        # would not be about two workers at all.
        started = [workers("one", log_level="INFO"), workers("two", log_level="INFO")]
        _wait(lambda: all(w.started for w in started), 120, "both workers ticking")
        _release(container)
        _wait(lambda: _unsent(container) == 0, 600, "every reminder recorded as sent")

        received = smtp.message_ids()
        duplicates = {mid: n for mid, n in received.items() if n > 1}
        expected_duplicates: dict[str, int] = {}
        assert (expected_ids, expected_duplicates) == (set(received), duplicates)
        with container.engine.connect() as conn:
            shares = conn.execute(
                select(attempts_t.c.worker, func.count()).group_by(attempts_t.c.worker)
            ).all()
        expected_workers = 2
        assert expected_workers == len(shares)
