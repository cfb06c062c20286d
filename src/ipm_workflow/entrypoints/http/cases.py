"""Cases: open, list, read, explain actions, fire transitions, change data, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, patch, post, put
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from ipm_workflow.bootstrap import sortable_case_fields
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.http.preconditions import (
    IF_MATCH_RESPONSES,
    IfMatch,
    expected_version,
)
from ipm_workflow.entrypoints.http.schemas import (
    PROBLEM_RESPONSES,
    ActionOut,
    ActionsOut,
    CaseDataPatch,
    CaseOpenIn,
    CaseOut,
    CasePage,
    DocumentIn,
    HistoryEntryOut,
    ReassignIn,
    TransitionIn,
    TransitionOut,
)
from ipm_workflow.services.commands import (
    FireTrigger,
    OpenCase,
    Reassign,
    RecordDocument,
    UpdateData,
)
from ipm_workflow.services.handlers import Fired
from ipm_workflow.services.idempotency import fingerprint
from ipm_workflow.services.ports import CaseQuery

SORTABLE = sortable_case_fields()

Phase = Literal[
    "orientation", "preparation", "departure", "abroad", "return", "follow_up", "closed"
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Retrying with the same key replays the first answer and changes nothing.",
    ),
]


def render(container: ContainerDep, case: Case) -> CaseOut:
    """Render a case with its workflow's labels."""
    return CaseOut.of(case, container.cases.workflow_of(case).definition)


def with_etag(case_out: CaseOut, status: int = 200, **headers: str) -> Response[CaseOut]:
    """Answer a case with its version as ETag."""
    return Response(
        case_out, status_code=status, headers={"ETag": f'"{case_out.version}"', **headers}
    )


