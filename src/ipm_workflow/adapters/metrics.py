"""Prometheus metrics: counters fed as things happen, gauges computed from the database at scrape.

Counters and histograms live in this process (or, when PROMETHEUS_MULTIPROC_DIR is set before
the process starts, in files shared by every process of the host, summed at scrape). Gauges about
reminders are one cheap SQL aggregate per scrape: they describe the whole database, whichever
process answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, and_, event, func, select

from ipm_workflow.adapters.db.database import READONLY
from ipm_workflow.adapters.db.tables import ReminderRow
from ipm_workflow.services.ports import Clock

CONTENT_TYPE = CONTENT_TYPE_LATEST
DUE_STATUSES = ("planned", "retry")

TRANSITIONS = Counter("ipm_transitions", "Committed transitions of cases.", ["workflow", "trigger"])
WORKER_TICKS = Counter("ipm_worker_ticks", "Ticks of the reminder workers.")
WORKER_CLAIMS = Counter("ipm_worker_claimed_reminders", "Reminders claimed for delivery.")
LEASES_LOST = Counter(
    "ipm_worker_leases_lost", "Claimed reminders whose lease ran out before delivery."
)
# livesum: in multiprocess mode, the sum over the processes still alive.
POOL_IN_USE = Gauge(
    "ipm_db_pool_in_use", "Database connections checked out.", multiprocess_mode="livesum"
)
POOL_SIZE = Gauge(
    "ipm_db_pool_size", "Database connections the pools may keep.", multiprocess_mode="livesum"
)


class PrometheusTelemetry:
    """The services' and worker's events, counted with prometheus-client."""

    def transition(self, workflow: str, trigger: str) -> None:
        """Count one committed transition."""
        TRANSITIONS.labels(workflow, trigger).inc()

    def worker_tick(self) -> None:
        """Count one worker tick."""
        WORKER_TICKS.inc()

    def claimed(self, count: int) -> None:
        """Count claimed reminders."""
        WORKER_CLAIMS.inc(count)

    def lease_lost(self) -> None:
        """Count a lease that ran out."""
        LEASES_LOST.inc()


def instrument_pool(engine: Engine) -> Callable[[], None]:
    """Follow the engine's pool (connections in use, its size); return what undoes the size."""
    size = getattr(engine.pool, "size", None)
    capacity = size() + max(getattr(engine.pool, "_max_overflow", 0), 0) if callable(size) else 0
    POOL_SIZE.inc(capacity)

    def checkout(*_: Any) -> None:
        POOL_IN_USE.inc()

    def checkin(*_: Any) -> None:
        POOL_IN_USE.dec()

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    return lambda: POOL_SIZE.dec(capacity)


class DatabaseCollector(Collector):
    """Reminder gauges from one aggregate query per scrape (indexes: status, next_attempt_at)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield reminders by status, dead letters, expired leases and the oldest due's age."""
        r = ReminderRow.__table__.c  # type: ignore[attr-defined]
        now = self.clock.now()
        # Read-only: on SQLite a plain transaction would take the write lock for a scrape.
        with self.engine.connect().execution_options(**{READONLY: True}) as conn:
            by_status: dict[str, int] = dict(
                conn.execute(select(r.status, func.count()).group_by(r.status)).all()
            )
            oldest = conn.execute(
                select(func.min(r.next_attempt_at)).where(
                    and_(r.status.in_(DUE_STATUSES), r.next_attempt_at <= now)
                )
            ).scalar()
            expired = conn.execute(
                select(func.count()).where(and_(r.status == "sending", r.lease_until < now))
            ).scalar()
            conn.rollback()
        statuses = GaugeMetricFamily(
            "ipm_reminders", "Reminders in each status.", labels=["status"]
        )
        for status, count in sorted(by_status.items()):
            statuses.add_metric([status], int(count))
        yield statuses
        yield GaugeMetricFamily(
            "ipm_reminders_dead", "Dead-lettered reminders.", value=int(by_status.get("dead", 0))
        )
        yield GaugeMetricFamily(
            "ipm_reminders_leases_expired",
            "Reminders claimed by a worker whose lease has run out (awaiting a new claim).",
            value=int(expired or 0),
        )
        yield GaugeMetricFamily(
            "ipm_reminders_oldest_due_age_seconds",
            "Age of the oldest reminder due and not yet delivered (0 when none).",
            value=_age(oldest, now),
        )


def _age(oldest: datetime | None, now: datetime) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite gives naive UTC back
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max((now - oldest).total_seconds(), 0.0)


def multiprocess_dir() -> str | None:
    """The directory shared by the processes of one host, when the operator set one."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition(engine: Engine, clock: Clock) -> bytes:
    """Render every metric in the Prometheus text format."""
    if multiprocess_dir():
        events = CollectorRegistry()
        multiprocess.MultiProcessCollector(events)  # type: ignore[no-untyped-call]
    else:
        events = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(engine, clock))
    return generate_latest(events) + generate_latest(database)


def process_ended() -> None:
    """Drop this process's live gauges from the shared directory (multiprocess mode)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
