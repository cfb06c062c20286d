"""Two `ipm-workflow serve` processes and two `ipm-workflow worker` processes on one PostgreSQL.

A whole journey is walked over HTTP with requests alternating between the two servers; the
reminders it makes due are delivered by the two workers through a real SMTP server, each
exactly once; the system's own timeout (start of the preparation) is fired by a worker.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from test_server import Server

from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.reminder_store import reminders_t
from journey import CHECKLIST, HOST, OPENING, PARIS, YP_EMAIL, ApiJourney
from journey.fixtures import empty_database
from journey.servers import free_port, ipm, launch, stop, wait_for
from reminders.reminder_sinks import SmtpSink

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


class Alternating:
    """An HTTP client that sends each request to the next server in turn."""

    def __init__(self, urls: list[str]) -> None:
        self.clients = [httpx.Client(base_url=url, timeout=60) for url in urls]
        self._next = itertools.cycle(self.clients)
        self.served_by: list[str] = []

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """Send one request to the next server."""
        client = next(self._next)
        self.served_by.append(str(client.base_url))
        return client.request(method, url, **kw)

    def close(self) -> None:
        """Close every connection."""
        for client in self.clients:
            client.close()


@pytest.fixture
def pg_empty(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """The run's PostgreSQL database, migrated and emptied."""
    return empty_database(request, "postgres", tmp_path, sqlite_template)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free port."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def env(pg_empty: str, smtp: SmtpSink) -> dict[str, str]:
    """The environment of every process: one database, the SMTP sink, no quiet hours."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IPM_")}
    return clean | {
        "IPM_DATABASE_URL": pg_empty,
        "IPM_LOG_FORMAT": "json",
        "IPM_LOG_LEVEL": "WARNING",
        "IPM_SMTP_HOST": "127.0.0.1",
        "IPM_SMTP_PORT": str(smtp.port),
        "IPM_WORKER_POLL_SECONDS": "0.3",
        # Real clock in every process: no quiet hours, whatever the time of the run.
        "IPM_QUIET_HOURS_START": "00:00",
        "IPM_QUIET_HOURS_END": "00:00",
    }


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run `ipm-workflow <args>`; return its standard output."""
    return ipm(*args, env=env).stdout


@pytest.fixture
def cluster(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[list[Server], list[Path]]]:
    """An advisor and their token; two servers (no embedded worker) and two workers started."""
    run_cli(env, "ml", "add", "ml-a", "Mission locale A")
    run_cli(env, "users", "add", "advisor.a", "--name", "Advisor A", "--role", "advisor",
            "--ml", "ml-a")  # fmt: skip
    token = run_cli(env, "tokens", "create", "advisor.a", "--days", "1").strip()
    processes: list[subprocess.Popen[bytes]] = []
    servers: list[Server] = []
    worker_logs: list[Path] = []
    try:
        for n in (1, 2):
            port, log = free_port(), tmp_path / f"server{n}.log"
            command = ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
            processes.append(launch(*command, env=env, log=log))
            servers.append(Server(processes[-1], f"http://127.0.0.1:{port}", log, token))
        for n in (1, 2):
            worker_logs.append(tmp_path / f"worker{n}.log")
            processes.append(launch("worker", env=env, log=worker_logs[-1]))
        for server in servers:
            server.wait_ready()
        yield servers, worker_logs
    finally:
        for process in processes:
            stop(process)


