"""Reminder rows: planned in the case's transaction, claimed by workers with a lease."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Unpack

from sqlalchemy import and_, insert, or_, select, update

from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.reminder_reads import (
    SqlReminderReads,
    attempts_t,
    reminder_of,
    reminders_t,
)
from ipm_workflow.domain.reminder_lifecycle import (
    PENDING,
    Mover,
    Status,
    move,
    sources,
)
from ipm_workflow.domain.reminders import Planned, Reminder
from ipm_workflow.services.reminder_ports import Outcome

__all__ = ["SqlReminderRepository", "attempts_t", "reminders_t"]


def _moved(status: Status, outcome: str, now: datetime) -> dict[str, Any]:
    """The columns of reminders moved to `status` for a reason: no worker holds them after."""
    released = {"claimed_by": None, "lease_until": None}
    return {"status": status, "outcome": outcome, "updated_at": now, **released}


class SqlReminderRepository(SqlReminderReads):
    """Reminders of cases, and the worker's claims on them."""

    def add(self, case_id: int, planned: Iterable[Planned], now: datetime) -> None:
        """Store new occurrences as planned."""
        values = [
            {
                "case_id": case_id,
                "rule_id": p.rule_id,
                "kind": p.kind,
                "occurrence": p.occurrence,
                "recipient": p.recipient,
                "template": p.template,
                "trigger": p.trigger,
                "anchor_at": p.anchor_at,
                "due_at": p.due_at,
                "next_attempt_at": p.due_at,
                "status": Status.PLANNED,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for p in planned
        ]
        if values:
            # The case's mission locale as stored (its update brings the reminders along).
            place = (
                select(cases_t.c.mission_locale_id).where(cases_t.c.id == case_id).scalar_subquery()
            )
            self.conn.execute(insert(reminders_t).values(mission_locale_id=place), values)

    def set_status(
        self,
        ids: Sequence[int],
        status: Status,
        by: Mover,
        outcome: str,
        now: datetime,
        *,
        due_at: datetime | None = None,
    ) -> int:
        """Move reminders to a status with the reason; return how many were still movable."""
        if not ids:
            return 0
        values = _moved(status, outcome, now)
        if due_at is not None:
            values |= {"due_at": due_at, "next_attempt_at": due_at}
        # Only rows still in a declared source move: a worker's claim meanwhile wins.
        result = self.conn.execute(
            update(reminders_t)
            .where(
                reminders_t.c.id.in_(list(ids)),
                reminders_t.c.status.in_(sorted(sources(status, by))),
            )
            .values(**values)
        )
        return int(result.rowcount)

    def acknowledge(
        self, case_id: int, rule_id: str, anchor_at: datetime, actor: str, now: datetime
    ) -> int:
        """Acknowledge a rule's occurrences for one anchor: pending ones stop there."""
        by = Mover.ADVISOR
        scope = and_(
            reminders_t.c.case_id == case_id,
            reminders_t.c.rule_id == rule_id,
            reminders_t.c.anchor_at == anchor_at,
        )
        self.conn.execute(
            update(reminders_t)
            .where(scope, reminders_t.c.acknowledged_at.is_(None))
            .values(acknowledged_at=now, acknowledged_by=actor, updated_at=now)
        )
        result = self.conn.execute(
            update(reminders_t)
            .where(scope, reminders_t.c.status.in_(sorted(sources(Status.ACKNOWLEDGED, by))))
            .values(status=Status.ACKNOWLEDGED, outcome="acknowledged", updated_at=now)
        )
        return int(result.rowcount)

    def claim(self, worker: str, now: datetime, limit: int, lease: timedelta) -> list[Reminder]:
        """Take due reminders (and those of a worker whose lease ran out) for delivery."""
        claimable = sorted(sources(Status.SENDING, Mover.WORKER))
        due = or_(
            and_(reminders_t.c.status.in_(sorted(PENDING)), reminders_t.c.next_attempt_at <= now),
            and_(reminders_t.c.status == Status.SENDING, reminders_t.c.lease_until < now),
        )
        # SKIP LOCKED lets several workers share one PostgreSQL without waiting on each other;
        # SQLite ignores it and serialises writers anyway.
        chosen = (
            select(reminders_t.c.id)
            .where(due)
            .order_by(reminders_t.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(self.conn.execute(chosen).scalars())
        if not ids:
            return []
        self.conn.execute(
            update(reminders_t)
            .where(reminders_t.c.id.in_(ids), reminders_t.c.status.in_(claimable))
            .values(
                status=Status.SENDING,
                claimed_by=worker,
                lease_until=now + lease,
                attempts=reminders_t.c.attempts + 1,
                updated_at=now,
            )
        )
        rows = self.conn.execute(
            select(reminders_t)
            .where(reminders_t.c.id.in_(ids))
            .order_by(reminders_t.c.next_attempt_at)
        ).mappings()
        return [reminder_of(r) for r in rows]

    def finish(
        self, reminder: Reminder, worker: str, now: datetime, **end: Unpack[Outcome]
    ) -> bool:
        """Record the outcome of a claimed reminder; False if another worker took it over."""
        status, outcome, channel = end["status"], end["outcome"][:500], end.get("channel")
        count_attempt = end.get("count_attempt", True)
        move(Status.SENDING, status, Mover.WORKER)
        values = _moved(status, outcome, now)
        if channel is not None:
            values["channel"] = channel
        if (message_id := end.get("message_id")) is not None:
            values["message_id"] = message_id
        if (addressee := end.get("addressee")) is not None:
            values["addressee"] = addressee[:200]
        if status is Status.SENT:
            values["sent_at"] = now
        if (next_attempt_at := end.get("next_attempt_at")) is not None:
            values["next_attempt_at"] = next_attempt_at
        if not count_attempt:
            values["attempts"] = reminders_t.c.attempts - 1
        result = self.conn.execute(
            update(reminders_t)
            .where(
                reminders_t.c.id == reminder.id,
                reminders_t.c.status == Status.SENDING,
                reminders_t.c.claimed_by == worker,
            )
            .values(**values)
        )
        if count_attempt:
            attempt = {"reminder_id": reminder.id, "attempt": reminder.attempts, "at": now}
            self.conn.execute(
                insert(attempts_t).values(
                    **attempt, worker=worker, channel=channel, result=status, detail=outcome
                )
            )
        return bool(result.rowcount)

    def release(self, ids: Sequence[int], worker: str, now: datetime) -> None:
        """Give back claimed reminders untouched (a worker shutting down)."""
        if ids:
            self.conn.execute(
                update(reminders_t)
                .where(
                    reminders_t.c.id.in_(list(ids)),
                    reminders_t.c.claimed_by == worker,
                    reminders_t.c.status.in_(sorted(sources(Status.PLANNED, Mover.WORKER))),
                )
                .values(
                    status=Status.PLANNED,
                    claimed_by=None,
                    lease_until=None,
                    updated_at=now,
                    attempts=reminders_t.c.attempts - 1,
                )
            )

    def retry_dead(self, reminder_id: int, now: datetime) -> bool:
        """Put a dead-lettered (or skipped) reminder back in the queue; False if it is not."""
        result = self.conn.execute(
            update(reminders_t)
            .where(
                reminders_t.c.id == reminder_id,
                reminders_t.c.status.in_(sorted(sources(Status.RETRY, Mover.SUPERVISOR))),
            )
            .values(
                status=Status.RETRY,
                attempts=0,
                next_attempt_at=now,
                updated_at=now,
                outcome="retried by hand",
            )
        )
        return bool(result.rowcount)
