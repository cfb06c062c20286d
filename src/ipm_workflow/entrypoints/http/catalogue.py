"""Workflows (read-only), health and readiness."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from sqlalchemy import text

from ipm_workflow.domain.diagram import mermaid
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.http.schemas import PROBLEM_RESPONSES, WorkflowOut, WorkflowSummary


class WorkflowController(Controller):
    """The declared journeys."""

    path = "/api/v1/workflows"
    tags = ["workflows"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.WORKFLOWS_READ)]  # noqa: RUF012 - Litestar's style

    @get("/", sync_to_thread=False, summary="List workflows", responses=PROBLEM_RESPONSES)
    def list_workflows(self, container: ContainerDep) -> list[WorkflowSummary]:
        """The latest version of each workflow, with every loaded version."""
        registry = container.registry
        return [
            WorkflowSummary(
                name=c.definition.name,
                version=c.definition.version,
                versions=registry.versions(c.definition.name),
                title=c.definition.title,
            )
            for c in registry.latest()
        ]

    @get(
        ["/{name:str}", "/{name:str}/versions/{version:int}"],
        sync_to_thread=False,
        summary="Read a workflow",
        responses=PROBLEM_RESPONSES,
    )
    def read(
        self,
        container: ContainerDep,
        name: FromPath[str],
        version: FromPath[int | None] = None,
        lang: FromQuery[str] = "en",
    ) -> WorkflowOut:
        """A workflow version's full definition and its Mermaid diagram."""
        definition = container.registry.get(name, version).definition
        return WorkflowOut(
            name=definition.name,
            version=definition.version,
            definition=definition.model_dump(mode="json"),
            mermaid=mermaid(definition, lang),
        )


@get(
    "/health", sync_to_thread=False, exclude_from_auth=True, tags=["operations"], summary="Liveness"
)
def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get(
    "/ready", sync_to_thread=True, exclude_from_auth=True, tags=["operations"], summary="Readiness"
)
def ready(container: ContainerDep) -> Response[dict[str, Any]]:
    """The database answers, its schema is current, and the workflows are loaded."""
    checks: dict[str, Any] = {"workflows": len(container.registry.all())}
    try:
        # A read-only unit of work: on SQLite a plain transaction would take the write lock.
        with container.uow(readonly=True) as uow:
            uow.connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        missing = container.pending_migrations()
        checks["migrations"] = "current" if not missing else f"pending: {', '.join(missing)}"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
        missing = ["unknown"]
    ok = checks["database"] == "ok" and not missing and checks["workflows"] > 0
    return Response(
        {"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503
    )
