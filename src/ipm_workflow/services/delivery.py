"""The worker's decisions: claim due reminders, decide, render, and record every outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, CaseFacts
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.errors import DomainError, InvalidInput, NotFound
from ipm_workflow.domain.people import User
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminders import (
    Reminder,
    condition_cleared,
    in_quiet_hours,
    rule_states,
)
from ipm_workflow.services.commands import SYSTEM, Actor, FireTrigger
from ipm_workflow.services.composing import compose
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.messages import DeliveryPolicy, Message, Renderer, RenderingFault
from ipm_workflow.services.portal import PortalService
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.reminders import HELP_RULE
from ipm_workflow.services.routing import Audience, Route, route
from ipm_workflow.services.series import plan_next, shifted_by_late_reminder

log = structlog.get_logger("ipm_workflow.worker")


class DeliveryService:
    """Everything the worker decides about a reminder, each outcome in its own transaction."""

    def __init__(self, cases: CaseService, renderer: Renderer, policy: DeliveryPolicy) -> None:
        self.cases = cases
        self.uow = cases.uow
        self.registry = cases.registry
        self.clock = cases.clock
        self.renderer = renderer
        self.policy = policy
        # The young person's own pages: their reminders end with a sign-in link (bootstrap).
        self.portal: PortalService | None = None

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

    def _audience(self, uow: UnitOfWork, reminder: Reminder) -> tuple[Audience, Any]:
        case, birth_date = uow.cases.get(reminder.case_id)
        person = uow.people.get(case.person_id)
        advisor = uow.directory.user(case.advisor_id) if case.advisor_id else None
        place = uow.directory.mission_locale(case.mission_locale_id)
        definition = self.cases.workflow_of(case).definition
        rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
        channel = rule.channel if rule is not None and reminder.kind == "reminder" else None
        # Supervisors are also the last fallback of any recipient who cannot be found.
        guardians = uow.guardians.of(person.id or 0)
        audience = Audience(case, person, advisor, place, self._supervisors, guardians, channel)
        return audience, birth_date

    def addressees(self, case_id: int, reminders: list[Reminder]) -> dict[int, str]:
        """Name whom each reminder of a case reaches: once sent, whom it reached; before, whom
        it would reach today (in-app included); timeouts reach nobody."""
        named = {r.id: r.addressee for r in reminders if r.addressee}
        waiting = [r for r in reminders if not r.addressee and r.kind != "timeout"]
        if not waiting:
            return named
        with self.uow(readonly=True) as uow:
            audience, _ = self._audience(uow, waiting[0])
        today, routes = self.cases.today(), {}
        for recipient in {r.recipient for r in waiting}:
            found = route(recipient, audience, today, self.policy)
            routes[recipient] = found.addressee if isinstance(found, Route) else f"nobody ({found})"
        return named | {r.id: routes[r.recipient] for r in waiting if r.case_id == case_id}

    def _supervisors(self) -> list[User]:
        with self.uow(readonly=True) as uow:
            return uow.directory.users_with_role(policy.SUPERVISOR)

    def prepare(self, reminder: Reminder, worker: str) -> Message | None:
        """Decide what to do with a claimed reminder; return the message to send, if any."""
        now = self.clock.now()
        with self.uow(readonly=True) as uow:
            if not self._still_ours(uow, reminder, worker, now):
                log.warning("reminder_lease_lost", reminder_id=reminder.id, worker=worker)
                self.cases.store.telemetry.lease_lost()
                return None
            try:
                audience, birth_date = self._audience(uow, reminder)
            except NotFound as exc:
                self._finish(reminder, worker, status=Status.SKIPPED, outcome=exc.message)
                return None
        computed = self.cases.workflow_of(audience.case).definition.computed
        facts = replace(
            audience.case.facts(self.cases.today(now), birth_date, computed),
            guardians=len(audience.guardians),
        )
        shift = self._shift(reminder, now)
        since = shift[0] if shift is not None else reminder.due_at
        if reminder.kind == "event":
            definition = self.cases.workflow_of(audience.case).definition
            stop = _event_stop(definition, reminder, now - since)
        else:
            stop = self._stop(reminder, audience.case, facts, now, since)
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
        return self._with_link(reminder, audience, found) if found is not None else None

    def _with_link(self, reminder: Reminder, audience: Audience, found: Route) -> Message:
        """Compose the message; a young person's or guardian's reminder ends with the link to
        their own pages, bound to them (the sign-in page when several guardians share it)."""
        message = self.compose(reminder, audience, found)
        if self.portal is None or reminder.recipient not in ("young_person", "guardian"):
            return message
        if found.channel == "in_app" or found.instead_of is not None:
            return message
        person_id = audience.person.id or 0
        guardian_id = None
        if reminder.recipient == "guardian":
            ids = [g.id for g in audience.guardians if g.email in found.to or g.phone in found.to]
            if len(ids) != 1 or ids[0] is None:
                footer = self.portal.sign_in_footer(found.language)
                return replace(message, body=message.body + footer)
            guardian_id = ids[0]
        with self.uow() as uow:
            footer = self.portal.reminder_footer(
                uow, person_id, guardian_id, reminder.case_id, found.language
            )
            uow.commit()
        return replace(message, body=message.body + footer)

    def subject(self, reminder: Reminder, language: str) -> str | None:
        """A reminder's subject as its recipient reads it (the young person's pages list them);
        None when it cannot be rendered."""
        with self.uow(readonly=True) as uow:
            audience, _ = self._audience(uow, reminder)
        found = Route("in_app", (), language, audience.person.timezone)
        try:
            return self.compose(reminder, audience, found).subject
        except RenderingFault:
            return None

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

    def _stop(
        self, reminder: Reminder, case: Case, facts: CaseFacts, now: datetime, since: datetime
    ) -> tuple[Status, str, bool] | None:
        """Say why a reminder must not go out (status, reason, whether its series goes on)."""
        definition = self.cases.workflow_of(case).definition
        rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
        if rule is None:
            gone = f"rule '{reminder.rule_id}' is no longer in the workflow"
            return (Status.SKIPPED, gone, False)
        if case.state not in rule_states(definition, rule):
            return (Status.CANCELLED, f"case now in {case.state}", False)
        if reminder.acknowledged_at is not None:
            return (Status.ACKNOWLEDGED, "acknowledged", False)
        if condition_cleared(rule, facts):
            return (Status.SKIPPED, "nothing left to remind: the condition has cleared", False)
        # Lateness counts from when it was due to go out (later, after a late reminder).
        late = now - since
        if (
            rule.max_lateness is not None
            and reminder.kind != "timeout"
            and (now > since + rule.max_lateness)
        ):
            return (
                Status.SKIPPED,
                f"too late: {late} after due, the rule allows {rule.max_lateness}",
                True,  # a skipped occurrence never ends its series
            )
        return None

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

    def compose(self, reminder: Reminder, audience: Audience, found: Route) -> Message:
        """Render a reminder for a route; RenderingFault when it cannot be (permanent)."""
        definition = self.cases.workflow_of(audience.case).definition
        return compose(
            reminder,
            audience,
            found,
            definition=definition,
            today=self.cases.today(),
            renderer=self.renderer,
            policy=self.policy,
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

    def preview(self, reminder_id: int, actor: Actor, case_id: int | None = None) -> Message:
        """Render a reminder as it would be sent now, without sending it."""
        with self.uow(readonly=True) as uow:
            reminder = uow.reminders.get(reminder_id)
            if reminder is None or (case_id is not None and reminder.case_id != case_id):
                raise NotFound(f"reminder {reminder_id} not found")
            audience, _ = self._audience(uow, reminder)
        if not policy.reaches(actor, audience.case.mission_locale_id):
            raise NotFound(f"reminder {reminder_id} not found")
        if reminder.kind == "timeout":
            raise NotFound(
                f"reminder {reminder_id} is a timeout: it fires "
                f"'{reminder.trigger}', it sends nothing"
            )
        found = route(reminder.recipient, audience, self.cases.today(), self.policy)
        if isinstance(found, str):
            found = Route(
                "in_app",
                (),
                audience.person.language,
                audience.person.timezone,
                addressee=f"nobody reachable ({found})",
            )
        try:
            return self.compose(reminder, audience, found)
        except RenderingFault as exc:
            raise InvalidInput(
                f"reminder {reminder_id} cannot be rendered: {exc}",
                [{"field": "reminder", "message": str(exc)}],
            ) from exc


def _event_stop(
    definition: Workflow, reminder: Reminder, late: timedelta
) -> tuple[Status, str, bool] | None:
    """Say why an event message must not go out: it went from the workflow, or is too late.

    Unlike a reminder, it is not cancelled when the case moves on: the event did happen.
    """
    event = next((e for e in definition.events if e.id == reminder.rule_id), None)
    if reminder.rule_id == HELP_RULE and reminder.acknowledged_at is None:
        return None  # "I need help" from the young person's pages: every workflow has it
    if event is None:
        return (Status.SKIPPED, f"event message '{reminder.rule_id}' is no longer declared", False)
    if reminder.acknowledged_at is not None:
        return (Status.ACKNOWLEDGED, "acknowledged", False)
    if event.max_lateness is not None and late > event.max_lateness:
        return (
            Status.SKIPPED,
            f"too late: {late} after due, the event allows {event.max_lateness}",
            False,
        )
    return None
