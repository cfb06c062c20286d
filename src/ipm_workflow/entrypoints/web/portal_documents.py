"""The young person's (or guardian's) documents page: what to send, and sending it from a phone.

Behind the portal's session and CSRF guard (portal_router); every call goes to the uploads
service with the session's actor, so the checklist's `provided_by` and the policy decide what
each one may send, and another person's case answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import anyio
from litestar import Request, Response
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.uploads import UploadRefused
from ipm_workflow.entrypoints.http.deps import ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.http.uploads import MULTIPART_MAX
from ipm_workflow.entrypoints.web.portal_pages import portal_language, portal_page
from ipm_workflow.entrypoints.web.portal_session import portal_session
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import redirect
from ipm_workflow.services.commands import SendUpload

WORDS: Final[dict[str, dict[str, str]]] = {
    "fr": {
        "title": "Mes documents",
        "intro": "Prends en photo chaque document, ou envoie-le en PDF. Ton conseiller le "
        "vérifie et te dit s'il est bon.",
        "to_send": "À envoyer",
        "received": "Reçu : ton conseiller va le vérifier",
        "validated": "Validé",
        "refused": "Refusé",
        "refused_why": "Pourquoi :",
        "send_again": "Envoie-le à nouveau.",
        "file": "Photo ou PDF",
        "valid_from": "Valable à partir du",
        "valid_until": "Valable jusqu'au",
        "send": "Envoyer",
        "sent": "Merci ! Ton document est bien arrivé.",
        "nothing": "Rien à envoyer pour le moment.",
        "too_large": "Le fichier est trop lourd : {limit} Mo au plus.",
        "wrong_type": "Ce fichier n'est ni une photo (JPEG, PNG) ni un PDF.",
        "empty": "Le fichier est vide.",
        "flagged": "Ce fichier a été bloqué par l'antivirus : envoie une autre photo ou un "
        "autre PDF.",
        "invalid": "Vérifie les dates : la fin doit venir après le début.",
        "no_file": "Choisis une photo ou un PDF.",
        "back": "Retour à mon parcours",
    },
    "en": {
        "title": "My documents",
        "intro": "Take a photo of each document, or send it as a PDF. Your advisor checks it "
        "and tells you whether it is fine.",
        "to_send": "To send",
        "received": "Received: your advisor will check it",
        "validated": "Approved",
        "refused": "Refused",
        "refused_why": "Why:",
        "send_again": "Please send it again.",
        "file": "Photo or PDF",
        "valid_from": "Valid from",
        "valid_until": "Valid until",
        "send": "Send",
        "sent": "Thank you! Your document has arrived.",
        "nothing": "Nothing to send for now.",
        "too_large": "The file is too large: {limit} MB at most.",
        "wrong_type": "This file is neither a photo (JPEG, PNG) nor a PDF.",
        "empty": "The file is empty.",
        "flagged": "The virus scanner blocked this file: please send another photo or PDF.",
        "invalid": "Check the dates: the end must come after the start.",
        "no_file": "Choose a photo or a PDF.",
        "back": "Back to my journey",
    },
}


def _view(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    case_id: int,
    *,
    status_code: int = 200,
    problem: str | None = None,
    sent: str | None = None,
) -> Template:
    session = portal_session(request)
    words = WORDS[portal_language(request)]
    limit_mb = max(1, container.settings.upload_max_bytes // (1024 * 1024))
    return portal_page(
        request,
        "portal/documents.html",
        "journey",
        status_code=status_code,
        title=words["title"],
        w=words,
        case_id=case_id,
        documents=container.uploads.to_send(case_id, session.actor),
        problem=words[problem].format(limit=limit_mb) if problem else None,
        sent=sent,
    )


@page_get("/my/cases/{case_id:int}/documents")
def portal_documents(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    case_id: FromPath[int],
    sent: FromQuery[str | None] = None,
) -> Template:
    """The documents the signed-in person provides, with where each one stands."""
    return _view(request, container, case_id, sent=sent)


def _date(raw: Any) -> date | None:
    return date.fromisoformat(raw) if isinstance(raw, str) and raw else None


@page_post("/my/cases/{case_id:int}/documents", request_max_body_size=MULTIPART_MAX)
async def portal_send_document(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    request_id: RequestIdDep,
    case_id: FromPath[int],
) -> Response[Any]:
    """Send one document's file; refused files come back with the reason in plain words."""
    session = portal_session(request)
    form = await request.form()
    file = form.get("file")
    document = str(form.get("document", ""))
    problem = None
    if not isinstance(file, UploadFile):
        problem = "no_file"
    else:
        content = await file.read()
        try:
            cmd = SendUpload(
                case_id,
                document,
                content,
                _date(form.get("valid_from")),
                _date(form.get("valid_until")),
                request_id,
            )
            await anyio.to_thread.run_sync(container.uploads.send, cmd, session.actor)
        except UploadRefused as refused:
            problem = refused.reason
        except (InvalidInput, ValueError):
            problem = "invalid"
    if problem is None:
        return redirect(f"/my/cases/{case_id}/documents?sent={document}")
    return await anyio.to_thread.run_sync(
        lambda: _view(request, container, case_id, status_code=422, problem=problem)
    )


PORTAL_DOCUMENT_PAGES = [portal_documents, portal_send_document]
