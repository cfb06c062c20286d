"""What the case routes share: rendering with an ETag, and the shape of a route that changes a case.

A changing route takes If-Match (or the body's `version`), answers the If-Match problems, and is
guarded by the policy's action; `changes_case` declares that once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from litestar import Response
from litestar.params import HeaderParameter

from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.http.preconditions import IF_MATCH_RESPONSES, expected_version
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


def changes_case(
    method: Literal["POST", "PATCH", "PUT"], path: str, summary: str, action: Action
) -> Callable[[Callable[..., Any]], Any]:
    """The route decorator of a handler that changes a case: If-Match responses, 200, guard."""
    return route(method, path, summary, action, responses=IF_MATCH_RESPONSES)


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
