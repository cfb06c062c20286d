"""Sign-in links and portal sessions of the young person's own pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, or_, select

from ipm_workflow.adapters.db.handles import people_t
from ipm_workflow.adapters.db.mappers import changed, first, insert_record, record_of
from ipm_workflow.adapters.db.people_store import guardians_t
from ipm_workflow.adapters.db.sessions import SessionRows
from ipm_workflow.adapters.db.tables import PortalLinkRow, PortalSessionRow, table_of
from ipm_workflow.services.portal_ports import Addressee, LinkRecord, PortalSessionRecord

links_t = table_of(PortalLinkRow)
sessions_t = table_of(PortalSessionRow)


class SqlPortalRepository(SessionRows[PortalSessionRecord]):
    """Portal links and sessions of one transaction."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn, sessions_t, PortalSessionRecord)

    def add_link(self, record: LinkRecord) -> None:
        """Store a new link."""
        insert_record(self.conn, links_t, record, leave=())

    def link(self, link_id: str) -> LinkRecord | None:
        """Return a link by id, if any."""
        row = first(self.conn, links_t, links_t.c.id == link_id)
        return record_of(LinkRecord, row) if row else None

    def use_link(self, link_id: str, at: datetime) -> bool:
        """Mark a link used unless it was already (False then): the one winner of a race."""
        unused = (links_t.c.id == link_id, links_t.c.used_at.is_(None))
        return changed(self.conn, links_t, *unused, used_at=at)

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
