"""The young person's journey page, in plain words, and what they do from it."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.entrypoints.http.deps import ContainerDep
from ipm_workflow.entrypoints.web.portal_pages import portal_page
from ipm_workflow.entrypoints.web.portal_session import portal_case, portal_session
from ipm_workflow.entrypoints.web.session import redirect


@get("/my/journey", include_in_schema=False, sync_to_thread=True)
def portal_journey(request: Request[Any, Any, Any], container: ContainerDep) -> Response[Any]:
    """The person's current journey (their latest open case), or a word that none started."""
    session = portal_session(request)
    with container.uow(readonly=True) as uow:
        case_ids = uow.people.case_ids_of(session.person_id)
    if not case_ids:
        return portal_page(request, "portal/notice.html", "journey", body="no_case")
    return redirect(f"/my/cases/{max(case_ids)}")


@get("/my/cases/{case_id:int}", include_in_schema=False, sync_to_thread=True)
def portal_case_page(request: Request[Any, Any, Any], case_id: FromPath[int]) -> Template:
    """One journey of the signed-in person (404 for anybody else's)."""
    case = portal_case(request, case_id)
    return portal_page(request, "portal/journey.html", "journey", case=case)


PORTAL_JOURNEY_PAGES = [portal_journey, portal_case_page]
