"""Attribution in SQL: moves between missions locales, deactivated staff, and the counts.

The two counts are SQL aggregates on both databases (reports reuse them): referrals per
referring mission locale, outcomes per current mission locale; a young person whose records
were merged is counted once (as the surviving record).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select

from ipm_workflow.adapters.db.handles import cases_t, people_t, users_t
from ipm_workflow.adapters.db.mappers import changed, insert_record, records
from ipm_workflow.adapters.db.tables import MissionLocaleMoveRow, table_of
from ipm_workflow.services.attribution_ports import MlCount, Move, Period

moves_t: Table = table_of(MissionLocaleMoveRow)
# The merged-away case of a duplicate is not a referral of its own.
MERGED_STATE = "MERGED"
_PERSON = func.coalesce(people_t.c.merged_into_id, people_t.c.id)


def _utc(moment: datetime) -> datetime:
    # SQLite compares stored timestamps as text: compare instants in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _within(column: Any, period: Period) -> list[Any]:
    found = []
    if period.since is not None:
        found.append(column >= _utc(period.since))
    if period.until is not None:
        found.append(column < _utc(period.until))
    return found


def _counts(ml_column: Any, conditions: list[Any], conn: Connection) -> list[MlCount]:
    stmt = (
        select(ml_column, func.count(cases_t.c.id), func.count(_PERSON.distinct()))
        .select_from(cases_t.join(people_t, people_t.c.id == cases_t.c.person_id))
        .where(*conditions)
        .group_by(ml_column)
        .order_by(ml_column)
    )
    return [MlCount(ml, n, people) for ml, n, people in conn.execute(stmt)]


class SqlAttributionRepository:
    """Moves, deactivation and counts."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record_move(self, move: Move) -> None:
        """Store a move."""
        insert_record(self.conn, moves_t, move)

    def moves_of(self, case_id: int) -> list[Move]:
        """Return a case's moves, oldest first."""
        its = select(moves_t).where(moves_t.c.case_id == case_id)
        return records(self.conn, Move, its.order_by(moves_t.c.id))

    def deactivate_user(self, user_id: int, at: datetime) -> bool:
        """Switch a user off; return whether they were active."""
        active = (users_t.c.id == user_id, users_t.c.active.is_(True))
        return changed(self.conn, users_t, *active, active=False, deactivated_at=at)

    def referrals_by_referring_ml(self, period: Period) -> list[MlCount]:
        """Cases opened in the period, per referring mission locale (merged duplicates left out)."""
        referring = func.coalesce(
            cases_t.c.referring_mission_locale_id, cases_t.c.mission_locale_id
        )
        conditions = [cases_t.c.state != MERGED_STATE, *_within(cases_t.c.opened_at, period)]
        return _counts(referring, conditions, self.conn)

    def outcomes_by_current_ml(self, period: Period, states: list[str]) -> list[MlCount]:
        """Cases that entered one of `states` in the period and are there, per current ML."""
        conditions = [
            cases_t.c.state.in_(states),
            *_within(cases_t.c.state_entered_at, period),
        ]
        return _counts(cases_t.c.mission_locale_id, conditions, self.conn)
