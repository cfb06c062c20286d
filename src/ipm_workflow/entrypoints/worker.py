"""The reminder worker: APScheduler ticks; each tick claims due reminders and delivers them."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

import anyio
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.delivery import DeliveryService
from ipm_workflow.services.messages import Channel, DeliveryError, Message
from ipm_workflow.services.telemetry import NO_TELEMETRY, Telemetry

if TYPE_CHECKING:
    from ipm_workflow.bootstrap import Container

log = structlog.get_logger("ipm_workflow.worker")


@dataclass(frozen=True)
class DailyJob:
    """A job every worker schedules once a day; a cluster-wide lock lets one of them run it."""

    name: str
    run: Callable[[], object]
    hour: int
    timezone: str


@dataclass(frozen=True)
class PeriodicJob:
    """A job every worker schedules every so many minutes; a cluster-wide lock lets one of
    them run it at a time."""

    name: str
    run: Callable[[], object]
    minutes: int


def default_worker_id() -> str:
    """Name a worker after its host and process, so claims say who holds them."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class Worker:
    """Delivers due reminders; a crash loses nothing (leases), a restart catches up."""

    def __init__(
        self,
        delivery: DeliveryService,
        channels: Mapping[str, Channel],
        *,
        worker_id: str | None = None,
        concurrency: int = 8,
        poll_seconds: float = 5.0,
        lock: asyncio.Lock | None = None,
        telemetry: Telemetry = NO_TELEMETRY,
        daily: Sequence[DailyJob] = (),
        periodic: Sequence[PeriodicJob] = (),
    ) -> None:
        self.delivery = delivery
        self.channels = channels
        self.id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self._stopping = False
        self._scheduler: AsyncIOScheduler | None = None
        self._tick_task: asyncio.Task[object] | None = None
        # Shared with the sandbox's time machine, so ticks and clock moves never interleave.
        self.lock = lock or asyncio.Lock()
        self.telemetry = telemetry
        self.daily = {job.name: job for job in daily}
        self.periodic = {job.name: job for job in periodic}

    async def run_once(self) -> int:
        """Deliver everything due now, batch after batch; return how many were handled."""
        self.telemetry.worker_tick()
        handled = 0
        while not self._stopping:
            claimed = await anyio.to_thread.run_sync(self.delivery.claim, self.id)
            if not claimed:
                break
            self.telemetry.claimed(len(claimed))
            handled += await self._batch(claimed)
        return handled

    async def _batch(self, claimed: list[Reminder]) -> int:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(reminder: Reminder) -> bool:
            async with gate:
                if self._stopping:
                    return False
                await self._process(reminder)
                return True

        done = await asyncio.gather(*(one(r) for r in claimed))
        leftovers = [r for r, ok in zip(claimed, done, strict=True) if not ok]
        if leftovers:
            await anyio.to_thread.run_sync(self.delivery.release, leftovers, self.id)
        return sum(done)

    async def _process(self, reminder: Reminder) -> None:
        structlog.contextvars.bind_contextvars(case_id=reminder.case_id, actor="system")
        failure: tuple[str, bool] | None = None
        message: Message | None = None
        try:
            message = await anyio.to_thread.run_sync(self.delivery.prepare, reminder, self.id)
            if message is None:
                return
            channel = self.channels.get(message.channel)
            if channel is None:
                raise DeliveryError(
                    f"channel '{message.channel}' is not configured", temporary=False
                )
            await channel.send(message)
        except DeliveryError as exc:
            failure = (str(exc), exc.temporary)
        except Exception as exc:
            log.exception("reminder_crashed", reminder_id=reminder.id)
            failure = (f"internal error: {type(exc).__name__}: {exc}", True)
        finally:
            structlog.contextvars.unbind_contextvars("case_id", "actor")
        if failure is not None or message is None:
            if failure is None:
                return
            record = partial(
                self.delivery.failed, reminder, self.id, failure[0], temporary=failure[1]
            )
            await anyio.to_thread.run_sync(record)
            return
        await anyio.to_thread.run_sync(self.delivery.sent, reminder, self.id, message)

    async def _tick(self) -> None:
        self._tick_task = asyncio.current_task()
        try:
            async with self.lock:
                handled = await self.run_once()
            if handled:
                log.info("worker_tick", handled=handled, worker=self.id)
        except Exception:
            log.exception("worker_tick_failed", worker=self.id)
        finally:
            self._tick_task = None

    async def run_daily(self, name: str) -> None:
        """Run one daily job now (in a thread: it works through the database)."""
        try:
            await anyio.to_thread.run_sync(self.daily[name].run)
        except Exception:
            log.exception("daily_job_failed", job=name, worker=self.id)

    async def run_periodic(self, name: str) -> None:
        """Run one periodic job now (in a thread: it works through the database)."""
        try:
            await anyio.to_thread.run_sync(self.periodic[name].run)
        except Exception:
            log.exception("periodic_job_failed", job=name, worker=self.id)

    def start(self) -> None:
        """Start ticking on the running event loop (APScheduler is the worker's clock)."""
        self._stopping = False
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.poll_seconds,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
            id="reminders",
        )
        # Every worker schedules the singleton jobs; their cluster-wide lock lets one run each.
        jobs = [
            (self.run_daily, job.name, {"trigger": "cron", "hour": job.hour,
                                        "timezone": job.timezone, "misfire_grace_time": 3600})
            for job in self.daily.values()
        ] + [
            (self.run_periodic, every.name, {"trigger": "interval", "minutes": every.minutes,
                                             "next_run_time": datetime.now(UTC)})
            for every in self.periodic.values()
        ]  # fmt: skip
        for run, name, when in jobs:
            scheduler.add_job(run, args=[name], max_instances=1, coalesce=True, id=name, **when)
        scheduler.start()
        self._scheduler = scheduler
        log.info("worker_started", worker=self.id, poll_seconds=self.poll_seconds)

    async def stop(self) -> None:
        """Stop cleanly: finish the message in hand, give back the rest, close channels."""
        self._stopping = True
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        task = self._tick_task
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=30)
        for channel in self.channels.values():
            await channel.close()
        log.info("worker_stopped", worker=self.id)


