"""Contact attempts of the follow-up, in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, select

from ipm_workflow.adapters.db.handles import new_id
from ipm_workflow.adapters.db.mappers import must
from ipm_workflow.adapters.db.tables import ContactAttemptRow
from ipm_workflow.domain.contacts import ContactAttempt

contacts_t: Table = ContactAttemptRow.__table__  # type: ignore[attr-defined]
_COLUMNS = ("case_id", "at", "channel", "answered", "by", "checkpoint", "note", "recorded_at")


class SqlContactRepository:
    """Contact attempts, appended and read per case."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, attempt: ContactAttempt) -> int:
        """Insert an attempt and return its id."""
        values = {name: getattr(attempt, name) for name in _COLUMNS}
        return new_id(self.conn.execute(insert(contacts_t).values(**values)))

    def for_case(self, case_id: int) -> list[ContactAttempt]:
        """Return a case's attempts, oldest first."""
        rows = self.conn.execute(
            select(contacts_t)
            .where(contacts_t.c.case_id == case_id)
            .order_by(contacts_t.c.at, contacts_t.c.id)
        ).mappings()
        return [_attempt(r) for r in rows]


def _attempt(row: Any) -> ContactAttempt:
    return ContactAttempt(
        id=row["id"],
        case_id=row["case_id"],
        at=must(row["at"]),
        channel=row["channel"],
        answered=bool(row["answered"]),
        by=row["by"],
        checkpoint=row["checkpoint"],
        note=row["note"],
        recorded_at=must(row["recorded_at"]),
    )
