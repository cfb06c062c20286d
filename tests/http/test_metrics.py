"""GET /metrics: names and labels after a journey, and no metrics without the token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr, ValidationError

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.http.metrics import _from_allowed_network
from journey import CASES, ApiJourney
from journey.writers import another_process_writing

TOKEN = "scrape-secret-for-tests"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient[Litestar]) -> Samples:
    """Every sample of /metrics, by name and sorted labels."""
    response = client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def metered(
    db_url: str, clock: ManualClock, registry: WorkflowRegistry, **settings: Any
) -> Iterator[Container]:
    """A container with metrics behind the test token (`settings` add to them); closed after."""
    built = bootstrap(
        Settings(
            database_url=db_url,
            workflows_dir=ROOT / "workflows",
            log_format="json",
            metrics_token=SecretStr(TOKEN),
            **settings,
        ),
        clock=clock,
        registry=registry,
    )
    yield built
    built.close()


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when absent)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def wait_for(client: TestClient[Litestar], check: object, *, limit: float = 300.0) -> Samples:
    """Scrape until a condition on the samples holds (the worker ticks in the background)."""
    deadline = time.monotonic() + limit
    while True:
        samples = scrape(client)
        if check(samples) or time.monotonic() > deadline:  # type: ignore[operator]
            return samples
        time.sleep(0.1)


class TestMetrics:
    """Prometheus text format at /metrics, behind a token."""

    @pytest.fixture
    def container(
        self, db_url: str, clock: ManualClock, registry: WorkflowRegistry
    ) -> Iterator[Container]:
        """The application's container with metrics on (token) and a worker ticking quickly."""
        yield from metered(
            db_url,
            clock,
            registry,
            embedded_worker=True,
            worker_poll_seconds=0.2,
            smtp_port=9,  # nothing listens: deliveries fail fast and are retried later
        )

    def test_journey_shows_requests_transitions_reminders_worker_and_pool(
        self,
        api: ApiJourney,
        client: TestClient[Litestar],
        clock: ManualClock,
        container: Container,
    ) -> None:
        """After opening a case and firing a trigger, each family has its names and labels."""
        before = scrape(client)
        case = api.open_case()
        fired = api.fire(case["id"], "log_first_contact", {"first_contact_date": "2026-01-05"})
        assert fired.status_code == 200, fired.text
        assert fired.headers["x-request-id"]  # the request id survives the metrics middleware
        api.open_case()  # left in REFERRED, with its reminder
        with container.uow(readonly=True) as uow:
            next_due = uow.reminders.next_due()
        assert next_due is not None
        clock.set(next_due + timedelta(minutes=1))  # the journey's first reminder falls due
        samples = wait_for(
            client,
            lambda s: (
                value(s, "ipm_worker_claimed_reminders_total")
                > value(before, "ipm_worker_claimed_reminders_total")
            ),
        )
        transitions = ("ipm_transitions_total", "erasmus_vet_long", "log_first_contact")
        key = {"workflow": transitions[1], "trigger": transitions[2]}
        assert value(samples, transitions[0], **key) - value(before, transitions[0], **key) == 1.0
        route = {
            "app_name": "ipm_workflow",
            "method": "POST",
            "path": CASES + "/{case_id}/transitions",
            "status_code": "200",
        }
        assert value(samples, "ipm_http_requests_total", **route) >= 1
        assert value(samples, "ipm_http_request_duration_seconds_count", **route) >= 1
        assert value(samples, "ipm_worker_ticks_total") > value(before, "ipm_worker_ticks_total")
        statuses = {dict(labels)["status"] for name, labels in samples if name == "ipm_reminders"}
        assert statuses, "reminders by status"
        names = {name for name, _ in samples}
        expected = {
            "ipm_reminders_dead",
            "ipm_reminders_leases_expired",
            "ipm_reminders_oldest_due_age_seconds",
            "ipm_db_pool_in_use",
            "ipm_db_pool_size",
            "ipm_worker_leases_lost_total",
        }
        assert expected <= names

    def test_refused_without_the_token(self, client: TestClient[Litestar]) -> None:
        """No token or a wrong one: 401 problem, and no metric in the answer."""
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = client.get("/metrics", headers=headers)
            assert response.status_code == 401
            assert "ipm_" not in response.text
            assert response.headers["content-type"].startswith("application/problem+json")

    def test_user_tokens_do_not_open_metrics(
        self, client: TestClient[Litestar], tokens: dict[str, str]
    ) -> None:
        """An API token (even an admin's) is not the metrics token."""
        response = client.get("/metrics", headers={"Authorization": f"Bearer {tokens['admin']}"})
        assert response.status_code == 401