def retention_job(container: Container) -> Callable[[], object]:
    """The daily retention run, under the cluster-wide lock (one worker runs it at a time)."""

    def run() -> object:
        with container.cluster_lock("retention") as held:
            if not held:
                log.info("retention_skipped", reason="another worker holds the lock")
                return None
            return container.retention.run()

    return run


def dashboards_job(container: Container) -> Callable[[], object]:
    """The dashboards' snapshots (issue 16), under the cluster-wide lock: each dashboard's
    reports as the page opens them (no filter), for every mission locale and for each scope
    of the active staff who may read reports (an advisor's missions locales)."""

    def run() -> object:
        from ipm_workflow.domain.policy import Actor  # noqa: PLC0415 - the job's own needs
        from ipm_workflow.entrypoints.web.dashboards import DASHBOARDS  # noqa: PLC0415

        with container.cluster_lock("dashboards") as held:
            if not held:
                log.info("dashboards_skipped", reason="another worker holds the lock")
                return None
            names = [name for board in DASHBOARDS for name, _column in board.charts]
            users = container.accounts.users()
            readers = [Actor.of(user) for user, _password in users if user.active]
            written = container.reports.refresh(names, readers)
            log.info("dashboards_refreshed", snapshots=written)
            return written

    return run


def worker_for(container: Container, telemetry: Telemetry = NO_TELEMETRY) -> Worker:
    """A worker on the container's delivery service and channels, at the settings' pace.

    Outside a sandbox (whose clock trainers move), it also runs the daily retention job and
    refreshes the dashboards' snapshots every IPM_DASHBOARD_REFRESH_MINUTES (0: never).
    """
    settings = container.settings
    periodic = []
    if not settings.sandbox and settings.dashboard_refresh_minutes > 0:
        periodic.append(
            PeriodicJob("dashboards", dashboards_job(container), settings.dashboard_refresh_minutes)
        )
    daily = []
    if not settings.sandbox:
        daily.append(
            DailyJob(
                "retention",
                retention_job(container),
                settings.retention_hour,
                settings.timezone,
            )
        )
    return Worker(
        container.delivery,
        container.channels(),
        concurrency=settings.worker_concurrency,
        poll_seconds=settings.worker_poll_seconds,
        telemetry=telemetry,
        daily=daily,
        periodic=periodic,
    )
