"""Consents, erasure requests, exports, messages sent and the sensitive-read audit in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ipm_workflow.adapters.db.handles import new_id
from ipm_workflow.adapters.db.mappers import first, insert_record, record_of, records
from ipm_workflow.adapters.db.people_store import reads_t, sensitive_read
from ipm_workflow.adapters.db.tables import (
    ConsentRow,
    DataExportRow,
    ErasureRequestRow,
    SentMessageRow,
    table_of,
)
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.privacy import (
    ConsentEvent,
    DataExport,
    ErasureDecision,
    ErasureRequest,
    ReadQuery,
    SentMessage,
)
from ipm_workflow.domain.profile import SensitiveRead

consents_t = table_of(ConsentRow)
erasures_t = table_of(ErasureRequestRow)
exports_t = table_of(DataExportRow)
sent_t = table_of(SentMessageRow)


def _erasure(r: Mapping[Any, Any]) -> ErasureRequest:
    decision = ErasureDecision(r["decision"]) if r["decision"] else None
    return record_of(ErasureRequest, r, decision=decision)


class SqlPrivacyRepository:
    """What data protection keeps."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_consent(self, event: ConsentEvent) -> int:
        """Keep one consent event; return its id."""
        return new_id(insert_record(self.conn, consents_t, event))

    def consents(self, person_id: int) -> list[ConsentEvent]:
        """Return a person's consent events, oldest first."""
        theirs = select(consents_t).where(consents_t.c.person_id == person_id)
        return records(self.conn, ConsentEvent, theirs.order_by(consents_t.c.at, consents_t.c.id))

    def add_erasure(self, request: ErasureRequest) -> int:
        """Record an erasure request; return its id."""
        decision = request.decision.value if request.decision else None
        return new_id(insert_record(self.conn, erasures_t, request, decision=decision))

    def erasure(self, request_id: int) -> ErasureRequest:
        """Return one erasure request, or raise NotFound."""
        row = first(self.conn, erasures_t, erasures_t.c.id == request_id)
        if row is None:
            raise NotFound(f"erasure request {request_id} not found")
        return _erasure(row)

    def erasures(self, person_id: int | None = None) -> list[ErasureRequest]:
        """Return erasure requests (of one person, or all), newest first."""
        query = select(erasures_t).order_by(erasures_t.c.id.desc())
        if person_id is not None:
            query = query.where(erasures_t.c.person_id == person_id)
        return [_erasure(r) for r in self.conn.execute(query).mappings()]

    def decide_erasure(
        self, request_id: int, decision: ErasureDecision, reason: str, by: str, at: datetime
    ) -> None:
        """Write the decision of an erasure request."""
        self.conn.execute(
            update(erasures_t)
            .where(erasures_t.c.id == request_id)
            .values(decision=decision.value, reason=reason, decided_by=by, decided_at=at)
        )

    def erasure_carried_out(self, request_id: int, at: datetime) -> None:
        """Mark an erasure request as carried out."""
        self.conn.execute(
            update(erasures_t).where(erasures_t.c.id == request_id).values(carried_out_at=at)
        )

    def add_export(self, export: DataExport) -> None:
        """Keep one subject access export."""
        insert_record(self.conn, exports_t, export)

    def exports(self, person_id: int) -> list[DataExport]:
        """Return a person's exports, oldest first."""
        theirs = select(exports_t).where(exports_t.c.person_id == person_id)
        return records(self.conn, DataExport, theirs.order_by(exports_t.c.id))

    def add_sent(self, message: SentMessage) -> None:
        """Keep the text of a delivered message."""
        insert_record(self.conn, sent_t, message)

    def sent_to(self, case_ids: list[int], recipients: tuple[str, ...]) -> list[SentMessage]:
        """Return the messages of cases that went to some recipients, oldest first."""
        sent = select(sent_t).where(sent_t.c.case_id.in_(case_ids))
        to_them = sent.where(sent_t.c.recipient.in_(recipients))
        return records(self.conn, SentMessage, to_them.order_by(sent_t.c.at, sent_t.c.id))

    def reads(self, query: ReadQuery) -> list[SensitiveRead]:
        """Return reads of sensitive data (allowed and refused), newest first."""
        found = select(reads_t).order_by(reads_t.c.at.desc(), reads_t.c.id.desc())
        if query.person_id is not None:
            found = found.where(reads_t.c.person_id == query.person_id)
        if query.actor is not None:
            found = found.where(reads_t.c.actor == query.actor)
        if query.since is not None:
            found = found.where(reads_t.c.at >= query.since)
        if query.until is not None:
            found = found.where(reads_t.c.at < query.until)
        rows = self.conn.execute(found.limit(query.limit)).mappings()
        return [sensitive_read(r) for r in rows]
