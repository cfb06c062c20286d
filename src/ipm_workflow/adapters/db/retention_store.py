"""Retention in SQL: the facts the rules read, and clearing or deleting a person's rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, select, update

from ipm_workflow.adapters.db import name_keys
from ipm_workflow.adapters.db.access import idem_t
from ipm_workflow.adapters.db.attribution_store import moves_t
from ipm_workflow.adapters.db.contact_store import contacts_t
from ipm_workflow.adapters.db.handles import cases_t, history_t, people_t
from ipm_workflow.adapters.db.mappers import changed
from ipm_workflow.adapters.db.people_store import guardians_t, reads_t, sensitive_t
from ipm_workflow.adapters.db.portal_store import links_t, sessions_t
from ipm_workflow.adapters.db.privacy_store import consents_t, sent_t
from ipm_workflow.adapters.db.reminder_reads import attempts_t, reminders_t
from ipm_workflow.adapters.db.tables import SandboxOutboxRow, table_of
from ipm_workflow.adapters.db.upload_store import uploads_t
from ipm_workflow.domain.retention import CaseFacts, PersonFacts

outbox_t = table_of(SandboxOutboxRow)
ERASED = "(erased)"  # what a cleared free-text column that may not be empty holds
# A pseudonymised person's row: no way left to reach them, nor to find them elsewhere.
_UNREACHABLE = dict.fromkeys(
    ("email", "phone", "imilo_id", "commune_insee", "consent_email_source", "consent_sms_source")
) | {"consent_email": False, "consent_sms": False}
# Their special-category row: the amounts and free text (its categories feed the counts).
_FREE_TEXT = dict.fromkeys(
    ("inclusion_support_amount", "inclusion_support_justification", "health_needs")
)


class SqlRetentionRepository:
    """Reads and clears people's rows inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def facts(self, after_id: int, limit: int, timezone: str) -> list[PersonFacts]:
        """The next people by id (after `after_id`), with their cases' ends and dates."""
        tz = ZoneInfo(timezone)

        def day(at: datetime | None) -> date | None:
            if at is None:
                return None
            return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz).date()

        people = self.conn.execute(
            select(people_t.c.id, people_t.c.birth_date, people_t.c.pseudonymised_at)
            .where(people_t.c.id > after_id)
            .order_by(people_t.c.id)
            .limit(limit)
        ).all()
        if not people:
            return []
        ids = [p.id for p in people]
        cases: dict[int, list[CaseFacts]] = defaultdict(list)
        rows = self.conn.execute(
            select(
                cases_t.c.id,
                cases_t.c.person_id,
                cases_t.c.workflow,
                cases_t.c.closed_at,
                cases_t.c.data,
            )
            .where(cases_t.c.person_id.in_(ids))
            .order_by(cases_t.c.id)
        )
        for row in rows:
            cases[row.person_id].append(
                CaseFacts(row.id, row.workflow, day(row.closed_at), dict(row.data or {}))
            )
        return [
            PersonFacts(p.id, p.birth_date, p.pseudonymised_at is not None, cases[p.id])
            for p in people
        ]

    def _case_ids(self, person_id: int) -> list[int]:
        stmt = select(cases_t.c.id).where(cases_t.c.person_id == person_id)
        return list(self.conn.execute(stmt).scalars())

    def clear_person(self, person_id: int, pseudonym: str, at: datetime) -> None:
        """Pseudonymise the person's row and clear every row about them outside the cases."""
        conn = self.conn
        birth = conn.execute(
            select(people_t.c.birth_date).where(people_t.c.id == person_id)
        ).scalar()
        # The year keeps the age bands; mid-year errs by six months at most.
        mid_year = date(birth.year, 7, 1) if birth else None
        named = {"first_name": pseudonym, "last_name": pseudonym, "birth_date": mid_year}
        moments = {"pseudonymised_at": at, "updated_at": at}
        changed(conn, people_t, people_t.c.id == person_id, **named, **moments, **_UNREACHABLE)
        name_keys.refresh(conn, person_id)  # the cases' search key: the pseudonym only
        conn.execute(delete(guardians_t).where(guardians_t.c.person_id == person_id))
        # The categories the aggregate counts need stay; amounts and free text go.
        changed(
            conn, sensitive_t, sensitive_t.c.person_id == person_id, **_FREE_TEXT, updated_at=at
        )
        case_ids = self._case_ids(person_id)
        if not case_ids:
            return
        conn.execute(update(contacts_t).where(contacts_t.c.case_id.in_(case_ids)).values(note=None))
        conn.execute(update(moves_t).where(moves_t.c.case_id.in_(case_ids)).values(reason=None))
        reminder_ids = select(reminders_t.c.id).where(reminders_t.c.case_id.in_(case_ids))
        conn.execute(
            update(reminders_t)
            .where(reminders_t.c.case_id.in_(case_ids))
            .values(addressee=None, outcome=None)
        )
        conn.execute(
            update(attempts_t).where(attempts_t.c.reminder_id.in_(reminder_ids)).values(detail=None)
        )
        # The texts of the messages sent (kept for subject access) and the sandbox's copies.
        conn.execute(delete(outbox_t).where(outbox_t.c.case_id.in_(case_ids)))
        conn.execute(delete(sent_t).where(sent_t.c.case_id.in_(case_ids)))
        # How a consent reached us is free text ("by phone with …"): what, when and by whom stay.
        conn.execute(
            update(consents_t).where(consents_t.c.person_id == person_id).values(method=ERASED)
        )
        # Sign-in links and sessions of their own pages: a pseudonym signs in nowhere.
        for table in (links_t, sessions_t):
            conn.execute(delete(table).where(table.c.person_id == person_id))

    def delete_person(self, person_id: int) -> list[int]:
        """Delete the person and everything about them, cases and chains included; case ids."""
        conn = self.conn
        case_ids = self._case_ids(person_id)
        if case_ids:
            reminder_ids = select(reminders_t.c.id).where(reminders_t.c.case_id.in_(case_ids))
            conn.execute(delete(attempts_t).where(attempts_t.c.reminder_id.in_(reminder_ids)))
            for table in (reminders_t, contacts_t, moves_t, history_t, outbox_t, sent_t, uploads_t):
                conn.execute(delete(table).where(table.c.case_id.in_(case_ids)))
            conn.execute(delete(cases_t).where(cases_t.c.id.in_(case_ids)))
        # Erasure requests and exports stay: they hold no personal data, only the person's id.
        for table in (
            guardians_t,
            sensitive_t,
            reads_t,
            consents_t,
            links_t,
            sessions_t,
            uploads_t,
        ):
            conn.execute(delete(table).where(table.c.person_id == person_id))
        # A duplicate merged into this person no longer points at it (it has its own rules).
        conn.execute(
            update(people_t)
            .where(people_t.c.merged_into_id == person_id)
            .values(merged_into_id=None)
        )
        conn.execute(delete(people_t).where(people_t.c.id == person_id))
        return case_ids

    def forget_answers(self, before: datetime) -> int:
        """Delete the stored answers of idempotent requests made before a moment; how many."""
        stmt = delete(idem_t).where(idem_t.c.created_at < before)
        return self.conn.execute(stmt).rowcount
