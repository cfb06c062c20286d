"""Cohorts over HTTP, and merging duplicate cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Response
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from ipm_workflow.domain.people import Cohort
from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.text import Line, OptionalReason, Reason
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.case_routes import IdempotencyKey, render
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.outputs import batch_answer, from_attributes
from ipm_workflow.entrypoints.http.schemas import (
    Body,
    Bool,
    CaseOut,
    Ident,
    Int,
)
from ipm_workflow.services.idempotency import fingerprint


class CohortIn(Body):
    """A cohort to create."""

    code: Ident = Field(examples=["VET-MALTA-2027-03"])
    label: Line = Field(examples=["Groupe Malte, mars 2027"])
    workflow: Ident = Field(examples=["erasmus_vet_group"])
    planned_start: date | None = None
    planned_end: date | None = None


class CohortOut(BaseModel):
    """A cohort."""

    id: int
    code: str = Field(description="The cohort's own reference, unique.")
    label: str
    workflow: str
    planned_start: date | None
    planned_end: date | None

    @classmethod
    def of(cls, cohort: Cohort) -> CohortOut:
        """Render a cohort."""
        return from_attributes(cls, cohort, id=cohort.id or 0)


class CohortDetail(CohortOut):
    """A cohort and the cases in it."""

    cases: list[CaseOut]


class MembersIn(Body):
    """Cases to put in a cohort."""

    case_ids: list[Int] = Field(min_length=1, max_length=1000)


class BulkIn(Body):
    """A trigger to fire on every case of a cohort."""

    trigger: Ident = Field(examples=["depart"])
    inputs: dict[str, Any] = Field(default_factory=dict)
    reason: OptionalReason = None
    dry_run: Bool = Field(default=False, description="Say what would happen; change nothing.")


class BulkItemOut(BaseModel):
    """The result for one case."""

    case_id: int
    ok: bool
    from_state: str
    to_state: str | None
    error: str | None
    message: str | None
    unmet: list[dict[str, Any]]


class BulkOut(BaseModel):
    """Per-case results of a bulk action."""

    cohort_id: int
    trigger: str
    dry_run: bool
    succeeded: int
    failed: int
    items: list[BulkItemOut]


class MergeIn(Body):
    """The duplicate case to merge into this one."""

    duplicate_id: Int
    reason: Reason


class MergeOut(BaseModel):
    """The surviving case and the merged one."""

    survivor: CaseOut
    merged: CaseOut


class CohortController(Controller):
    """Groups leaving together; bulk actions per case."""

    path = "/api/v1/cohorts"
    tags = ["cohorts"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.COHORTS_READ)]  # noqa: RUF012 - Litestar's declaration style

    @routes.post("/", "Create a cohort", Action.COHORTS_WRITE, status_code=201)
    def create(self, call: CallDep, data: JSONBody[CohortIn]) -> Response[CohortOut]:
        """Create a cohort on a workflow."""
        cohort = call.container.cohorts.create(
            data.code,
            data.label,
            data.workflow,
            data.planned_start,
            data.planned_end,
            actor=call.actor,
        )
        return Response(CohortOut.of(cohort), status_code=201)

    @routes.get("/", "List cohorts")
    def list_cohorts(self, call: CallDep) -> list[CohortOut]:
        """The cohorts you may see: with a case of your missions locales, or created by you."""
        return [CohortOut.of(c) for c in call.container.cohorts.all(call.actor)]

    @routes.get("/{cohort_id:int}", "Read a cohort")
    def read(self, call: CallDep, cohort_id: FromPath[int]) -> CohortDetail:
        """A cohort and the cases in it that you may see."""
        cohort = call.container.cohorts.get(cohort_id, call.actor)
        cases = call.container.cohorts.members(cohort_id, call.actor)
        return CohortDetail(
            **CohortOut.of(cohort).model_dump(), cases=[render(call.container, c) for c in cases]
        )

    @routes.post("/{cohort_id:int}/members", "Add cases to a cohort", Action.COHORTS_WRITE)
    def add(
        self, call: CallDep, cohort_id: FromPath[int], data: JSONBody[MembersIn]
    ) -> list[CaseOut]:
        """Put cases in the cohort (recorded in each case's history)."""
        added = call.container.cohorts.add_cases(cohort_id, data.case_ids, call.actor)
        return [render(call.container, c) for c in added]

    @routes.post(
        "/{cohort_id:int}/transitions", "Fire a trigger on the whole cohort", Action.COHORTS_WRITE
    )
    def bulk(
        self,
        call: CallDep,
        cohort_id: FromPath[int],
        data: JSONBody[BulkIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[BulkOut]:
        """Each case moves (or not) on its own; one case that cannot go does not stop others."""
        result = call.container.cohorts.bulk_fire(
            cohort_id,
            data.trigger,
            call.actor,
            inputs=data.inputs,
            reason=data.reason,
            dry_run=data.dry_run,
            request_id=call.request_id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint(
                "POST", f"/api/v1/cohorts/{cohort_id}/transitions", data.model_dump(mode="json")
            ),
        )
        return batch_answer(BulkOut, BulkItemOut, result)


@routes.post(
    "/api/v1/cases/{case_id:int}/merges",
    "Merge a duplicate into this case",
    Action.CASES_MERGE,
    tags=["cases"],
)
def merge_case(call: CallDep, case_id: FromPath[int], data: JSONBody[MergeIn]) -> MergeOut:
    """The duplicate ends merged (terminal, history kept); the person is counted once."""
    merged = call.container.merges.merge(
        case_id, data.duplicate_id, data.reason, call.actor, call.request_id
    )
    return MergeOut(
        survivor=render(call.container, merged.survivor),
        merged=render(call.container, merged.merged),
    )
