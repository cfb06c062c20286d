"""Consents, erasure requests, exports, messages sent and the sensitive-read audit in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ipm_workflow.adapters.db.handles import _table, new_id
from ipm_workflow.adapters.db.mappers import aware, must
from ipm_workflow.adapters.db.people_store import reads_t, sensitive_read
from ipm_workflow.adapters.db.tables import (
    ConsentRow,
    DataExportRow,
    ErasureRequestRow,
    SentMessageRow,
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

consents_t = _table(ConsentRow)
erasures_t = _table(ErasureRequestRow)
exports_t = _table(DataExportRow)
sent_t = _table(SentMessageRow)


def _erasure(r: Mapping[Any, Any]) -> ErasureRequest:
    return ErasureRequest(
        r["id"],
        r["person_id"],
        r["received_on"],
        r["requester"],
        r["recorded_by"],
        must(r["recorded_at"]),
        ErasureDecision(r["decision"]) if r["decision"] else None,
        r["reason"],
        r["decided_by"],
        aware(r["decided_at"]),
        aware(r["carried_out_at"]),
    )


class SqlPrivacyRepository:
    """What data protection keeps."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_consent(self, event: ConsentEvent) -> int:
        """Keep one consent event; return its id."""
        values = {k: v for k, v in asdict(event).items() if k != "id"}
        return new_id(self.conn.execute(insert(consents_t).values(**values)))

    def consents(self, person_id: int) -> list[ConsentEvent]:
        """Return a person's consent events, oldest first."""
        rows = self.conn.execute(
            select(consents_t)
            .where(consents_t.c.person_id == person_id)
            .order_by(consents_t.c.at, consents_t.c.id)
        ).mappings()
        return [
            ConsentEvent(
                **{k: r[k] for k in r if k not in ("at", "recorded_at")},
                at=must(r["at"]),
                recorded_at=must(r["recorded_at"]),
            )
            for r in rows
        ]

    def add_erasure(self, request: ErasureRequest) -> int:
        """Record an erasure request; return its id."""
        values = {k: v for k, v in asdict(request).items() if k != "id"}
        values["decision"] = request.decision.value if request.decision else None
        return new_id(self.conn.execute(insert(erasures_t).values(**values)))

    def erasure(self, request_id: int) -> ErasureRequest:
        """Return one erasure request, or raise NotFound."""
        row = (
            self.conn.execute(select(erasures_t).where(erasures_t.c.id == request_id))
            .mappings()
            .first()
        )
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
        self.conn.execute(insert(exports_t).values(**asdict(export)))

    def exports(self, person_id: int) -> list[DataExport]:
        """Return a person's exports, oldest first."""
        rows = self.conn.execute(
            select(exports_t).where(exports_t.c.person_id == person_id).order_by(exports_t.c.id)
        ).mappings()
        return [
            DataExport(
                r["person_id"], r["actor"], r["role"], must(r["at"]), r["format"], r["entry_point"]
            )
            for r in rows
        ]

    def add_sent(self, message: SentMessage) -> None:
        """Keep the text of a delivered message."""
        self.conn.execute(insert(sent_t).values(**asdict(message)))

    def sent_to(self, case_ids: list[int], recipients: tuple[str, ...]) -> list[SentMessage]:
        """Return the messages of cases that went to some recipients, oldest first."""
        rows = self.conn.execute(
            select(sent_t)
            .where(sent_t.c.case_id.in_(case_ids), sent_t.c.recipient.in_(recipients))
            .order_by(sent_t.c.at, sent_t.c.id)
        ).mappings()
        return [
            SentMessage(**{k: r[k] for k in r if k not in ("id", "at")}, at=must(r["at"]))
            for r in rows
        ]

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
