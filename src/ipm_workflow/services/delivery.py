"""The worker's decisions: claim due reminders, decide, render, and record every outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain.errors import DomainError, NotFound
from ipm_workflow.domain.privacy import SentMessage
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminders import (
    Reminder,
    in_quiet_hours,
)
from ipm_workflow.services.addressing import Addressing
from ipm_workflow.services.commands import SYSTEM, Actor, FireTrigger
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.messages import DeliveryPolicy, Message, Renderer
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.routing import Audience, Route, route
from ipm_workflow.services.series import plan_next, shifted_by_late_reminder
from ipm_workflow.services.stopping import event_stop, reminder_stop

log = structlog.get_logger("ipm_workflow.worker")


class DeliveryService:
    """Everything the worker decides about a reminder, each outcome in its own transaction."""

    def __init__(self, cases: CaseService, renderer: Renderer, policy: DeliveryPolicy) -> None:
        self.cases = cases
        self.uow = cases.uow
        self.registry = cases.registry
        self.clock = cases.clock
        self.policy = policy
        # Whom a reminder reaches and what it says (also read by pages that send nothing).
        self.addressing = Addressing(cases, renderer, policy)

    def addressees(self, case_id: int, reminders: list[Reminder]) -> dict[int, str]:
        """Name whom each reminder of a case reaches (Addressing.addressees)."""
        return self.addressing.addressees(case_id, reminders)

    def subject(self, reminder: Reminder, language: str) -> str | None:
        """A reminder's subject as its recipient reads it (Addressing.subject)."""
        return self.addressing.subject(reminder, language)

    def preview(self, reminder_id: int, actor: Actor, case_id: int | None = None) -> Message:
        """Render a reminder as it would be sent now, without sending it (Addressing.preview)."""
        return self.addressing.preview(reminder_id, actor, case_id)

    def claim(self, worker: str) -> list[Reminder]:
        """Take a batch of due reminders (with a lease) for this worker."""
        with self.uow() as uow:
            claimed = uow.reminders.claim(
                worker, self.clock.now(), self.policy.batch, self.policy.lease
            )
            uow.commit()
        return claimed

    def release(self, reminders: list[Reminder], worker: str) -> None:
        """Give back claimed reminders a stopping worker did not get to."""
        with self.uow() as uow:
            uow.reminders.release([r.id for r in reminders], worker, self.clock.now())
            uow.commit()

    def _finish(self, reminder: Reminder, worker: str, **outcome: Any) -> None:
        with self.uow() as uow:
            uow.reminders.finish(reminder, worker, self.clock.now(), **outcome)
            uow.commit()
        log.info(
            "reminder_" + str(outcome["status"]),
            reminder_id=reminder.id,
            case_id=reminder.case_id,
            rule=reminder.rule_id,
            kind=reminder.kind,
        )

    def prepare(self, reminder: Reminder, worker: str) -> Message | None:
        """Decide what to do with a claimed reminder; return the message to send, if any."""
        now = self.clock.now()
        with self.uow(readonly=True) as uow:
            if not self._still_ours(uow, reminder, worker, now):
                log.warning("reminder_lease_lost", reminder_id=reminder.id, worker=worker)
                self.cases.store.telemetry.lease_lost()
                return None
            try:
                audience, birth_date = self.addressing.audience(uow, reminder)
            except NotFound as exc:
                self._finish(reminder, worker, status=Status.SKIPPED, outcome=exc.message)
                return None
        definition = self.cases.workflow_of(audience.case).definition
        facts = replace(
            audience.case.facts(self.cases.today(now), birth_date, definition.computed),
            guardians=len(audience.guardians),
        )
        shift = self._shift(reminder, now)
        since = shift[0] if shift is not None else reminder.due_at
        if reminder.kind == "event":
            stop = event_stop(definition, reminder, now - since)
        else:
            stop = reminder_stop(definition, reminder, audience.case, facts, now=now, since=since)
        if stop is not None:
            self._finish(reminder, worker, status=stop[0], outcome=stop[1])
            if stop[2]:
                self._continue(reminder, now)
            return None
        if shift is not None and shift[0] > now:
            self._hold(reminder, worker, *shift)
            return None
        if reminder.kind == "timeout":
            self._fire_timeout(reminder, worker)
            return None
        found = self._route_now(reminder, worker, audience, facts.today, now)
        return self.addressing.with_link(reminder, audience, found) if found is not None else None

    def _route_now(
        self, reminder: Reminder, worker: str, audience: Audience, today: date, now: datetime
    ) -> Route | None:
        """Find the recipient's route; skip (nobody to reach) or wait (quiet hours) otherwise."""
        found = route(reminder.recipient, audience, today, self.policy)
        if isinstance(found, str):
            self._finish(reminder, worker, status=Status.SKIPPED, outcome=found)
            return None
        morning = in_quiet_hours(
            now, ZoneInfo(found.timezone), self.policy.quiet_start, self.policy.quiet_end
        )
        if morning is not None:
            self._hold(reminder, worker, morning, f"held back for quiet hours in {found.timezone}")
            return None
        return found

    @staticmethod
    def _still_ours(uow: UnitOfWork, reminder: Reminder, worker: str, now: datetime) -> bool:
        # Past our lease, another worker may have taken the reminder over: leave it to them.
        held = uow.reminders.get(reminder.id)
        return (
            held is not None
            and held.claimed_by == worker
            and held.status is Status.SENDING
            and (held.lease_until is None or held.lease_until > now)
        )

    def _continue(self, reminder: Reminder, now: datetime) -> None:
        with self.uow() as uow:
            definition = self.cases.workflow_of(uow.cases.get(reminder.case_id)[0]).definition
            plan_next(uow, definition, reminder, now, self.cases.tz)
            uow.commit()

    def _shift(self, reminder: Reminder, now: datetime) -> tuple[datetime, str] | None:
        if reminder.kind in ("reminder", "event"):
            return None  # only escalations and timeouts follow a reminder
        with self.uow(readonly=True) as uow:
            return shifted_by_late_reminder(uow, reminder, now)

    def _hold(self, reminder: Reminder, worker: str, until: datetime, why: str) -> None:
        self._finish(
            reminder,
            worker,
            status=Status.PLANNED,
            next_attempt_at=until,
            count_attempt=False,
            outcome=why,
        )

    def _fire_timeout(self, reminder: Reminder, worker: str) -> None:
        assert reminder.trigger is not None  # noqa: S101 - timeouts always carry a trigger
        try:
            fired = self.cases.fire(
                FireTrigger(
                    reminder.case_id, reminder.trigger, request_id=f"reminder-{reminder.id}"
                ),
                SYSTEM,
            )
        except DomainError as exc:
            self._finish(
                reminder,
                worker,
                status=Status.SKIPPED,
                outcome=f"timeout not applied: {exc.message}",
            )
            return
        self._finish(
            reminder,
            worker,
            status=Status.SENT,
            channel="system",
            outcome=f"fired '{reminder.trigger}': {fired.outcome.from_state} -> "
            f"{fired.outcome.to_state}",
        )

    def sent(self, reminder: Reminder, worker: str, message: Message) -> None:
        """Record a delivery and plan the next repetition, in one transaction."""
        now = self.clock.now()
        with self.uow() as uow:
            recorded = uow.reminders.finish(
                reminder,
                worker,
                now,
                status=Status.SENT,
                outcome=f"delivered by {message.channel}"
                + (
                    f" to {', '.join(message.to)} instead of {message.instead_of}"
                    if message.instead_of
                    else ""
                ),
                channel=message.channel,
                message_id=message.message_id,
                addressee=message.addressee,
            )
            if recorded:
                # The text as it went: the subject access export shows it to the person.
                uow.privacy.add_sent(
                    SentMessage(
                        reminder.id,
                        reminder.case_id,
                        reminder.recipient if message.instead_of is None else "fallback",
                        message.channel,
                        ", ".join(message.to),
                        message.subject,
                        message.body,
                        message.language,
                        message.message_id,
                        now,
                        message.addressee,
                    )
                )
            if recorded and reminder.kind == "reminder":
                case = uow.cases.get(reminder.case_id)[0]
                plan_next(
                    uow, self.cases.workflow_of(case).definition, reminder, now, self.cases.tz
                )
            uow.commit()
        log.info(
            "reminder_sent",
            reminder_id=reminder.id,
            case_id=reminder.case_id,
            rule=reminder.rule_id,
            channel=message.channel,
        )

    def failed(self, reminder: Reminder, worker: str, error: str, *, temporary: bool) -> None:
        """Record a failed attempt: retry later with back-off, or dead-letter it."""
        exhausted = reminder.attempts >= self.policy.max_attempts
        if temporary and not exhausted:
            retry_at = self.clock.now() + self.policy.backoff(reminder.attempts)
            self._finish(
                reminder, worker, status=Status.RETRY, outcome=error, next_attempt_at=retry_at
            )
            return
        why = "permanent failure" if not temporary else f"{reminder.attempts} attempts failed"
        self._finish(reminder, worker, status=Status.DEAD, outcome=f"{why}: {error}")
