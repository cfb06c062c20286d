"""What the case routes share: rendering with an ETag, and the shape of a route that changes a case.

A changing route takes If-Match (or the body's `version`), answers the If-Match problems, and is
guarded by the policy's action; `changes_case` declares that once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Request, Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, provide_request_id
from ipm_workflow.entrypoints.http.preconditions import (
    IF_MATCH_RESPONSES,
    IfMatch,
    expected_version,
)
from ipm_workflow.entrypoints.http.routes import route
from ipm_workflow.entrypoints.http.schemas import CaseOut

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Retrying with the same key replays the first answer and changes nothing.",
    ),
]


def render(container: ContainerDep, case: Case, minor: bool | None = None) -> CaseOut:
    """Render a case with its workflow's labels, flagged when its young person is a minor with
    no guardian on file (`minor` when the command already read it, else read here)."""
    definition = container.cases.workflow_of(case).definition
    out = CaseOut.of(case, definition, container.cases.clock.now())
    if minor is None:
        flagged = container.person_records.minors_without_guardian(
            [case.person_id], container.cases.today()
        )
        minor = case.person_id in flagged
    out.minor_without_guardian = minor
    return out


def with_etag(case_out: CaseOut, status: int = 200, **headers: str) -> Response[CaseOut]:
    """Answer a case with its version as ETag."""
    return Response(
        case_out, status_code=status, headers={"ETag": f'"{case_out.version}"', **headers}
    )


@dataclass(frozen=True, slots=True)
class CaseChange:
    """What a route that changes a case works with: the services, who acts, the request's id,
    the case's id (from the path) and the If-Match header."""

    container: Container
    actor: Actor
    request_id: str | None
    case_id: int
    if_match: str | None

    def expected(self, body_version: int | None) -> int | None:
        """The version the change must find, from If-Match or the body's `version`."""
        return expected(self.container, self.actor, self.case_id, self.if_match, body_version)

    def answer(self, case: Case) -> Response[CaseOut]:
        """The changed case, rendered, with its version as ETag."""
        return with_etag(render(self.container, case))


def provide_change(
    request: Request[Any, Any, Any], case_id: FromPath[int], if_match: IfMatch = None
) -> CaseChange:
    """Gather a changing route's inputs in one dependency: Litestar resolves several
    dependencies as concurrent tasks, which cost more than these few reads (bench/hot_path.py)."""
    return CaseChange(
        request.app.state.container,
        Actor.of(request.user),
        provide_request_id(request),
        case_id,
        if_match,
    )


# The handlers of `changes_case` routes ask for `change` (unless they declare their own inputs).
ChangeDep = NamedDependency[CaseChange]


def changes_case(
    method: Literal["POST", "PATCH", "PUT"], path: str, summary: str, *actions: Action
) -> Callable[[Callable[..., Any]], Any]:
    """The route decorator of a handler that changes a case: If-Match responses, 200, one
    guard for the actions (checked in order), its inputs as one `change` dependency; one short
    unit of work, run on the event loop on SQLite (`inline`, offload.py)."""
    return route(
        method,
        path,
        summary,
        inline=True,
        responses=IF_MATCH_RESPONSES,
        guards=[requires(*actions)],
        dependencies={"change": Provide(provide_change, sync_to_thread=False)},
    )


def expected(
    container: ContainerDep,
    actor: ActorDep,
    case_id: int,
    if_match: str | None,
    body_version: int | None,
) -> int | None:
    """The version the change must find, from If-Match or the body (see `expected_version`)."""
    return expected_version(
        if_match, body_version, lambda: container.cases.get(case_id, actor).version
    )
