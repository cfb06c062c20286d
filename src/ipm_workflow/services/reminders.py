"""Planning reminders inside case transactions, and what advisors do with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.reminder_lifecycle import PENDING, Mover, Status, may_move, move
from ipm_workflow.domain.reminders import Reminder, active_anchors, plan, rule_states
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.history import chain_entry
from ipm_workflow.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger("ipm_workflow.reminders")


def reconcile(
    uow: UnitOfWork, workflow: Workflow, case: Case, now: datetime, tz: ZoneInfo
) -> dict[str, list[str]]:
    """Bring a case's reminders in line with its state and dates, in the caller's transaction."""
    assert case.id is not None  # noqa: S101 - reminders belong to stored cases
    desired = plan(workflow, case, now, tz)
    rows = uow.reminders.for_case(case.id)
    # Every rule still alive keeps its rows (repeats included), even once its first send is past.
    wanted = active_anchors(workflow, case, tz)
    stale = [r for r in rows if r.status in PENDING and (r.rule_id, r.anchor_at) not in wanted]
    rules = {r.id: r for r in workflow.reminders}
    left = [
        r.id
        for r in stale
        if r.rule_id not in rules or case.state not in rule_states(workflow, rules[r.rule_id])
    ]
    moved = [r.id for r in stale if r.id not in left]
    cancel, by = Status.CANCELLED, Mover.CASE_CHANGE
    uow.reminders.set_status(left, cancel, by, f"case now in {case.state}", now)
    uow.reminders.set_status(moved, cancel, by, "the date it hangs on moved", now)
    by_key = {r.key: r for r in rows}
    uow.reminders.add(case.id, [p for p in desired if p.key not in by_key], now)
    revived = [
        by_key[p.key]
        for p in desired
        if p.key in by_key
        and may_move(by_key[p.key].status, Status.PLANNED, by)
        and by_key[p.key].acknowledged_at is None
    ]
    for row in revived:
        uow.reminders.set_status(
            [row.id], Status.PLANNED, by, "planned again", now, due_at=row.due_at
        )
    # A rule whose offset changed (a new workflow version) moves its waiting occurrence.
    for p in desired:
        held = by_key.get(p.key)
        if held is not None and held.status is Status.PLANNED and held.due_at != p.due_at:
            uow.reminders.set_status(
                [held.id], Status.PLANNED, by, "its rule changed", now, due_at=p.due_at
            )
            revived.append(held)
    planned = sorted(
        {p.rule_id for p in desired if p.key not in by_key} | {r.rule_id for r in revived}
    )
    cancelled = sorted({r.rule_id for r in stale})
    keyed = ((Status.PLANNED.value, planned), (Status.CANCELLED.value, cancelled))
    return {k: v for k, v in keyed if v}


@dataclass(frozen=True)
class Agenda:
    """What is due across an advisor's cases."""

    until: datetime
    reminders: list[Reminder]


class ReminderService:
    """Lists, acknowledges and retries reminders; the advisor's agenda."""

    def __init__(self, uow: UnitOfWorkFactory, registry: WorkflowRegistry, clock: Clock) -> None:
        self.uow = uow
        self.registry = registry
        self.clock = clock

    @staticmethod
    def _case(uow: UnitOfWork, case_id: int, actor: Actor) -> Case:
        case, _ = uow.cases.get(case_id)
        policy.see_case(actor, case_id, case.mission_locale_id)
        return case

    def of_case(self, case_id: int, actor: Actor) -> list[Reminder]:
        """Every reminder of a case: planned, sent, failed, cancelled, with reasons."""
        with self.uow(readonly=True) as uow:
            self._case(uow, case_id, actor)
            return uow.reminders.for_case(case_id)

    def acknowledge(
        self, case_id: int, reminder_id: int, actor: Actor, request_id: str | None = None
    ) -> Reminder:
        """Stop a reminder's repetitions, escalations and timeout; recorded in the history."""
        now = self.clock.now()
        with self.uow() as uow:
            case = self._case(uow, case_id, actor)
            reminder = uow.reminders.get(reminder_id)
            if reminder is None or reminder.case_id != case_id:
                raise NotFound(f"reminder {reminder_id} not found on case {case_id}")
            stopped = uow.reminders.acknowledge(
                case_id, reminder.rule_id, reminder.anchor_at, actor.id, now
            )
            expected = case.version
            case.updated_at = now
            entry = chain_entry(
                case,
                actor,
                kind="reminder_acknowledged",
                at=now,
                request_id=request_id,
                payload={
                    "reminder_id": reminder_id,
                    "rule_id": reminder.rule_id,
                    "stopped": stopped,
                },
            )
            uow.cases.update(case, expected)
            uow.history.append(entry)
            uow.commit()
            updated = uow.reminders.get(reminder_id)
        log.info("reminder_acknowledged", case_id=case_id, reminder_id=reminder_id, actor=actor.id)
        assert updated is not None  # noqa: S101 - just acknowledged
        return updated

    def agenda(self, actor: Actor, days: int = 14, limit: int = 200) -> Agenda:
        """Pending reminders due within some days, across the cases the actor follows."""
        until = self.clock.now() + timedelta(days=days)
        advisor = policy.own_agenda(actor)
        scope = policy.narrow(actor, None)
        with self.uow(readonly=True) as uow:
            return Agenda(until, uow.reminders.agenda(scope, advisor, until, limit))

    def retry(self, reminder_id: int) -> bool:
        """Requeue a dead-lettered or skipped reminder; NotFound, or IllegalReminderMove."""
        with self.uow() as uow:
            current = uow.reminders.get(reminder_id)
            if current is None:
                raise NotFound(f"reminder {reminder_id} not found")
            move(current.status, Status.RETRY, Mover.SUPERVISOR)
            done = uow.reminders.retry_dead(reminder_id, self.clock.now())
            uow.commit()
        log.info("reminder_requeued", reminder_id=reminder_id, requeued=done)
        return done

    def counts(self) -> dict[str, int]:
        """How many reminders are in each status."""
        with self.uow(readonly=True) as uow:
            return uow.reminders.counts()
