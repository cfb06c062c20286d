"""The advisor's side of uploaded documents: the documents waiting across their cases, and on
the case page validate, refuse, download."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.http.uploads import file_response
from ipm_workflow.entrypoints.web.case_changes import Changing, change_route
from ipm_workflow.entrypoints.web.case_forms import optional_date, whole_number
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.services.commands import DecideUpload

_DOCUMENTS = [requires(Action.CASES_DOCUMENT)]  # the right to record a case's documents


@get("/app/uploads", include_in_schema=False, sync_to_thread=True, guards=_DOCUMENTS)
def uploads_waiting(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Template:
    """The documents young people and guardians sent, still to validate on the cases the
    advisor sees (the uploads service's list: the policy narrows it), oldest first; each links
    to its case page, where it is validated or refused."""
    waiting = container.uploads.awaiting(actor)
    return page(request, "uploads_waiting.html", "Documents to validate", uploads=waiting)


def _decision(c: Changing, validating: bool, form: Any) -> DecideUpload:
    return DecideUpload(
        int(c.path["upload_id"]),
        optional_date(form.get("valid_from")) if validating else None,
        optional_date(form.get("valid_until")) if validating else None,
        None if validating else form.get("reason"),
        whole_number(form.get("version")),
        c.request_id,
    )


def validate_upload(c: Changing, form: Any) -> str:
    """The checklist records the uploaded document (its dates as the advisor corrected them)."""
    c.container.uploads.validate(_decision(c, True, form), c.actor)
    return "upload"


def refuse_upload(c: Changing, form: Any) -> str:
    """The uploaded document is refused, with the reason the young person will read."""
    c.container.uploads.refuse(_decision(c, False, form), c.actor)
    return "upload"


_DECISION = "/app/cases/{case_id:int}/uploads/{upload_id:int}/"
decide_upload = [
    change_route(_DECISION + "validate", Action.CASES_DOCUMENT, validate_upload),
    change_route(_DECISION + "refuse", Action.CASES_DOCUMENT, refuse_upload),
]


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


CASE_UPLOAD_PAGES = [uploads_waiting, *decide_upload, download_upload]
