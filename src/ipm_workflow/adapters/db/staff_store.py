"""Staff passwords, languages and page sessions, on the users and web_sessions tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from ipm_workflow.adapters.db.directory_store import SqlDirectoryRepository
from ipm_workflow.adapters.db.mappers import changed
from ipm_workflow.adapters.db.sessions import SessionRows
from ipm_workflow.adapters.db.tables import UserRow, WebSessionRow, table_of
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.people import User
from ipm_workflow.services.staff_ports import SessionRecord

users_t = table_of(UserRow)
sessions_t = table_of(WebSessionRow)


class SqlStaffRepository(SessionRows[SessionRecord]):
    """Staff sign-in data of one transaction."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn, sessions_t, SessionRecord)

    def _set(self, user_id: int, **values: Any) -> None:
        if not changed(self.conn, users_t, users_t.c.id == user_id, **values):
            raise NotFound("user not found")

    def password_hash(self, user_id: int) -> str | None:
        """Return a user's stored password hash (None: no password set)."""
        value: str | None = self.conn.execute(
            select(users_t.c.password_hash).where(users_t.c.id == user_id)
        ).scalar()
        return value

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Store a user's new password hash."""
        self._set(user_id, password_hash=password_hash)

    def set_language(self, user_id: int, language: str) -> None:
        """Store a user's language for the pages."""
        self._set(user_id, language=language)

    def reactivate(self, user_id: int) -> None:
        """Switch a deactivated user account on again."""
        self._set(user_id, active=True, deactivated_at=None)

    def users(self) -> list[tuple[User, bool]]:
        """Return every user with whether a password is set, by username."""
        hashed = set(
            self.conn.execute(
                select(users_t.c.id).where(users_t.c.password_hash.is_not(None))
            ).scalars()
        )
        return [(u, u.id in hashed) for u in SqlDirectoryRepository(self.conn).users()]

    def delete_sessions(
        self, user_id: int, keep: str | None = None, before: datetime | None = None
    ) -> int:
        """Forget a user's sessions (but `keep`); with `before`, only those expired by then."""
        statement = delete(sessions_t).where(sessions_t.c.user_id == user_id)
        if keep is not None:
            statement = statement.where(sessions_t.c.id != keep)
        if before is not None:
            statement = statement.where(sessions_t.c.expires_at <= before)
        return int(self.conn.execute(statement).rowcount)
