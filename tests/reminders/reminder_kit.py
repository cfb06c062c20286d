"""The reminder worker on a manual clock, and walks of whole journeys with it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db.mappers import aware
from ipm_workflow.adapters.db.reminder_store import attempts_t, reminders_t
from ipm_workflow.domain.reminder_lifecycle import PENDING
from ipm_workflow.entrypoints.worker import Worker
from journey import Journey, paris


class Pump:
    """The real worker on the manual clock: it jumps from one due moment to the next."""

    def __init__(self, worker: Worker, clock: ManualClock, engine: Engine) -> None:
        self.worker = worker
        self.clock = clock
        self.engine = engine

    def next_due(self) -> datetime | None:
        """Return the earliest moment a reminder waits for."""
        with self.engine.connect() as conn:
            due = conn.execute(
                select(func.min(reminders_t.c.next_attempt_at)).where(
                    reminders_t.c.status.in_(sorted(PENDING))
                )
            ).scalar()
        return aware(due)

    async def until(self, moment: datetime) -> None:
        """Let time pass up to a moment, running the worker at every due moment on the way."""
        while (due := self.next_due()) is not None and due <= moment:
            if due > self.clock.now():
                self.clock.set(due)
            handled = await self.worker.run_once()
            if handled == 0:
                raise AssertionError(f"a reminder is due at {due} but the worker claims nothing")
        if moment > self.clock.now():
            self.clock.set(moment)
        await self.worker.run_once()


def attempts_of(engine: Engine, reminder_id: int) -> list[dict[str, Any]]:
    """Return a reminder's delivery attempts, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(attempts_t)
            .where(attempts_t.c.reminder_id == reminder_id)
            .order_by(attempts_t.c.id)
        ).mappings()
        return [{**r, "at": aware(r["at"])} for r in rows]


async def abroad(walker: Journey, pump: Pump, start: date, end: date, **extra: Any) -> int:
    """Open a case now and walk it abroad, arriving at noon on the start date (Paris)."""
    cid = walker.open(walker.person())
    walker.to_contracted(cid, start, end, **extra)
    await pump.until(pump.clock.now())
    walker.clear_for_departure(cid)
    await pump.until(paris(start, 12))
    walker.fire(cid, "confirm_arrival", {"actual_start": start})
    return cid


async def in_follow_up(walker: Journey, pump: Pump, start: date, end: date) -> int:
    """Open a case now and walk it to the follow-up, back at 18:00 on the end date (Paris)."""
    cid = await abroad(walker, pump, start, end)
    await pump.until(paris(end, 18))
    walker.system(cid, "confirm_return", {"actual_end": end})
    await pump.until(paris(end + timedelta(days=16), 10))
    walker.debrief(cid)
    await pump.until(pump.clock.now())
    return cid
