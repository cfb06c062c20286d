"""Documents uploaded by the young person or a guardian: what a file may be, and its lifecycle.

An upload is received, then validated by an advisor (the case's checklist records the document)
or refused with a reason the young person sees. The file's kind is read from its first bytes,
never from the name or the type the browser declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from ipm_workflow.domain.errors import DomainError, InvalidInput

UploadStatus = Literal["received", "validated", "refused"]
ScanStatus = Literal["clean", "not_scanned"]
# Media types an upload may be, by the bytes a file of that type starts with.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
REFUSAL_MAX = 500


class UploadRefused(InvalidInput):
    """A file is refused on arrival: too large, of a type not accepted, or flagged by the scan."""

    kind = "upload-refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, [{"field": "file", "message": message, "reason": reason}])
        self.reason = reason


class ScannerUnavailable(DomainError):
    """The virus scanner is configured but did not answer: the file is not taken unscanned."""

    kind = "scanner-unavailable"


@dataclass(frozen=True)
class UploadLimits:
    """What a file may be: its largest size in bytes and the media types accepted."""

    max_bytes: int
    types: tuple[str, ...] = tuple(MAGIC)


@dataclass(frozen=True)
class ScanVerdict:
    """What the scanner said: clean, flagged (with the signature's name), or not scanned."""

    scanned: bool
    signature: str | None = None

    @property
    def flagged(self) -> bool:
        """Whether the scanner found something."""
        return self.signature is not None


def sniff(content: bytes) -> str | None:
    """Return the media type the file's first bytes say it is (None: none we know)."""
    for media_type, signatures in MAGIC.items():
        if any(content.startswith(s) for s in signatures):
            return media_type
    return None


def check_file(content: bytes, limits: UploadLimits) -> str:
    """Return the file's media type, or raise UploadRefused saying why it is not accepted."""
    if not content:
        raise UploadRefused("empty", "the file is empty")
    if len(content) > limits.max_bytes:
        raise UploadRefused(
            "too_large",
            f"the file is {len(content)} bytes; the limit is {limits.max_bytes} bytes",
        )
    media_type = sniff(content)
    if media_type is None or media_type not in limits.types:
        accepted = ", ".join(EXTENSIONS.get(t, t) for t in limits.types)
        raise UploadRefused("wrong_type", f"the file is not one of the accepted types ({accepted})")
    return media_type


@dataclass
class Upload:
    """One file sent for a document of a case's checklist."""

    id: int | None
    case_id: int
    person_id: int
    document: str
    media_type: str
    size: int
    sha256: str
    storage_key: str | None  # None once the file is erased
    uploaded_by: str  # an actor reference, never a name
    uploaded_role: str
    uploaded_at: datetime
    scan: ScanStatus = "not_scanned"
    valid_from: date | None = None
    valid_until: date | None = None
    status: UploadStatus = "received"
    decided_by: str | None = None
    decided_at: datetime | None = None
    refusal_reason: str | None = None

    @property
    def file_name(self) -> str:
        """The name a download gets: the document and the upload's id, never the sender's."""
        return f"{self.document}-{self.id}.{EXTENSIONS.get(self.media_type, 'bin')}"

    def export(self) -> dict[str, Any]:
        """The upload's metadata for a person's data export (no file content)."""
        return {
            "id": self.id,
            "case_id": self.case_id,
            "document": self.document,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at.isoformat(),
            "scan": self.scan,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "status": self.status,
            "refusal_reason": self.refusal_reason,
            "file_erased": self.storage_key is None,
        }
