"""The training sandbox's time machine: move the clock, and everything due in between happens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import anyio
import structlog

from ipm_workflow.domain.durations import Duration
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.services.ports import UnitOfWorkFactory

log = structlog.get_logger("ipm_workflow.sandbox")
# A year of a large cohort's reminders is a few thousand steps; this only stops a runaway loop.
MAX_STEPS = 100_000


class TimeMachine(Protocol):
    """A clock that can be moved forward."""

    def now(self) -> datetime:
        """Return the current (sandbox) time."""
        ...

    def move_to(self, moment: datetime) -> datetime:
        """Jump forward to a moment."""
        ...

    def freeze(self) -> datetime:
        """Hold the time still while a move is processed; return the held moment."""
        ...

    def thaw(self) -> None:
        """Let the time flow again from where it is held."""
        ...


@dataclass(frozen=True)
class Travel:
    """Where the clock went, and what happened on the way."""

    started: datetime
    now: datetime
    happened: list[dict[str, Any]]


class SandboxService:
    """Moves the sandbox clock and lets the worker process each due moment in order."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: TimeMachine,
        run_due: Callable[[], Awaitable[int]],
        lock: asyncio.Lock,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.run_due = run_due
        self.lock = lock

    def _next_due(self) -> datetime | None:
        with self.uow(readonly=True) as uow:
            return uow.reminders.next_due()

    def _happened(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        with self.uow(readonly=True) as uow:
            return uow.reminders.attempts_between(start, end)

    async def advance(
        self, *, to: datetime | None = None, by: Duration | timedelta | None = None
    ) -> Travel:
        """Move forward to a time or by a duration, stopping at every due moment on the way."""
        if (to is None) == (by is None):
            raise invalid_field(
                "give either a time to move to or a duration",
                "to",
                "exactly one of 'to' and 'advance' is needed",
            )
        # One move at a time, each from where the previous one stopped; the time is held still
        # while due moments are stepped through, so it lands exactly on the target.
        async with self.lock:
            started = self.clock.freeze()
            try:
                target = (
                    to if to is not None else started + (by if by is not None else timedelta(0))
                )
                if target < started:
                    raise InvalidInput(
                        "the sandbox clock only moves forward",
                        [
                            {
                                "field": "to",
                                "message": f"{target.isoformat()} is before the sandbox's now "
                                f"{started.isoformat()}",
                            }
                        ],
                    )
                await self._step_through(target)
                now = self.clock.now()
            finally:
                self.clock.thaw()
        happened = await anyio.to_thread.run_sync(self._happened, started, now)
        log.info("sandbox_clock_moved", to=now.isoformat(), events=len(happened))
        return Travel(started, now, happened)

    async def _step_through(self, target: datetime) -> None:
        for _ in range(MAX_STEPS):
            due = await anyio.to_thread.run_sync(self._next_due)
            if due is None or due > target:
                break
            if due > self.clock.now():
                self.clock.move_to(due)
            if not await self.run_due() and await anyio.to_thread.run_sync(self._next_due) == due:
                break  # what is due is held elsewhere (leased); time still moves on
        if target > self.clock.now():
            self.clock.move_to(target)
        await self.run_due()
