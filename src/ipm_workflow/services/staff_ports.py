"""Ports for staff sign-in on the web pages: passwords, languages and page sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ipm_workflow.domain.people import User


@dataclass(frozen=True)
class SessionRecord:
    """A stored page session (its id is the SHA-256 of the cookie's value)."""

    id: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class StaffRepository(Protocol):
    """Staff passwords, language preferences and server-side page sessions."""

    def password_hash(self, user_id: int) -> str | None:
        """Return a user's stored password hash (None: no password set)."""
        ...

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Store a user's new password hash."""
        ...

    def set_language(self, user_id: int, language: str) -> None:
        """Store a user's language for the pages."""
        ...

    def reactivate(self, user_id: int) -> None:
        """Switch a deactivated user account on again."""
        ...

    def users(self) -> list[tuple[User, bool]]:
        """Return every user with whether a password is set, by username."""
        ...

    def add_session(self, record: SessionRecord) -> None:
        """Store a new session."""
        ...

    def session(self, session_id: str) -> SessionRecord | None:
        """Return a session by id, if any."""
        ...

    def delete_session(self, session_id: str) -> None:
        """Forget one session."""
        ...

    def delete_sessions(
        self, user_id: int, keep: str | None = None, before: datetime | None = None
    ) -> int:
        """Forget a user's sessions (but `keep`); with `before`, only those expired by then."""
        ...
