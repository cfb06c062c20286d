"""Ports of data protection: consents, erasure requests, exports, messages sent, read audit."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ipm_workflow.domain.privacy import (
    ConsentEvent,
    DataExport,
    ErasureDecision,
    ErasureRequest,
    ReadQuery,
    SentMessage,
)
from ipm_workflow.domain.profile import SensitiveRead


class PrivacyRepository(Protocol):
    """What data protection keeps, in SQL."""

    def add_consent(self, event: ConsentEvent) -> int:
        """Keep one consent event; return its id."""
        ...

    def consents(self, person_id: int) -> list[ConsentEvent]:
        """Return a person's consent events, oldest first."""
        ...

    def add_erasure(self, request: ErasureRequest) -> int:
        """Record an erasure request; return its id."""
        ...

    def erasure(self, request_id: int) -> ErasureRequest:
        """Return one erasure request, or raise NotFound."""
        ...

    def erasures(self, person_id: int | None = None) -> list[ErasureRequest]:
        """Return erasure requests (of one person, or all), newest first."""
        ...

    def decide_erasure(
        self, request_id: int, decision: ErasureDecision, reason: str, by: str, at: datetime
    ) -> None:
        """Write the decision of an erasure request."""
        ...

    def erasure_carried_out(self, request_id: int, at: datetime) -> None:
        """Mark an erasure request as carried out."""
        ...

    def add_export(self, export: DataExport) -> None:
        """Keep one subject access export."""
        ...

    def exports(self, person_id: int) -> list[DataExport]:
        """Return a person's exports, oldest first."""
        ...

    def add_sent(self, message: SentMessage) -> None:
        """Keep the text of a delivered message."""
        ...

    def sent_to(self, case_ids: list[int], recipients: tuple[str, ...]) -> list[SentMessage]:
        """Return the messages of cases that went to some recipients, oldest first."""
        ...

    def reads(self, query: ReadQuery) -> list[SensitiveRead]:
        """Return reads of sensitive data (allowed and refused), newest first."""
        ...
