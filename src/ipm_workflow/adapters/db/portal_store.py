"""Sign-in links and portal sessions of the young person's own pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from ipm_workflow.adapters.db.mappers import aware, must
from ipm_workflow.adapters.db.tables import (
    GuardianRow,
    PersonRow,
    PortalLinkRow,
    PortalSessionRow,
)
from ipm_workflow.services.portal_ports import Addressee, LinkRecord, PortalSessionRecord

links_t = PortalLinkRow.__table__  # type: ignore[attr-defined]
sessions_t = PortalSessionRow.__table__  # type: ignore[attr-defined]
people_t = PersonRow.__table__  # type: ignore[attr-defined]
guardians_t = GuardianRow.__table__  # type: ignore[attr-defined]


def _link(row: Any) -> LinkRecord:
    return LinkRecord(
        row["id"],
        row["person_id"],
        row["guardian_id"],
        row["target"],
        must(row["created_at"]),
        must(row["expires_at"]),
        aware(row["used_at"]),
    )


class SqlPortalRepository:
    """Portal links and sessions of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_link(self, record: LinkRecord) -> None:
        """Store a new link."""
        self.conn.execute(
            insert(links_t).values(
                id=record.id,
                person_id=record.person_id,
                guardian_id=record.guardian_id,
                target=record.target,
                created_at=record.created_at,
                expires_at=record.expires_at,
            )
        )

    def link(self, link_id: str) -> LinkRecord | None:
        """Return a link by id, if any."""
        row = self.conn.execute(select(links_t).where(links_t.c.id == link_id)).mappings().first()
        return _link(row) if row else None

    def use_link(self, link_id: str, at: datetime) -> bool:
        """Mark a link used unless it was already (False then): the one winner of a race."""
        done = self.conn.execute(
            update(links_t)
            .where(links_t.c.id == link_id, links_t.c.used_at.is_(None))
            .values(used_at=at)
        )
        return bool(done.rowcount)

    def add_session(self, record: PortalSessionRecord) -> None:
        """Store a new session."""
        self.conn.execute(
            insert(sessions_t).values(
                id=record.id,
                person_id=record.person_id,
                guardian_id=record.guardian_id,
                csrf_token=record.csrf_token,
                created_at=record.created_at,
                expires_at=record.expires_at,
            )
        )

    def session(self, session_id: str) -> PortalSessionRecord | None:
        """Return a session by id, if any."""
        row = (
            self.conn.execute(select(sessions_t).where(sessions_t.c.id == session_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return PortalSessionRecord(
            row["id"],
            row["person_id"],
            row["guardian_id"],
            row["csrf_token"],
            must(row["created_at"]),
            must(row["expires_at"]),
        )

    def delete_session(self, session_id: str) -> None:
        """Forget one session."""
        self.conn.execute(delete(sessions_t).where(sessions_t.c.id == session_id))

    def forget_expired(self, before: datetime) -> int:
        """Delete links and sessions expired before a moment; return how many."""
        links = self.conn.execute(delete(links_t).where(links_t.c.expires_at < before))
        sessions = self.conn.execute(delete(sessions_t).where(sessions_t.c.expires_at < before))
        return int(links.rowcount) + int(sessions.rowcount)

    def addressees(self, address: str) -> list[Addressee]:
        """The young people and guardians whose e-mail or phone is this (exactly, as stored)."""
        people = self.conn.execute(
            select(people_t.c.id, people_t.c.email, people_t.c.phone, people_t.c.language).where(
                or_(people_t.c.email == address, people_t.c.phone == address),
                people_t.c.merged_into_id.is_(None),
                people_t.c.pseudonymised_at.is_(None),
            )
        ).all()
        guardians = self.conn.execute(
            select(
                guardians_t.c.person_id,
                guardians_t.c.id,
                guardians_t.c.email,
                guardians_t.c.phone,
                guardians_t.c.language,
            ).where(or_(guardians_t.c.email == address, guardians_t.c.phone == address))
        ).all()
        found = [Addressee(r.id, None, r.email, r.phone, r.language) for r in people]
        return found + [
            Addressee(r.person_id, r.id, r.email, r.phone, r.language) for r in guardians
        ]
