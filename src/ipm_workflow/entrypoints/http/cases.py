"""Cases: open, list, read, explain actions, fire transitions, history (changes: case_changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Response
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.action_schemas import (
    ActionOut,
    ActionsOut,
    TransitionIn,
    TransitionOut,
)
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.case_inputs import CaseOpenIn
from ipm_workflow.entrypoints.http.case_listing import (
    SORTABLE,
    CasePage,
    Phase,
    cursor_after,
    cursor_position,
)
from ipm_workflow.entrypoints.http.case_routes import (
    ChangeDep,
    IdempotencyKey,
    changes_case,
    render,
    with_etag,
)
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.http.outputs import replayed_header
from ipm_workflow.entrypoints.http.schemas import CaseOut, HistoryEntryOut
from ipm_workflow.services.case_ports import CaseQuery, capped_total
from ipm_workflow.services.commands import FireTrigger, OpenCase
from ipm_workflow.services.handlers import Fired
from ipm_workflow.services.idempotency import fingerprint


class CaseController(Controller):
    """Young people's journeys."""

    path = "/api/v1/cases"
    tags = ["cases"]  # noqa: RUF012 - Litestar reads this class attribute as is
    # Each route names every action it needs in one guard (reading cases first): Litestar
    # copies the route handler for every guard it calls, a controller's guards included.

    @routes.get("/", "List cases", Action.CASES_READ)
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

    @routes.post(
        "/",
        "Open a case",
        guards=[requires(Action.CASES_READ, Action.CASES_OPEN)],
        status_code=201,
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

    @routes.get("/{case_id:int}", "Read a case", Action.CASES_READ, inline=True)
    def get_case(
        self, container: ContainerDep, actor: ActorDep, case_id: FromPath[int]
    ) -> Response[CaseOut]:
        """Return one case (404 if it belongs to a mission locale you do not work for)."""
        return with_etag(render(container, container.cases.get(case_id, actor)))

    @routes.get(
        "/{case_id:int}/actions", "Explain the available actions", Action.CASES_READ, inline=True
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

    @changes_case(
        "POST",
        "/{case_id:int}/transitions",
        "Fire a trigger",
        Action.CASES_READ,
        Action.CASES_FIRE,
    )
    def fire(
        self,
        change: ChangeDep,
        data: JSONBody[TransitionIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        """Apply a trigger; 409 with the allowed actions and unmet guards when it cannot."""
        container, actor, case_id = change.container, change.actor, change.case_id
        cmd = FireTrigger(
            case_id,
            data.trigger,
            data.inputs,
            data.reason,
            change.expected(data.version),
            change.request_id,
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
                {**data.model_dump(mode="json"), "if_match": change.if_match},
            )
            result = container.cases.fire_once(cmd, actor, idempotency_key, print_, body)
            answer = result.body
            headers = replayed_header(result.replayed)
        headers["ETag"] = f'"{answer["case"]["version"]}"'
        return Response(answer, status_code=200, headers=headers)

    @routes.get("/{case_id:int}/history", "Read the history", Action.CASES_READ)
    def history(
        self, container: ContainerDep, actor: ActorDep, case_id: FromPath[int]
    ) -> list[HistoryEntryOut]:
        """The case's history, oldest first, each entry chained to the one before."""
        return [HistoryEntryOut.of(e) for e in container.cases.history(case_id, actor)]
