"""The worker's decisions: claim due reminders, decide, render, and record every outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case, CaseFacts
from ipm_workflow.domain.errors import DomainError, NotFound
from ipm_workflow.domain.guards import DocumentsPresent
from ipm_workflow.domain.reminders import (
    Planned,
    Reminder,
    condition_cleared,
    in_quiet_hours,
    next_repeat,
    rule_states,
)
from ipm_workflow.services.commands import SYSTEM, Actor, FireTrigger
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.messages import DeliveryPolicy, Message, Renderer
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.routing import Audience, Route, route

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
            "reminder_" + outcome["status"],
            reminder_id=reminder.id,
            case_id=reminder.case_id,
            rule=reminder.rule_id,
            kind=reminder.kind,
        )

    def _audience(self, uow: UnitOfWork, reminder: Reminder) -> tuple[Audience, Any]:
        case, birth_date = uow.cases.get(reminder.case_id)
        person = uow.people.get(case.person_id)
        advisor = uow.directory.user(case.advisor_id) if case.advisor_id else None
        supervisors = (
            uow.directory.users_with_role(policy.SUPERVISOR)
            if reminder.recipient == policy.SUPERVISOR
            else []
        )
        audience = Audience(
            case, person, advisor, uow.directory.mission_locale(case.mission_locale_id), supervisors
        )
        return audience, birth_date

    def prepare(self, reminder: Reminder, worker: str) -> Message | None:
        """Decide what to do with a claimed reminder; return the message to send, if any."""
        now = self.clock.now()
        with self.uow(readonly=True) as uow:
            if not self._still_ours(uow, reminder, worker, now):
                log.warning("reminder_lease_lost", reminder_id=reminder.id, worker=worker)
                return None
            try:
                audience, birth_date = self._audience(uow, reminder)
            except NotFound as exc:
                self._finish(reminder, worker, status="skipped", outcome=exc.message)
                return None
        facts = audience.case.facts(self.cases.today(now), birth_date)
        stop = self._stop(reminder, audience.case, facts, now)
        if stop is not None:
            self._finish(reminder, worker, status=stop[0], outcome=stop[1])
            return None
        if reminder.kind == "timeout":
            self._fire_timeout(reminder, worker)
            return None
        found = self._route_now(reminder, worker, audience, facts.today, now)
        return self.compose(reminder, audience, found) if found is not None else None

    def _route_now(
        self, reminder: Reminder, worker: str, audience: Audience, today: date, now: datetime
    ) -> Route | None:
        """Find the recipient's route; skip (nobody to reach) or wait (quiet hours) otherwise."""
        found = route(reminder.recipient, audience, today, self.policy)
        if isinstance(found, str):
            self._finish(reminder, worker, status="skipped", outcome=found)
            return None
        morning = in_quiet_hours(
            now, ZoneInfo(found.timezone), self.policy.quiet_start, self.policy.quiet_end
        )
        if morning is not None:
            self._finish(
                reminder,
                worker,
                status="planned",
                next_attempt_at=morning,
                count_attempt=False,
                outcome=f"held back for quiet hours in {found.timezone}",
            )
            return None
        return found

    @staticmethod
    def _still_ours(uow: UnitOfWork, reminder: Reminder, worker: str, now: datetime) -> bool:
        # Past our lease, another worker may have taken the reminder over: leave it to them.
        held = uow.reminders.get(reminder.id)
        return (
            held is not None
            and held.claimed_by == worker
            and held.status == "sending"
            and (held.lease_until is None or held.lease_until > now)
        )

    def _stop(
        self, reminder: Reminder, case: Case, facts: CaseFacts, now: datetime
    ) -> tuple[str, str] | None:
        """Say why a reminder must not go out any more (status and reason), if it must not."""
        definition = self.cases.workflow_of(case).definition
        rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
        if rule is None:
            return ("skipped", f"rule '{reminder.rule_id}' is no longer in the workflow")
        if case.state not in rule_states(definition, rule):
            return ("cancelled", f"case now in {case.state}")
        if reminder.acknowledged_at is not None:
            return ("cancelled", "acknowledged")
        if condition_cleared(rule, facts):
            return ("skipped", "nothing left to remind: the condition has cleared")
        late = now - reminder.due_at
        if (
            rule.max_lateness is not None
            and reminder.kind != "timeout"
            and (late > rule.max_lateness)
        ):
            return ("skipped", f"too late: {late} after due, the rule allows {rule.max_lateness}")
        return None

    def compose(self, reminder: Reminder, audience: Audience, found: Route) -> Message:
        """Render a reminder for a route."""
        case, lang = audience.case, found.language
        definition = self.cases.workflow_of(case).definition
        state = definition.states[case.state]
        # The documents this rule waits for (its `unless` document guards), not the whole list.
        rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
        facts = case.facts(self.cases.today(), audience.person.birth_date)
        lacking: dict[str, None] = {}
        for guard in rule.unless if rule else []:
            if isinstance(guard, DocumentsPresent) and (unmet := guard.check(facts)):
                lacking.update(dict.fromkeys(unmet.detail))
        missing = [
            (
                definition.documents[name].label.fr
                if lang == "fr"
                else definition.documents[name].label.en
            )
            for name in lacking
            if name in definition.documents
        ]
        context = {
            "recipient": reminder.recipient,
            "first_name": audience.person.first_name,
            "case_id": case.id,
            "case_url": f"{self.policy.public_url}/cases/{case.id}",
            "state_label": state.label.fr if lang == "fr" else state.label.en,
            "workflow_title": definition.title.fr if lang == "fr" else definition.title.en,
            "due_date": reminder.due_at.astimezone(ZoneInfo(found.timezone)).date().isoformat(),
            "rule_id": reminder.rule_id,
            "occurrence": reminder.occurrence,
            "data": dict(case.data),
            "missing_documents": missing,
            "mission_locale": audience.mission_locale.name,
        }
        subject, body = self.renderer.render(reminder.template or "", lang, context)
        return Message(
            reminder.id,
            reminder.case_id,
            found.channel,
            found.to,
            subject,
            body,
            f"<reminder-{reminder.id}@{self.policy.message_id_domain}>",
            lang,
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
                reminder, worker, status="skipped", outcome=f"timeout not applied: {exc.message}"
            )
            return
        self._finish(
            reminder,
            worker,
            status="sent",
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
                status="sent",
                outcome=f"delivered by {message.channel}",
                channel=message.channel,
                message_id=message.message_id,
            )
            if recorded and reminder.kind == "reminder":
                self._plan_repeat(uow, reminder, now)
            uow.commit()
        log.info(
            "reminder_sent",
            reminder_id=reminder.id,
            case_id=reminder.case_id,
            rule=reminder.rule_id,
            channel=message.channel,
        )

    def _plan_repeat(self, uow: UnitOfWork, reminder: Reminder, now: datetime) -> None:
        case, _ = uow.cases.get(reminder.case_id)
        definition = self.cases.workflow_of(case).definition
        rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
        if rule is None:
            return
        current = uow.reminders.get(reminder.id)
        if current is not None and current.acknowledged_at is not None:
            return  # acknowledged while it was being sent: no more repetitions
        due = next_repeat(rule, reminder.due_at, reminder.occurrence, self.cases.tz)
        if due is None:
            return
        follow = Planned(
            reminder.rule_id,
            "reminder",
            reminder.occurrence + 1,
            reminder.recipient,
            reminder.template,
            None,
            reminder.anchor_at,
            due,
        )
        if follow.key not in {r.key for r in uow.reminders.for_case(reminder.case_id)}:
            uow.reminders.add(reminder.case_id, [follow], now)

    def failed(self, reminder: Reminder, worker: str, error: str, *, temporary: bool) -> None:
        """Record a failed attempt: retry later with back-off, or dead-letter it."""
        exhausted = reminder.attempts >= self.policy.max_attempts
        if temporary and not exhausted:
            retry_at = self.clock.now() + self.policy.backoff(reminder.attempts)
            self._finish(reminder, worker, status="retry", outcome=error, next_attempt_at=retry_at)
            return
        why = "permanent failure" if not temporary else f"{reminder.attempts} attempts failed"
        self._finish(reminder, worker, status="dead", outcome=f"{why}: {error}")

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
            found = Route("in_app", (), audience.person.language, audience.person.timezone)
        return self.compose(reminder, audience, found)
