"""The training sandbox's outbox: messages are captured and listed, never sent."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.mappers import aware
from ipm_workflow.adapters.db.tables import SandboxOutboxRow, table_of
from ipm_workflow.services.messages import Message
from ipm_workflow.services.ports import Clock

outbox_t = table_of(SandboxOutboxRow)


class CaptureChannel:
    """Stores each message with its sandbox time instead of delivering it."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def send(self, message: Message) -> None:
        """Capture one message."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(outbox_t).values(
                    reminder_id=message.reminder_id,
                    case_id=message.case_id,
                    channel=message.channel,
                    recipients=", ".join(message.to) or "(in-app)",
                    addressee=(message.addressee or "")[:200] or None,
                    subject=message.subject,
                    body=message.body,
                    message_id=message.message_id,
                    at=self.clock.now(),
                )
            )

    async def close(self) -> None:
        """Nothing to release."""


def outbox(
    engine: Engine,
    *,
    case_id: int | None = None,
    since: datetime | None = None,
    mission_locales: Collection[str] | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Return captured messages, oldest first (only those of some missions locales' cases)."""
    stmt = select(outbox_t)
    if mission_locales is not None:
        stmt = stmt.join(cases_t, cases_t.c.id == outbox_t.c.case_id).where(
            cases_t.c.mission_locale_id.in_(list(mission_locales))
        )
    if case_id is not None:
        stmt = stmt.where(outbox_t.c.case_id == case_id)
    if since is not None:
        moment = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
        stmt = stmt.where(outbox_t.c.at >= moment.astimezone(UTC))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(outbox_t.c.at, outbox_t.c.id).limit(limit)).mappings()
        return [{**dict(r), "at": aware(r["at"])} for r in rows]