class TestReminderGauges:
    """Gauges computed from the database at scrape time."""

    @pytest.fixture
    def container(
        self, db_url: str, clock: ManualClock, registry: WorkflowRegistry
    ) -> Iterator[Container]:
        """Metrics on, no worker: the test claims and abandons reminders itself."""
        yield from metered(db_url, clock, registry)

    @pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
    def test_scrape_while_another_process_writes(
        self, api: ApiJourney, client: TestClient[Litestar], container: Container
    ) -> None:
        """The reminder of a new case is counted while another connection holds the lock."""
        api.open_case()  # in REFERRED, with its first reminder planned
        with another_process_writing(container):
            samples = scrape(client)
        assert value(samples, "ipm_reminders", status="planned") >= 1

    def test_oldest_due_age_and_expired_leases(
        self,
        api: ApiJourney,
        client: TestClient[Litestar],
        clock: ManualClock,
        container: Container,
    ) -> None:
        """A due reminder ages; one claimed by a worker that vanished shows as an expired lease."""
        api.open_case()
        assert value(scrape(client), "ipm_reminders_oldest_due_age_seconds") == 0.0
        with container.uow(readonly=True) as uow:
            next_due = uow.reminders.next_due()
        assert next_due is not None
        clock.set(next_due + timedelta(hours=1))
        assert value(scrape(client), "ipm_reminders_oldest_due_age_seconds") == 3600.0
        claimed = container.delivery.claim("vanished-worker")
        assert claimed
        lease = container.settings.worker_lease_seconds
        clock.advance(timedelta(seconds=lease + 1))
        samples = scrape(client)
        assert len(claimed) == value(samples, "ipm_reminders_leases_expired")
        assert len(claimed) == value(samples, "ipm_reminders", status="sending")


class TestMetricsOff:
    """Without a token or a network, there is no /metrics at all."""

    def test_not_served_by_default(self, client: TestClient[Litestar]) -> None:
        """404: metrics are never public by accident."""
        assert client.get("/metrics", headers=SCRAPER).status_code == 404


class TestNetworks:
    """IPM_METRICS_NETWORKS lets scrapers in by address."""

    def test_addresses_inside_and_outside(self) -> None:
        """Inside a listed network: allowed; outside, or not an address: refused."""
        settings = Settings(metrics_networks=["10.0.0.0/8", "::1/128"])
        expected = [True, True, False, False, False]
        hosts = ["10.1.2.3", "::1", "192.168.1.1", "testclient", None]
        assert expected == [_from_allowed_network(settings, h) for h in hosts]

    def test_a_bad_network_stops_the_start(self) -> None:
        """A typo in IPM_METRICS_NETWORKS is a settings error, not a 500 at each scrape."""
        with pytest.raises(ValidationError, match="does not appear to be an IPv4 or IPv6"):
            Settings(metrics_networks=["10.0.0.300/8"])


COUNT_ONE = """
from ipm_workflow.adapters.metrics import PrometheusTelemetry, process_ended
PrometheusTelemetry().transition("wf_multi", "go")
process_ended()
"""
SCRAPE = """
import sys
from ipm_workflow.adapters.clock import SystemClock
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.metrics import exposition
sys.stdout.write(exposition(create_db_engine(sys.argv[1]), SystemClock()).decode())
"""


class TestSeveralProcesses:
    """PROMETHEUS_MULTIPROC_DIR: counters of every server process of a host, summed at scrape."""

    def test_counts_of_two_processes_are_summed(
        self, sqlite_template: Path, tmp_path: Path
    ) -> None:
        """Two processes count a transition each, a worker ticks once; a scraper sees them all."""
        database = tmp_path / "ipm.sqlite3"
        shutil.copy(sqlite_template, database)
        db_url = f"sqlite:///{database}"
        shared = tmp_path / "prometheus"
        shared.mkdir()
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
        for _ in range(2):
            subprocess.run([sys.executable, "-c", COUNT_ONE], env=env, check=True, timeout=120)
        # A standalone worker of the same host counts into the same directory.
        worker_env = {**env, "IPM_DATABASE_URL": db_url, "IPM_METRICS_TOKEN": TOKEN}
        ipm_workflow = Path(sys.executable).with_name("ipm-workflow")
        subprocess.run(
            [str(ipm_workflow), "worker", "--once"],
            env=worker_env,
            check=True,
            timeout=120,
            capture_output=True,
        )
        scraped = subprocess.run(
            [sys.executable, "-c", SCRAPE, db_url],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        ).stdout
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(scraped)
            for s in family.samples
        }
        assert value(samples, "ipm_transitions_total", workflow="wf_multi", trigger="go") == 2
        assert value(samples, "ipm_worker_ticks_total") == 1
        assert value(samples, "ipm_reminders_oldest_due_age_seconds") == 0
