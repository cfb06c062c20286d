"""Whom a reminder reaches and what it says: its audience, routes, rendering and preview.

The worker (delivery.py) sends what this composes; the reminder list, the preview and the
young person's pages read it without sending anything.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.people import User
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.commands import Actor
from ipm_workflow.services.composing import compose
from ipm_workflow.services.handlers import CaseService
from ipm_workflow.services.messages import DeliveryPolicy, Message, Renderer, RenderingFault
from ipm_workflow.services.portal import PortalService
from ipm_workflow.services.ports import UnitOfWork
from ipm_workflow.services.routing import Audience, Route, route


class Addressing:
    """The audience, routes and rendered messages of reminders (nothing is sent here)."""

    def __init__(self, cases: CaseService, renderer: Renderer, policy: DeliveryPolicy) -> None:
        self.cases = cases
        self.uow = cases.uow
        self.renderer = renderer
        self.policy = policy
        # The young person's own pages: their reminders end with a sign-in link (bootstrap).
        self.portal: PortalService | None = None

    def audience(self, uow: UnitOfWork, reminder: Reminder) -> tuple[Audience, date | None]:
        """The people around a reminder's case, and its young person's birth date; NotFound
        when the case or person is gone."""
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

    def _supervisors(self) -> list[User]:
        with self.uow(readonly=True) as uow:
            return uow.directory.users_with_role(policy.SUPERVISOR)

    def addressees(self, case_id: int, reminders: list[Reminder]) -> dict[int, str]:
        """Name whom each reminder of a case reaches: once sent, whom it reached; before, whom
        it would reach today (in-app included); timeouts reach nobody."""
        named = {r.id: r.addressee for r in reminders if r.addressee}
        waiting = [r for r in reminders if not r.addressee and r.kind != "timeout"]
        if not waiting:
            return named
        with self.uow(readonly=True) as uow:
            audience, _ = self.audience(uow, waiting[0])
        today, routes = self.cases.today(), {}
        for recipient in {r.recipient for r in waiting}:
            found = route(recipient, audience, today, self.policy)
            routes[recipient] = found.addressee if isinstance(found, Route) else f"nobody ({found})"
        return named | {r.id: routes[r.recipient] for r in waiting if r.case_id == case_id}

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

    def with_link(self, reminder: Reminder, audience: Audience, found: Route) -> Message:
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
            audience, _ = self.audience(uow, reminder)
        found = Route("in_app", (), language, audience.person.timezone)
        try:
            return self.compose(reminder, audience, found).subject
        except RenderingFault:
            return None

    def preview(self, reminder_id: int, actor: Actor, case_id: int | None = None) -> Message:
        """Render a reminder as it would be sent now, without sending it. NotFound for a
        reminder the actor does not see (or of another case) and for a timeout; InvalidInput
        when it cannot be rendered."""
        with self.uow(readonly=True) as uow:
            reminder = uow.reminders.get(reminder_id)
            if reminder is None or (case_id is not None and reminder.case_id != case_id):
                raise NotFound(f"reminder {reminder_id} not found")
            audience, _ = self.audience(uow, reminder)
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
            raise invalid_field(
                f"reminder {reminder_id} cannot be rendered: {exc}", "reminder", str(exc)
            ) from exc