class CaseController(Controller):
    """Young people's journeys."""

    path = "/api/v1/cases"
    tags = ["cases"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.CASES_READ)]  # noqa: RUF012 - Litestar's declaration style

    @get("/", sync_to_thread=True, summary="List cases", responses=PROBLEM_RESPONSES)
    def list_cases(
        self,
        container: ContainerDep,
        actor: ActorDep,
        state_name: Annotated[str | None, QueryParameter(name="state")] = None,
        phase: FromQuery[Phase | None] = None,
        workflow: FromQuery[str | None] = None,
        mission_locale: FromQuery[str | None] = None,
        advisor_id: FromQuery[int | None] = None,
        overdue: Annotated[
            bool, QueryParameter(description="Only cases past their state's SLA.")
        ] = False,
        opened_from: FromQuery[datetime | None] = None,
        opened_to: FromQuery[datetime | None] = None,
        sort: Annotated[
            str,
            QueryParameter(description=f"One of {', '.join(SORTABLE)}; prefix '-' for descending."),
        ] = "id",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> CasePage:
        """List the cases you may see, filtered, sorted and paginated (stable order)."""
        key = sort.removeprefix("-")
        if key not in SORTABLE:
            raise ValidationException(f"sort must be one of {', '.join(SORTABLE)}")
        query = CaseQuery(
            state=state_name,
            workflow=workflow,
            advisor_id=advisor_id,
            mission_locales=[mission_locale] if mission_locale else None,
            opened_from=opened_from,
            opened_to=opened_to,
            sort=key,
            descending=sort.startswith("-"),
            limit=limit,
            offset=offset,
        )
        cases, total = container.cases.list_cases(query, actor, phase=phase, overdue=overdue)
        return CasePage(
            items=[render(container, c) for c in cases], total=total, limit=limit, offset=offset
        )

    @post(
        "/",
        sync_to_thread=True,
        summary="Open a case",
        responses=PROBLEM_RESPONSES,
        guards=[requires(Action.CASES_OPEN)],
    )
    def open_case(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        data: JSONBody[CaseOpenIn],
    ) -> Response[CaseOut]:
        """Open a case for a person on a workflow, in its initial state."""
        case = container.cases.open_case(
            OpenCase(
                data.person_id,
                data.workflow,
                data.mission_locale_id,
                data.advisor_id,
                data.inputs,
                data.workflow_version,
                request_id,
            ),
            actor,
        )
        return with_etag(render(container, case), 201, Location=f"/api/v1/cases/{case.id}")

    @get("/{case_id:int}", sync_to_thread=True, summary="Read a case", responses=PROBLEM_RESPONSES)
    def get_case(
        self, container: ContainerDep, actor: ActorDep, case_id: FromPath[int]
    ) -> Response[CaseOut]:
        """Return one case (404 if it belongs to a mission locale you do not work for)."""
        return with_etag(render(container, container.cases.get(case_id, actor)))

    @get(
        "/{case_id:int}/actions",
        sync_to_thread=True,
        summary="Explain the available actions",
        responses=PROBLEM_RESPONSES,
    )
    def actions(
        self, container: ContainerDep, actor: ActorDep, case_id: FromPath[int]
    ) -> ActionsOut:
        """Every trigger out of the current state, allowed or denied with reasons and inputs."""
        case, actions = container.cases.actions(case_id, actor)
        assert case.id is not None  # noqa: S101 - stored cases have ids
        return ActionsOut(
            case_id=case.id,
            state=case.state,
            version=case.version,
            actions=[ActionOut.of(a) for a in actions],
        )

    @post(
        "/{case_id:int}/transitions",
        sync_to_thread=True,
        status_code=200,
        summary="Fire a trigger",
        responses=IF_MATCH_RESPONSES,
        guards=[requires(Action.CASES_FIRE)],
    )
    def fire(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
        data: JSONBody[TransitionIn],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        """Apply a trigger; 409 with the allowed actions and unmet guards when it cannot."""
        cmd = FireTrigger(
            case_id,
            data.trigger,
            data.inputs,
            data.reason,
            expected_version(
                if_match, data.version, lambda: container.cases.get(case_id, actor).version
            ),
            request_id,
        )

        def body(fired: Fired) -> dict[str, Any]:
            out = TransitionOut(
                case=render(container, fired.case), entry=HistoryEntryOut.of(fired.entry)
            )
            return out.model_dump(mode="json")

        if idempotency_key is None:
            answer = body(container.cases.fire(cmd, actor))
            headers = {}
        else:
            print_ = fingerprint(
                "POST",
                f"/api/v1/cases/{case_id}/transitions",
                {**data.model_dump(mode="json"), "if_match": if_match},
            )
            result = container.cases.fire_once(cmd, actor, idempotency_key, print_, body)
            answer = result.body
            headers = {"Idempotent-Replayed": "true" if result.replayed else "false"}
        headers["ETag"] = f'"{answer["case"]["version"]}"'
        return Response(answer, status_code=200, headers=headers)

    @patch(
        "/{case_id:int}/data",
        sync_to_thread=True,
        summary="Change data fields",
        responses=IF_MATCH_RESPONSES,
        guards=[requires(Action.CASES_DATA)],
    )
    def update_data(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
        data: JSONBody[CaseDataPatch],
        if_match: IfMatch = None,
    ) -> Response[CaseOut]:
        """Change data fields; each change is recorded in the history with old and new value."""
        case = container.cases.update_data(
            UpdateData(
                case_id,
                data.changes,
                data.reason,
                expected_version(
                    if_match, data.version, lambda: container.cases.get(case_id, actor).version
                ),
                request_id,
            ),
            actor,
        )
        return with_etag(render(container, case))

    @put(
        "/{case_id:int}/documents/{document:str}",
        sync_to_thread=True,
        summary="Record a document",
        responses=IF_MATCH_RESPONSES,
        guards=[requires(Action.CASES_DOCUMENT)],
    )
    def record_document(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
        document: FromPath[str],
        data: JSONBody[DocumentIn],
        if_match: IfMatch = None,
    ) -> Response[CaseOut]:
        """Record a document's status and validity dates (recorded in the history)."""
        case = container.cases.record_document(
            RecordDocument(
                case_id,
                document,
                data.status,
                data.valid_from,
                data.valid_until,
                expected_version(
                    if_match, data.version, lambda: container.cases.get(case_id, actor).version
                ),
                request_id,
            ),
            actor,
        )
        return with_etag(render(container, case))

    @post(
        "/{case_id:int}/reassignments",
        sync_to_thread=True,
        status_code=200,
        summary="Change mission locale or advisor",
        responses=IF_MATCH_RESPONSES,
        guards=[requires(Action.CASES_REASSIGN)],
    )
    def reassign(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
        data: JSONBody[ReassignIn],
        if_match: IfMatch = None,
    ) -> Response[CaseOut]:
        """Move the case to another mission locale or advisor: an event, not a state."""
        case = container.cases.reassign(
            Reassign(
                case_id,
                data.mission_locale_id,
                data.advisor_id,
                data.reason,
                expected_version(
                    if_match, data.version, lambda: container.cases.get(case_id, actor).version
                ),
                request_id,
            ),
            actor,
        )
        return with_etag(render(container, case))

    @get(
        "/{case_id:int}/history",
        sync_to_thread=True,
        summary="Read the history",
        responses=PROBLEM_RESPONSES,
    )
    def history(
        self, container: ContainerDep, actor: ActorDep, case_id: FromPath[int]
    ) -> list[HistoryEntryOut]:
        """The case's history, oldest first, each entry chained to the one before."""
        return [HistoryEntryOut.of(e) for e in container.cases.history(case_id, actor)]
