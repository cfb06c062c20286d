"""Reading reminder rows: a case's reminders, the agenda, the next due time, counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Connection,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)

from ipm_workflow.adapters.db.case_search import PER_PLACE_MAX
from ipm_workflow.adapters.db.handles import cases_t
from ipm_workflow.adapters.db.mappers import aware, first, record_of
from ipm_workflow.adapters.db.tables import ReminderAttemptRow, ReminderRow, table_of
from ipm_workflow.domain.reminder_lifecycle import ACTIVE, PENDING, Status
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.reminder_ports import Scope

reminders_t = table_of(ReminderRow)
attempts_t = table_of(ReminderAttemptRow)


def _agenda_lateral_statement() -> Any:
    """Active reminders due by `b_until` in places `b_places`, `b_limit` by due time."""
    place = func.unnest(bindparam("b_places", type_=ARRAY(String)))
    status = func.unnest(bindparam("b_states", type_=ARRAY(String)))
    places = place.table_valued("ml").render_derived("place")
    states = status.table_valued("st").render_derived("status")
    own = reminders_t.alias("own")
    walk = (
        select(own.c.id, own.c.due_at)
        .where(
            own.c.mission_locale_id == places.c.ml,
            own.c.status == states.c.st,
            own.c.due_at <= bindparam("b_until"),
        )
        .order_by(own.c.due_at, own.c.id)
        .limit(bindparam("b_limit"))
        .lateral("walk")
    )
    page = (
        select(walk.c.id)
        .select_from(places.join(states, true()).join(walk, true()))
        .order_by(walk.c.due_at, walk.c.id)
        .limit(bindparam("b_limit"))
    )
    stmt = select(reminders_t).where(reminders_t.c.id.in_(page))
    return stmt.order_by(reminders_t.c.due_at, reminders_t.c.id)


_AGENDA_LATERAL = _agenda_lateral_statement()
_ACTIVE_NAMES = [status.value for status in sorted(ACTIVE)]


def reminder_of(row: Any) -> Reminder:
    """Map a reminder row (a mapping; its columns are the reminder's fields) to a Reminder."""
    return record_of(Reminder, row, status=Status(row["status"]))


class SqlReminderReads:
    """The read side of the reminders repository."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def for_case(self, case_id: int) -> list[Reminder]:
        """Return every reminder of a case, by due time."""
        rows = self.conn.execute(
            select(reminders_t)
            .where(reminders_t.c.case_id == case_id)
            .order_by(reminders_t.c.due_at, reminders_t.c.id)
        ).mappings()
        return [reminder_of(r) for r in rows]

    def latest_for_case(self, case_id: int, limit: int) -> tuple[list[Reminder], int]:
        """Return a case's `limit` reminders latest on a timeline, by due time; their count."""
        mine = reminders_t.c.case_id == case_id
        moment = func.coalesce(
            reminders_t.c.sent_at, reminders_t.c.acknowledged_at, reminders_t.c.due_at
        )
        rows = self.conn.execute(
            select(reminders_t)
            .where(mine)
            .order_by(moment.desc(), reminders_t.c.due_at, reminders_t.c.id)
            .limit(limit)
        ).mappings()
        found = sorted((reminder_of(r) for r in rows), key=lambda r: (r.due_at, r.id))
        total = self.conn.execute(select(func.count()).where(mine)).scalar_one()
        return found, int(total)

    def get(self, reminder_id: int) -> Reminder | None:
        """Return one reminder."""
        row = first(self.conn, reminders_t, reminders_t.c.id == reminder_id)
        return reminder_of(row) if row else None

    def agenda(
        self, mission_locales: Scope, advisor_id: int | None, until: datetime, limit: int
    ) -> list[Reminder]:
        """Return the pending reminders due before a moment, across cases, by due time.

        On PostgreSQL, a few missions locales (a supervisor's, without an advisor filter) are
        read one index walk of (mission locale, status, due_at) per place and status in one
        LATERAL statement (`_agenda_lateral`): PostgreSQL stops after `limit` rows instead of
        sorting every pending reminder of all of them (issue 16). The result is the single
        filtered query's, which serves every other case (and SQLite's one-host databases).
        """
        places = list(mission_locales) if mission_locales is not None else None
        per_place = advisor_id is None and self.conn.dialect.name == "postgresql"
        if per_place and places and len(places) <= PER_PLACE_MAX:
            return self._agenda_lateral(places, until, limit)
        due = reminders_t.c.due_at <= until
        stmt = select(reminders_t).where(reminders_t.c.status.in_(sorted(ACTIVE)), due)
        if places is not None:
            # The reminder's own copy of its case's mission locale (0020_scale): no join.
            stmt = stmt.where(reminders_t.c.mission_locale_id.in_(places))
        if advisor_id is not None:
            stmt = stmt.join(cases_t, cases_t.c.id == reminders_t.c.case_id).where(
                cases_t.c.advisor_id == advisor_id
            )
        order = (reminders_t.c.due_at, reminders_t.c.id)
        rows = self.conn.execute(stmt.order_by(*order).limit(limit)).mappings()
        return [reminder_of(r) for r in rows]

    def _agenda_lateral(self, places: list[str], until: datetime, limit: int) -> list[Reminder]:
        """The per-place agenda as one LATERAL walk per (place, status) on PostgreSQL.

        One statement whatever the number of places: its text, SQLAlchemy's compilation,
        psycopg's parsing and the server's prepared plan are reused, where a union of 24
        walks cost ~30 ms of client time and planning for 4 ms of execution at a million
        reminders (bench/scale.py).
        """
        params = {"b_places": places, "b_states": _ACTIVE_NAMES, "b_until": until, "b_limit": limit}
        rows = self.conn.execute(_AGENDA_LATERAL, params).mappings()
        return [reminder_of(r) for r in rows]

    def in_app(
        self, mission_locales: Scope, advisor_id: int | None, recipient: str, limit: int
    ) -> list[Reminder]:
        """Return messages delivered in-app to a recipient role, newest first.

        With `advisor_id`: on the cases that advisor follows, addressed to the advisor or
        delivered to them instead of someone unreachable; without: addressed to `recipient`, or
        delivered instead of someone on a case without an advisor.
        """
        addressed = reminders_t.c.recipient == recipient
        fallback = reminders_t.c.outcome.like("% instead of %")
        stmt = (
            select(reminders_t)
            .join(cases_t, cases_t.c.id == reminders_t.c.case_id)
            .where(reminders_t.c.channel == "in_app", reminders_t.c.sent_at.is_not(None))
        )
        if mission_locales is not None:
            stmt = stmt.where(cases_t.c.mission_locale_id.in_(list(mission_locales)))
        if advisor_id is not None:
            stmt = stmt.where(cases_t.c.advisor_id == advisor_id, or_(addressed, fallback))
        else:
            stmt = stmt.where(or_(addressed, and_(fallback, cases_t.c.advisor_id.is_(None))))
        rows = self.conn.execute(
            stmt.order_by(reminders_t.c.sent_at.desc(), reminders_t.c.id.desc()).limit(limit)
        ).mappings()
        return [reminder_of(r) for r in rows]

    def next_due(self) -> datetime | None:
        """Return when the next planned or retrying reminder falls due."""
        value = self.conn.execute(
            select(func.min(reminders_t.c.next_attempt_at)).where(
                reminders_t.c.status.in_(sorted(PENDING))
            )
        ).scalar()
        return aware(value)

    def attempts_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Return delivery attempts recorded in [start, end], with their reminders."""
        stmt = (
            select(
                attempts_t.c.at,
                attempts_t.c.result,
                attempts_t.c.detail,
                attempts_t.c.channel,
                reminders_t.c.id,
                reminders_t.c.case_id,
                reminders_t.c.rule_id,
                reminders_t.c.kind,
                reminders_t.c.recipient,
            )
            .join(reminders_t, reminders_t.c.id == attempts_t.c.reminder_id)
            .where(attempts_t.c.at >= start, attempts_t.c.at <= end)
            .order_by(attempts_t.c.at, attempts_t.c.id)
        )
        return [{**dict(r), "at": aware(r["at"])} for r in self.conn.execute(stmt).mappings()]

    def counts(self) -> dict[str, int]:
        """Return how many reminders are in each status."""
        rows = self.conn.execute(
            select(reminders_t.c.status, func.count()).group_by(reminders_t.c.status)
        )
        return {status: int(n) for status, n in rows}
