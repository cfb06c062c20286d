"""Cases: open, list, read, explain actions, fire transitions, change data, history."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from ipm_workflow.bootstrap import sortable_case_fields
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.action_schemas import (
    ActionOut,
    ActionsOut,
    TransitionIn,
    TransitionOut,
)
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.case_routes import (
    IdempotencyKey,
    changes_case,
    expected,
    render,
    with_etag,
)
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.http.preconditions import IfMatch
from ipm_workflow.entrypoints.http.schemas import (
    PROBLEM_RESPONSES,
    CaseDataPatch,
    CaseOpenIn,
    CaseOut,
    CasePage,
    DocumentIn,
    HistoryEntryOut,
    ReassignIn,
    ResumeIn,
    SuspendIn,
)
from ipm_workflow.services.case_ports import CaseQuery, capped_total
from ipm_workflow.services.commands import (
    FireTrigger,
    OpenCase,
    Reassign,
    RecordDocument,
    Resume,
    Suspend,
    UpdateData,
)
from ipm_workflow.services.handlers import Fired
from ipm_workflow.services.idempotency import fingerprint

SORTABLE = sortable_case_fields()

Phase = Literal[
    "orientation", "preparation", "departure", "abroad", "return", "follow_up", "closed"
]


# Keyset paging: a cursor is the last case's (sort value, id), opaque to clients.
_DATED = frozenset({"opened_at", "updated_at", "state_entered_at"})


def cursor_after(case: Case, key: str) -> str:
    """The cursor of the page that follows a case, in a listing sorted by `key`."""
    value = getattr(case, key)
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, case.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_position(cursor: str, key: str) -> tuple[Any, int]:
    """The (sort value, id) a cursor stands for; a 400 if it is not one of ours."""
    try:
        value, case_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if key in _DATED:
            value = datetime.fromisoformat(value)
        elif key == "id":
            value = int(value)
        elif not isinstance(value, str):
            raise TypeError(value)
        return value, int(case_id)
    except (ValueError, TypeError) as exc:
        raise ValidationException("after: not a cursor of this listing") from exc


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
        mission_locale: Annotated[
            str | None, QueryParameter(description="The current mission locale.")
        ] = None,
        referring_mission_locale: Annotated[
            str | None, QueryParameter(description="The mission locale that referred the case.")
        ] = None,
        advisor_id: FromQuery[int | None] = None,
        unassigned: Annotated[
            bool, QueryParameter(description="Only cases no advisor is assigned to.")
        ] = False,
        overdue: Annotated[
            bool, QueryParameter(description="Only cases past their state's SLA.")
        ] = False,
        opened_from: FromQuery[datetime | None] = None,
        opened_to: FromQuery[datetime | None] = None,
        minor_without_guardian: Annotated[
            bool,
            QueryParameter(description="Only minors today with no guardian on file."),
        ] = False,
        sort: Annotated[
            str,
            QueryParameter(description=f"One of {', '.join(SORTABLE)}; prefix '-' for descending."),
        ] = "id",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        after: Annotated[
            str | None,
            QueryParameter(description="The `next` of the previous page (same filters, sort)."),
        ] = None,
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
            referring_mission_locales=[referring_mission_locale]
            if referring_mission_locale
            else None,
            unassigned=unassigned,
            opened_from=opened_from,
            opened_to=opened_to,
            minor_without_guardian_on=container.cases.today() if minor_without_guardian else None,
            sort=key,
            descending=sort.startswith("-"),
            limit=limit,
            offset=offset,
            after=cursor_position(after, key) if after else None,
        )
        cases, counted = container.cases.list_cases(query, actor, phase=phase, overdue=overdue)
        total, more = capped_total(query, counted)
        return CasePage(
            items=[render(container, c) for c in cases],
            total=total,
            total_capped=more,
            limit=limit,
            offset=offset,
            next=cursor_after(cases[-1], key) if len(cases) == limit else None,
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
                data.ml_contact_name,
                data.ml_contact_email,
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

    @changes_case("POST", "/{case_id:int}/transitions", "Fire a trigger", Action.CASES_FIRE)
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
            expected(container, actor, case_id, if_match, data.version),
            request_id,
        )

        def body(fired: Fired) -> dict[str, Any]:
            out = TransitionOut(
                case=render(container, fired.case, fired.minor_without_guardian),
                entry=HistoryEntryOut.of(fired.entry),
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

    @changes_case("PATCH", "/{case_id:int}/data", "Change data fields", Action.CASES_DATA)
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
                expected(container, actor, case_id, if_match, data.version),
                request_id,
            ),
            actor,
        )
        return with_etag(render(container, case))

    @changes_case(
        "PUT", "/{case_id:int}/documents/{document:str}", "Record a document", Action.CASES_DOCUMENT
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
                expected(container, actor, case_id, if_match, data.version),
                request_id,
            ),
            actor,
        )
        return with_etag(render(container, case))

    @changes_case(
        "POST",
        "/{case_id:int}/reassignments",
        "Change mission locale or advisor",
        Action.CASES_REASSIGN,
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
                expected(container, actor, case_id, if_match, data.version),
                request_id,
                data.moved_on,
                data.ml_contact_name,
                data.ml_contact_email,
            ),
            actor,
        )
        return with_etag(render(container, case))

    @changes_case("POST", "/{case_id:int}/suspension", "Suspend a case", Action.CASES_SUSPEND)
    def suspend(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
        data: JSONBody[SuspendIn],
        if_match: IfMatch = None,
    ) -> Response[CaseOut]:
        """Suspend an active case with a reason: it keeps its state, its clock stops."""
        version = expected(container, actor, case_id, if_match, data.version)
        case = container.cases.suspend(Suspend(case_id, data.reason, version, request_id), actor)
        return with_etag(render(container, case))

    @changes_case(
        "POST", "/{case_id:int}/resumption", "Resume a suspended case", Action.CASES_SUSPEND
    )
    def resume(
        self,
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
        data: JSONBody[ResumeIn],
        if_match: IfMatch = None,
    ) -> Response[CaseOut]:
        """Resume a suspended case: its deadline moves later by the time it was suspended."""
        version = expected(container, actor, case_id, if_match, data.version)
        case = container.cases.resume(Resume(case_id, data.reason, version, request_id), actor)
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
