"""Contact attempts of the follow-up, in SQL."""

from __future__ import annotations

from sqlalchemy import Connection, Table, select

from ipm_workflow.adapters.db.handles import new_id
from ipm_workflow.adapters.db.mappers import insert_record, records
from ipm_workflow.adapters.db.tables import ContactAttemptRow, table_of
from ipm_workflow.domain.contacts import ContactAttempt

contacts_t: Table = table_of(ContactAttemptRow)


class SqlContactRepository:
    """Contact attempts, appended and read per case."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, attempt: ContactAttempt) -> int:
        """Insert an attempt and return its id."""
        return new_id(insert_record(self.conn, contacts_t, attempt))

    def for_case(self, case_id: int) -> list[ContactAttempt]:
        """Return a case's attempts, oldest first."""
        mine = select(contacts_t).where(contacts_t.c.case_id == case_id)
        return records(self.conn, ContactAttempt, mine.order_by(contacts_t.c.at, contacts_t.c.id))
