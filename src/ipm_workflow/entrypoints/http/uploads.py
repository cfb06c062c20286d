"""Documents uploaded for a case: send (multipart), list, validate, refuse, download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import anyio
from litestar import Controller, Response
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body as BodyParam
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.text import OptionalReason
from ipm_workflow.domain.uploads import Upload
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.case_routes import render, with_etag
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.outputs import from_attributes
from ipm_workflow.entrypoints.http.schemas import Body, CaseOut, Int
from ipm_workflow.services.commands import DecideUpload, SendUpload

# What the server reads of a multipart body at most; the file's own limit is a setting
# (IPM_UPLOAD_MAX_BYTES, at most 60 MiB), checked by the service with its reason.
MULTIPART_MAX = 64 * 1024 * 1024


class UploadOut(BaseModel):
    """An uploaded file's record: its document, hash, scan, status and the refusal's reason."""

    id: int
    case_id: int
    document: str
    media_type: str
    size: int
    sha256: str
    scan: str = Field(description="clean, or not_scanned when no scanner is configured.")
    valid_from: date | None
    valid_until: date | None
    status: str = Field(description="received (to validate), validated or refused.")
    refusal_reason: str | None
    uploaded_by: str
    uploaded_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    file_erased: bool

    @classmethod
    def of(cls, upload: Upload) -> UploadOut:
        """Render an upload."""
        return from_attributes(
            cls, upload, id=upload.id or 0, file_erased=upload.storage_key is None
        )


@dataclass
class UploadForm:
    """A file for a document of the checklist, with the validity dates it shows."""

    document: str
    file: UploadFile
    valid_from: date | None = None
    valid_until: date | None = None


class ValidationIn(Body):
    """Validate an upload; the dates default to those sent with it."""

    valid_from: date | None = None
    valid_until: date | None = None
    version: Int | None = Field(default=None, description="Expected case version.")


class RefusalIn(Body):
    """Refuse an upload with a reason the young person sees."""

    reason: OptionalReason = None
    version: Int | None = Field(default=None, description="Expected case version.")


Multipart = Annotated[UploadForm, BodyParam(media_type=RequestEncodingType.MULTI_PART)]


class UploadController(Controller):
    """Documents sent by young people and guardians, and the advisor's decision."""

    path = "/api/v1"
    tags = ["uploads"]  # noqa: RUF012 - Litestar reads this class attribute as is

    @routes.get("/cases/{case_id:int}/uploads", "List a case's uploads", Action.UPLOADS_READ)
    def list_uploads(self, call: CallDep, case_id: FromPath[int]) -> list[UploadOut]:
        """A case's uploads, newest first, with their status."""
        return [UploadOut.of(u) for u in call.container.uploads.of_case(case_id, call.actor)]

    @routes.get("/uploads", "Uploads waiting for validation", Action.CASES_DOCUMENT)
    def awaiting(self, call: CallDep) -> list[UploadOut]:
        """Uploads received and still to validate on the caller's cases, oldest first."""
        return [UploadOut.of(u) for u in call.container.uploads.awaiting(call.actor)]

    @routes.post(
        "/cases/{case_id:int}/uploads",
        "Upload a document (PDF, JPEG or PNG)",
        Action.UPLOADS_SEND,
        request_max_body_size=MULTIPART_MAX,
        status_code=201,
    )
    async def send(
        self, call: CallDep, case_id: FromPath[int], data: Multipart
    ) -> Response[UploadOut]:
        """Send a file; refused with the reason when too large, of another type, or flagged."""
        content = await data.file.read()
        cmd = SendUpload(
            case_id, data.document, content, data.valid_from, data.valid_until, call.request_id
        )
        upload = await anyio.to_thread.run_sync(call.container.uploads.send, cmd, call.actor)
        return Response(UploadOut.of(upload), status_code=201)

    @routes.post(
        "/uploads/{upload_id:int}/validation",
        "Validate an upload: the checklist records the document",
        Action.CASES_DOCUMENT,
    )
    def validate(
        self, call: CallDep, upload_id: FromPath[int], data: JSONBody[ValidationIn]
    ) -> Response[CaseOut]:
        """Validate the upload; the case's document is recorded as validated (history)."""
        cmd = DecideUpload(
            upload_id, data.valid_from, data.valid_until, None, data.version, call.request_id
        )
        return with_etag(render(call.container, call.container.uploads.validate(cmd, call.actor)))

    @routes.post(
        "/uploads/{upload_id:int}/refusal", "Refuse an upload with a reason", Action.CASES_DOCUMENT
    )
    def refuse(
        self, call: CallDep, upload_id: FromPath[int], data: JSONBody[RefusalIn]
    ) -> UploadOut:
        """Refuse the upload; the young person sees the reason, the checklist is unchanged."""
        cmd = DecideUpload(upload_id, None, None, data.reason, data.version, call.request_id)
        return UploadOut.of(call.container.uploads.refuse(cmd, call.actor))

    @routes.get(
        "/uploads/{upload_id:int}/file", "Download an uploaded file", Action.UPLOADS_DOWNLOAD
    )
    def download(self, call: CallDep, upload_id: FromPath[int]) -> Response[bytes]:
        """The file as sent, under a name of ours (never the sender's)."""
        return file_response(*call.container.uploads.download(upload_id, call.actor))


def file_response(upload: Upload, content: bytes) -> Response[bytes]:
    """An uploaded file as an attachment, never rendered as something else by the browser."""
    headers: dict[str, Any] = {
        **attachment(upload.file_name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return Response(content, media_type=upload.media_type, headers=headers)
