"""Server-side page sessions known by the SHA-256 of their cookie: the staff's and the young
person's are kept apart (two tables) but stored and read the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import Connection, Table, delete

from ipm_workflow.adapters.db.mappers import first, insert_record, record_of

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")


class SessionRows(Generic[S]):
    """Sessions of one table, as records of one kind (their fields bear the columns' names)."""

    def __init__(self, conn: Connection, table: Table, record: type[S]) -> None:
        self.conn = conn
        self._sessions = table
        self._record = record

    def add_session(self, record: S) -> None:
        """Store a new session."""
        insert_record(self.conn, self._sessions, record, leave=())

    def session(self, session_id: str) -> S | None:
        """Return a session by id, if any."""
        row = first(self.conn, self._sessions, self._sessions.c.id == session_id)
        return record_of(self._record, row) if row else None

    def delete_session(self, session_id: str) -> None:
        """Forget one session."""
        self.conn.execute(delete(self._sessions).where(self._sessions.c.id == session_id))