def due_or_in_hand(url: str) -> int:
    """Reminders due now and not yet handled, or claimed and not yet recorded."""
    engine = create_db_engine(url)
    now = datetime.now(PARIS)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(reminders_t)
                    .where(
                        (reminders_t.c.status == "sending")
                        | (
                            reminders_t.c.status.in_(["planned", "retry"])
                            & (reminders_t.c.next_attempt_at <= now)
                        )
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


class TestTwoServersTwoWorkers:
    """The documented scale-out: several servers and several workers on one PostgreSQL."""

    def test_a_whole_journey_with_reminders_sent_once(
        self, cluster: tuple[list[Server], list[Path]], smtp: SmtpSink, pg_empty: str
    ) -> None:
        """Every step succeeds whichever server answers; each due reminder arrives once."""
        servers, worker_logs = cluster
        http = Alternating([s.url for s in servers])
        walker = ApiJourney(http, {"advisor_a": servers[0].token})
        try:
            today = datetime.now(PARIS).date()
            person = walker.person(email=YP_EMAIL)
            case_id = walker.open(person, OPENING)
            walker.fired(case_id, "log_first_contact", {"first_contact_date": today})
            walker.fired(
                case_id, "assess", {"programme": "erasmus_vet", "eligibility_checked": True}
            )
            walker.fired(case_id, "apply", {"duplicate_check_passed": True})
            walker.fired(
                case_id,
                "select",
                {"grant_project_code": "2026-1-FR01-KA121-VET-000001",
                 "grant_project_end": today + timedelta(days=700)},
            )  # fmt: skip
            # Departure tomorrow; arrival confirmed at once, return confirmed the same day.
            start, end = today + timedelta(days=1), today + timedelta(days=90)
            walker.fired(
                case_id, "match_host", {**HOST, "planned_start": start, "planned_end": end}
            )
            for name in ("grant_agreement", "learning_agreement"):
                walker.doc(case_id, name)
            walker.fired(case_id, "sign_contracts", {"signature_date": today})
            # The preparation opens on the system's timeout, fired by one of the workers.
            wait_for(lambda: walker.state(case_id) == "PREPARING", "the worker's timeout")
            for name in ("identity", "insurance", "ceam"):
                walker.doc(case_id, name, valid_until=end + timedelta(days=365))
            walker.set(case_id, **CHECKLIST)
            walker.fired(case_id, "confirm_ready")
            walker.fired(case_id, "confirm_arrival", {"actual_start": today})
            # Back the same day: the participant's report is requested by e-mail at once.
            walker.fired(case_id, "confirm_return", {"actual_end": today})
            wait_for(lambda: smtp.count() > 0, "the e-mail asking for the report")
            walker.set(case_id, ols_assessment_2_done=True, ml_report_sent=True)
            walker.doc(case_id, "europass")
            walker.fired(case_id, "debrief", {"debrief_date": today})
            # The follow-up opens on the system's timeout, fired by one of the workers.
            wait_for(lambda: walker.state(case_id) == "FOLLOW_UP", "the worker's timeout")
            wait_for(lambda: due_or_in_hand(pg_empty) == 0, "every due reminder handled")
            reminders = walker.reminders(case_id)
            history = walker.history(case_id)
        finally:
            http.close()

        expected_servers = {s.url for s in servers}
        assert expected_servers == set(http.served_by)
        expected_seq = list(range(1, len(history) + 1))
        assert expected_seq == [e["seq"] for e in history]
        system_moves = [e["trigger"] for e in history if e["actor"] == "system"]
        expected_moves = ["start_preparation", "start_follow_up"]
        assert expected_moves == system_moves, history
        # Each reminder recorded as sent arrived exactly once, under its own Message-ID.
        e_mails = [r for r in reminders if r["kind"] != "timeout"]
        sent = {r["message_id"] for r in e_mails if r["status"] == "sent"}
        received = smtp.message_ids()
        assert sent, [(r["rule_id"], r["status"], r["outcome"]) for r in e_mails]
        assert sent == set(received), (sent, received)
        assert {1} == set(received.values()), received
        # Both workers were there; neither crashed.
        outputs = [log.read_text(errors="replace") for log in worker_logs]
        assert all("Traceback" not in o for o in outputs), outputs
        for server in servers:
            assert "Traceback" not in server.output(), server.output()
        verified = run_cli({**os.environ, "IPM_DATABASE_URL": pg_empty}, "audit", "verify")
        assert " 0 broken" in verified, verified
