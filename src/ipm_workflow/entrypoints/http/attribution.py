"""Issue 11 routes: a person's eligibility, staff who leave (deactivation, open cases, handover)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.text import OptionalReason
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.case_routes import IdempotencyKey, render
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.outputs import batch_answer, from_attributes
from ipm_workflow.entrypoints.http.schemas import (
    Body,
    CaseOut,
    Int,
)


class RefusalOut(BaseModel):
    """One unmet eligibility rule: the programme, the rule, the value and the bound."""

    code: str
    message: str
    detail: dict[str, Any]


class ProgrammeEligibilityOut(BaseModel):
    """Whether the person can still apply to one programme, and why not."""

    workflow: str
    workflow_version: int
    programme: str
    source: str | None = Field(description="Where the programme's bounds come from.")
    eligible: bool
    refusals: list[RefusalOut]


class EligibilityOut(BaseModel):
    """Every programme of the latest workflow versions, judged for one person today."""

    person_id: int
    programmes: list[ProgrammeEligibilityOut]


@routes.get(
    "/api/v1/people/{person_id:int}/eligibility",
    "Which programmes a person can still apply to",
    Action.PEOPLE_READ,
    tags=["people"],
)
def eligibility(call: CallDep, person_id: FromPath[int]) -> EligibilityOut:
    """Each programme with its refusals (rule, value, bound); dates not known yet are not held
    against the person, only what already excludes them (an age above a bound, once done)."""
    verdicts = call.container.eligibility.for_person(person_id, call.actor)
    return EligibilityOut(
        person_id=person_id,
        programmes=[
            from_attributes(
                ProgrammeEligibilityOut, v, refusals=[RefusalOut(**u.as_dict()) for u in v.refusals]
            )
            for v in verdicts
        ],
    )


class DeactivatedOut(BaseModel):
    """A user switched off; their tokens stopped working at once."""

    user_id: int
    was_active: bool
    tokens_revoked: int


class HandoverIn(Body):
    """Hand every open case of a departing advisor to another advisor."""

    to_user_id: Int = Field(examples=[7])
    reason: OptionalReason = None


class HandoverItemOut(BaseModel):
    """What the handover did to one case."""

    case_id: int
    ok: bool
    reminders_moved: int = Field(description="Pending reminders to the advisor, now theirs.")
    error: str | None = None
    message: str | None = None


class HandoverOut(BaseModel):
    """The per-case results of a handover."""

    from_user_id: int = Field(description="The advisor whose cases were handed over.")
    to_user_id: int = Field(description="The advisor now in charge of them.")
    succeeded: int
    failed: int
    items: list[HandoverItemOut]


class StaffController(Controller):
    """Staff who leave: deactivation, their open cases, and one handover."""

    path = "/api/v1/users"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @routes.post(
        "/{user_id:int}/deactivation",
        "Deactivate a user (tokens revoked at once)",
        Action.DIRECTORY,
    )
    def deactivate(self, call: CallDep, user_id: FromPath[int]) -> DeactivatedOut:
        """No sign-in from now on; the user's cases stay theirs until handed over."""
        done = call.container.staff.deactivate(user_id, call.actor)
        return from_attributes(DeactivatedOut, done, user_id=user_id)

    @routes.get("/{user_id:int}/open-cases", "A user's open cases", Action.CASES_REASSIGN)
    def open_cases(self, call: CallDep, user_id: FromPath[int]) -> list[CaseOut]:
        """The cases not closed whose advisor is this user, within your reach."""
        return [
            render(call.container, c) for c in call.container.staff.open_cases(user_id, call.actor)
        ]

    @routes.post(
        "/{user_id:int}/handover",
        "Hand a user's open cases and reminders to another advisor",
        Action.CASES_REASSIGN,
    )
    def handover(
        self,
        call: CallDep,
        user_id: FromPath[int],
        data: JSONBody[HandoverIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[HandoverOut]:
        """One action: each case reassigned on its own (per-case result); reminders follow."""
        result = call.container.staff.hand_over(
            user_id,
            data.to_user_id,
            call.actor,
            reason=data.reason,
            idempotency_key=idempotency_key,
        )
        return batch_answer(HandoverOut, HandoverItemOut, result)
