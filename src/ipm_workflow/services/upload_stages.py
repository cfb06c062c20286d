"""Where a document of the checklist stands for the one who provides it (to send, received,
validated, refused), and the refusal to decide an upload twice."""

from __future__ import annotations

from dataclasses import dataclass

from ipm_workflow.domain.cases import Document
from ipm_workflow.domain.definitions import Labels
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.uploads import Upload


class UploadDecided(DomainError):
    """The upload was already validated or refused."""

    kind = "upload-decided"


@dataclass(frozen=True)
class DocumentToSend:
    """A document of the checklist the actor provides: where it stands for them."""

    document: str
    label: Labels
    expires: bool
    on_file: Document | None
    latest: Upload | None

    @property
    def stage(self) -> str:
        """to_send, received (the advisor checks it), validated, or refused (send it again)."""
        if self.latest is not None and self.latest.status == "received":
            return "received"
        if self.on_file is not None and self.on_file.status == "validated":
            return "validated"
        if self.latest is not None and self.latest.status == "refused":
            return "refused"
        return "to_send"
