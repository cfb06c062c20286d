"""Supervisors' audit: history across cases, and chain verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller
from litestar.params import FromQuery, QueryParameter

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import ChainReportOut, HistoryEntryOut, VerifyOut
from ipm_workflow.services.case_ports import AuditQuery


class AuditController(Controller):
    """What happened, by whom, and whether the record is intact."""

    path = "/api/v1/audit"
    tags = ["audit"]  # noqa: RUF012 - Litestar reads this class attribute as is
    guards = [requires(Action.AUDIT)]  # noqa: RUF012 - Litestar's declaration style

    @routes.get("/entries", "Search history entries across cases")
    def entries(
        self,
        container: ContainerDep,
        # Not named `actor`: that name is the app-wide dependency giving the authenticated user.
        actor_ref: Annotated[
            str | None, QueryParameter(name="actor", description="Actor reference, e.g. user:3.")
        ] = None,
        trigger: FromQuery[str | None] = None,
        mission_locale: FromQuery[str | None] = None,
        case_id: FromQuery[int | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[HistoryEntryOut]:
        """History entries, newest first, filtered by actor, mission locale, trigger, time."""
        # In AuditQuery's order (actor_ref is its actor, mission_locale its mission_locale_id).
        query = AuditQuery(actor_ref, trigger, mission_locale, case_id, since, until, limit, offset)
        return [HistoryEntryOut.of(e) for e in container.cases.audit(query)]

    @routes.get("/verify", "Verify history chains")
    def verify(self, container: ContainerDep, case_id: FromQuery[int | None] = None) -> VerifyOut:
        """Recompute the hash chain of one case, or of all; name the first broken entry."""
        reports = container.cases.verify([case_id] if case_id is not None else None)
        broken = [from_attributes(ChainReportOut, r) for r in reports if not r.ok]
        return VerifyOut(
            cases=len(reports),
            entries=sum(r.entries for r in reports),
            ok=not broken,
            broken=broken,
        )
