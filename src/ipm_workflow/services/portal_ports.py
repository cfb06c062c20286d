"""Ports of the young person's own pages: single-use sign-in links and portal sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class LinkRecord:
    """A stored sign-in link: its id is the SHA-256 of the token (the token is never stored)."""

    id: str
    person_id: int
    guardian_id: int | None
    target: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class PortalSessionRecord:
    """A stored portal session (its id is the SHA-256 of the cookie's value)."""

    id: str
    person_id: int
    guardian_id: int | None
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Addressee:
    """Someone an e-mail address or phone number belongs to: a young person or a guardian."""

    person_id: int
    guardian_id: int | None
    email: str | None
    phone: str | None
    language: str


class PortalRepository(Protocol):
    """Sign-in links and portal sessions, and who an address belongs to."""

    def add_link(self, record: LinkRecord) -> None:
        """Store a new link."""
        ...

    def link(self, link_id: str) -> LinkRecord | None:
        """Return a link by id, if any."""
        ...

    def use_link(self, link_id: str, at: datetime) -> bool:
        """Mark a link used unless it was already (False then): the one winner of a race."""
        ...

    def add_session(self, record: PortalSessionRecord) -> None:
        """Store a new session."""
        ...

    def session(self, session_id: str) -> PortalSessionRecord | None:
        """Return a session by id, if any."""
        ...

    def delete_session(self, session_id: str) -> None:
        """Forget one session."""
        ...

    def forget_expired(self, before: datetime) -> int:
        """Delete links and sessions expired before a moment; return how many."""
        ...

    def addressees(self, address: str) -> list[Addressee]:
        """The young people and guardians whose e-mail or phone is this (exactly, as stored)."""
        ...
