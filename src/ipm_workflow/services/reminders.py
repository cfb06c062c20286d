"""Planning reminders inside case transactions, and what advisors do with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.reminder_lifecycle import Mover, Status, move
from ipm_workflow.domain.reminders import Planned, Reminder
from ipm_workflow.services.case_store import CaseStore, Change
from ipm_workflow.services.commands import Actor

log = structlog.get_logger("ipm_workflow.reminders")
# The message an advisor gets when a young person answers a reminder "I need help" (a template
# of the workflows' templates directory).
HELP_RULE = "portal_help"


@dataclass(frozen=True)
class Agenda:
    """What is due across an advisor's cases."""

    until: datetime
    reminders: list[Reminder]


class ReminderService:
    """Lists, acknowledges and retries reminders; the advisor's agenda."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.uow = store.uow
        self.clock = store.clock

    def of_case(self, case_id: int, actor: Actor) -> list[Reminder]:
        """Every reminder of a case: planned, sent, failed, cancelled, with reasons."""
        with self.uow(readonly=True) as uow:
            self.store.load(uow, case_id, actor)[0]
            return uow.reminders.for_case(case_id)

    def acknowledge(
        self,
        case_id: int,
        reminder_id: int,
        actor: Actor,
        request_id: str | None = None,
        *,
        help_requested: bool = False,
    ) -> Reminder:
        """Stop a reminder's repetitions, escalations and timeout; recorded in the history.

        `help_requested` (the young person's "I need help"): the case's advisor is sent a
        message in the same transaction (e-mail, else their in-app inbox).
        """
        now = self.clock.now()
        with self.uow() as uow:
            case = self.store.load(uow, case_id, actor)[0]
            reminder = uow.reminders.get(reminder_id)
            if reminder is None or reminder.case_id != case_id:
                raise NotFound(f"reminder {reminder_id} not found on case {case_id}")
            stopped = uow.reminders.acknowledge(
                case_id, reminder.rule_id, reminder.anchor_at, actor.id, now
            )
            expected = case.version
            case.updated_at = now
            payload = {"reminder_id": reminder_id, "rule_id": reminder.rule_id, "stopped": stopped}
            if help_requested:
                help_at = now.astimezone(UTC)
                ask = Planned(HELP_RULE, "event", 0, "advisor", HELP_RULE, None, help_at, help_at)
                uow.reminders.add(case_id, [ask], now)
                payload["help_requested"] = True
            change = Change("reminder_acknowledged", payload)
            self.store.record(
                uow, case, expected, change, actor=actor, now=now, request_id=request_id
            )
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

    def inbox(self, actor: Actor, limit: int = 200) -> list[Reminder]:
        """Messages the engine addressed to the actor in-app (advisors: on the cases they
        follow; supervisors: to the supervisors), newest first."""
        policy.require(actor, policy.Action.REMINDERS_READ)
        advisor = policy.own_agenda(actor)
        recipient = policy.ADVISOR if advisor is not None else policy.SUPERVISOR
        if advisor is None and actor.role != policy.SUPERVISOR:
            return []
        scope = policy.narrow(actor, None)
        with self.uow(readonly=True) as uow:
            return uow.reminders.in_app(scope, advisor, recipient, limit)

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
