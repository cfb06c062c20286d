"""Reminders over HTTP: a case's reminders, acknowledgement, preview, the advisor's agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller
from litestar.params import FromPath, QueryParameter
from pydantic import BaseModel, Field

from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.outputs import from_attributes


class ReminderOut(BaseModel):
    """A reminder, escalation or timeout of a case, and where it stands."""

    id: int
    case_id: int
    rule_id: str
    kind: str = Field(description="reminder, escalation or timeout")
    occurrence: int = Field(description="0 for the first send, then each repetition")
    recipient: str
    template: str | None
    trigger: str | None = Field(description="For a timeout: the trigger it fires.")
    due_at: datetime
    next_attempt_at: datetime
    status: str = Field(
        description="planned, sending, retry, sent, skipped, cancelled, acknowledged or dead"
    )
    attempts: int
    channel: str | None
    message_id: str | None
    sent_at: datetime | None
    acknowledged_at: datetime | None
    outcome: str | None = Field(description="Why it is in this status (reason, last error).")
    addressee: str | None = Field(
        default=None,
        description="Whom the message reached (once sent) or would reach today, named: in-app "
        "messages too; none for a timeout.",
    )

    @classmethod
    def of(cls, r: Reminder, addressee: str | None = None) -> ReminderOut:
        """Render a reminder."""
        return from_attributes(cls, r, addressee=addressee or r.addressee)


class PreviewOut(BaseModel):
    """A reminder rendered as it would be sent now."""

    channel: str
    to: list[str]
    subject: str
    body: str
    message_id: str
    language: str
    addressee: str | None = Field(description="Whom it would reach, named (in-app too).")


class AgendaOut(BaseModel):
    """What is due across the cases you follow."""

    until: datetime
    reminders: list[ReminderOut]


class ReminderController(Controller):
    """Reminders of cases."""

    path = "/api/v1"
    tags = ["reminders"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.REMINDERS_READ)]  # noqa: RUF012 - Litestar's declaration style

    @routes.get("/cases/{case_id:int}/reminders", "A case's reminders")
    def of_case(self, call: CallDep, case_id: FromPath[int]) -> list[ReminderOut]:
        """Planned, sent, failed and cancelled reminders, with their reasons and dates."""
        rows = call.container.reminders.of_case(case_id, call.actor)
        names = call.container.delivery.addressees(case_id, rows)
        return [ReminderOut.of(r, names.get(r.id)) for r in rows]

    @routes.post(
        "/cases/{case_id:int}/reminders/{reminder_id:int}/acknowledge",
        "Acknowledge a reminder",
        Action.REMINDERS_ACKNOWLEDGE,
    )
    def acknowledge(
        self, call: CallDep, case_id: FromPath[int], reminder_id: FromPath[int]
    ) -> ReminderOut:
        """Stop the reminder's repetitions, escalations and timeout (recorded in the history)."""
        return ReminderOut.of(
            call.container.reminders.acknowledge(case_id, reminder_id, call.actor, call.request_id)
        )

    @routes.get("/cases/{case_id:int}/reminders/{reminder_id:int}/preview", "Preview a reminder")
    def preview(
        self, call: CallDep, case_id: FromPath[int], reminder_id: FromPath[int]
    ) -> PreviewOut:
        """The message as it would be sent now, to whom and by which channel."""
        call.container.cases.get(case_id, call.actor)
        message = call.container.delivery.preview(reminder_id, call.actor, case_id)
        return from_attributes(PreviewOut, message, to=list(message.to))

    @routes.get("/agenda", "The advisor's agenda")
    def agenda(
        self, call: CallDep, days: Annotated[int, QueryParameter(ge=1, le=366)] = 14
    ) -> AgendaOut:
        """Pending reminders due within some days across your cases (all for supervisors)."""
        agenda = call.container.reminders.agenda(call.actor, days)
        return AgendaOut(
            until=agenda.until, reminders=[ReminderOut.of(r) for r in agenda.reminders]
        )
