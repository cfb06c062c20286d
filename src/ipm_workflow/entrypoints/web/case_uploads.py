"""The advisor's side of uploaded documents: the documents waiting across their cases, and on
the case page validate, refuse, download."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.http.uploads import file_response
from ipm_workflow.entrypoints.web.case_page import _apply, _int, _optional_date
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.services.commands import DecideUpload


@get(
    "/app/uploads",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.CASES_DOCUMENT)],
)
def uploads_waiting(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Template:
    """The documents young people and guardians sent, still to validate on the cases the
    advisor sees (the uploads service's list: the policy narrows it), oldest first; each links
    to its case page, where it is validated or refused."""
    waiting = container.uploads.awaiting(actor)
    return page(request, "uploads_waiting.html", "Documents to validate", uploads=waiting)


@post(
    "/app/cases/{case_id:int}/uploads/{upload_id:int}/{decision:str}",
    include_in_schema=False,
    guards=[requires(Action.CASES_DOCUMENT)],
)
async def decide_upload(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    request_id: RequestIdDep,
    case_id: FromPath[int],
    upload_id: FromPath[int],
    decision: FromPath[str],
) -> Response[Any]:
    """`validate`: the checklist records the document (dates as corrected); `refuse`: with the
    reason the young person will read. Anything else is a 404 page."""
    if decision not in ("validate", "refuse"):
        raise NotFoundException("no such decision")
    validating = decision == "validate"

    def change(form: Any) -> str:
        cmd = DecideUpload(
            upload_id,
            _optional_date(form.get("valid_from")) if validating else None,
            _optional_date(form.get("valid_until")) if validating else None,
            None if validating else form.get("reason"),
            _int(form.get("version")),
            request_id,
        )
        (container.uploads.validate if validating else container.uploads.refuse)(cmd, actor)
        return "upload"

    return await _apply(request, container, actor, case_id, change)


@get(
    "/app/uploads/{upload_id:int}/file",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.UPLOADS_DOWNLOAD)],
)
def download_upload(
    container: ContainerDep, actor: ActorDep, upload_id: FromPath[int]
) -> Response[bytes]:
    """The uploaded file, as an attachment (404 page when the case is not the user's)."""
    return file_response(*container.uploads.download(upload_id, actor))


CASE_UPLOAD_PAGES = [uploads_waiting, decide_upload, download_upload]
