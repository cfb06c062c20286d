"""After the stay: contact attempts and checkpoints, money of the mobility (README sections
"Contact attempts and outcomes" and "Money on a mobility")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from litestar import Controller, Response
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, Field

from ipm_workflow.domain.money import format_cents
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.text import OptionalReason
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.case_routes import ChangeDep, changes_case
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import Body, Bool, Int
from ipm_workflow.services.aftercare import (
    ConfirmGrant,
    FollowUpView,
    LogContactAttempt,
    MoneyView,
)

Channel = Literal["sms", "call", "email", "letter", "mission_locale"]


class ContactAttemptIn(Body):
    """One try to reach the young person; the note is free text (never logged nor exported)."""

    channel: Channel
    answered: Bool
    at: datetime | None = Field(default=None, description="When it was made (default: now).")
    checkpoint: str | None = Field(
        default=None, max_length=32, description="Default: the latest checkpoint opened then."
    )
    note: str | None = Field(default=None, max_length=10_000)
    version: Int | None = Field(default=None, description="Expected case version.")


class ContactAttemptOut(BaseModel):
    """A recorded attempt."""

    id: int | None
    at: datetime
    channel: str
    answered: bool
    by: str
    checkpoint: str | None
    note: str | None


class CheckpointOut(BaseModel):
    """Where one checkpoint stands: not open, not yet asked, unknown, or recorded."""

    id: str
    opens_on: date | None = Field(description="The day it may be asked from (None: not known yet).")
    status: Literal["not_open", "not_yet_asked", "unknown", "recorded"] = Field(
        description="`unknown`: the outcome stayed blank until the next checkpoint opened "
        "or the follow-up ended."
    )
    outcome: str | None
    source: str | None
    date: str | None
    confidence: str | None
    attempts: int = Field(description="Contact attempts logged for this checkpoint.")
    answered: int = Field(description="Those of the attempts that were answered.")


class FollowUpOut(BaseModel):
    """A case's contact attempts and checkpoints."""

    case_id: int
    version: int
    attempts: list[ContactAttemptOut]
    checkpoints: list[CheckpointOut]
    lost_contact_due: str | None = Field(
        description="The day the declared lost-contact rule is met, if the attempts so far meet it."
    )

    @classmethod
    def of(cls, view: FollowUpView) -> FollowUpOut:
        """Render the follow-up of a case."""
        return cls(
            case_id=view.case.id or 0,
            version=view.case.version,
            attempts=[from_attributes(ContactAttemptOut, a) for a in view.attempts],
            checkpoints=[CheckpointOut(**c.__dict__) for c in view.checkpoints],
            lost_contact_due=view.lost_contact_due,
        )


class ProposalOut(BaseModel):
    """The grant proposed for the days done (a person confirms it)."""

    rule: str
    agreed: int
    days_done: int
    planned_days: int
    proposed: int
    prefinanced: int
    balance: int
    recovery: int


class MoneyOut(BaseModel):
    """Money of a mobility in euro cents (integers), with the amounts as people read them."""

    case_id: int
    version: int
    values: dict[str, int | str | bool | None]
    display: dict[str, str] = Field(description="Each amount formatted in the chosen language.")
    days_done: int | None
    balance_due: date | None
    proposal: ProposalOut | None

    @classmethod
    def of(cls, view: MoneyView, lang: str) -> MoneyOut:
        """Render the money of a case."""
        display = {
            k: format_cents(v, lang)
            for k, v in view.values.items()
            if isinstance(v, int) and not isinstance(v, bool)
        }
        proposal = view.proposal
        return cls(
            case_id=view.case.id or 0,
            version=view.case.version,
            values=view.values,
            display=display,
            days_done=view.days_done,
            balance_due=view.balance_due,
            proposal=ProposalOut(**proposal.__dict__) if proposal else None,
        )


class GrantConfirmationIn(Body):
    """Confirm the recomputed grant: the proposal, or another amount with a reason."""

    amount: Int | None = Field(default=None, ge=0, description="Euro cents (default: proposal).")
    reason: OptionalReason = None
    version: Int | None = Field(default=None, description="Expected case version.")


class AftercareController(Controller):
    """Contact attempts, checkpoint outcomes and money of a case."""

    path = "/api/v1/cases"
    tags = ["follow-up and money"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.CASES_READ)]  # noqa: RUF012 - Litestar's declaration style

    @changes_case(
        "POST", "/{case_id:int}/contact-attempts", "Log a contact attempt", Action.CASES_DATA
    )
    def log_attempt(
        self, change: ChangeDep, data: JSONBody[ContactAttemptIn]
    ) -> Response[ContactAttemptOut]:
        """Log a call, SMS, e-mail, letter or word through the mission locale (201)."""
        cmd = LogContactAttempt(
            change.case_id,
            data.channel,
            data.answered,
            data.at,
            data.checkpoint,
            data.note,
            change.expected(data.version),
            change.request_id,
        )
        case, attempt = change.container.cases.aftercare.log_attempt(cmd, change.actor)
        out = from_attributes(ContactAttemptOut, attempt)
        return Response(out, status_code=201, headers={"ETag": f'"{case.version}"'})

    @routes.get("/{case_id:int}/contact-attempts", "Contact attempts and checkpoints")
    def follow_up(self, call: CallDep, case_id: FromPath[int]) -> FollowUpOut:
        """Every attempt, oldest first, and where each checkpoint stands."""
        return FollowUpOut.of(call.container.cases.aftercare.follow_up(case_id, call.actor))

    @routes.get("/{case_id:int}/money", "Money")
    def money(
        self, call: CallDep, case_id: FromPath[int], lang: FromQuery[Literal["fr", "en"]] = "fr"
    ) -> MoneyOut:
        """Grant, pre-financing, balance and recovery; the grant proposed for the days done."""
        return MoneyOut.of(call.container.cases.aftercare.money(case_id, call.actor), lang)

    @changes_case(
        "POST",
        "/{case_id:int}/money/grant-confirmation",
        "Confirm the recomputed grant",
        Action.CASES_DATA,
    )
    def confirm_grant(
        self, change: ChangeDep, data: JSONBody[GrantConfirmationIn]
    ) -> Response[MoneyOut]:
        """Confirm the grant: the balance, or a recovery order issued today (recorded)."""
        version = change.expected(data.version)
        cmd = ConfirmGrant(change.case_id, data.amount, data.reason, version, change.request_id)
        view = change.container.cases.aftercare.confirm_grant(cmd, change.actor)
        return Response(MoneyOut.of(view, "fr"), headers={"ETag": f'"{view.case.version}"'})
