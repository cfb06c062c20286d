"""The append-only history table: entries appended, read per case, searched across cases."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, bindparam, func, insert, select, update

from ipm_workflow.adapters.db import mappers
from ipm_workflow.adapters.db.case_search import utc
from ipm_workflow.adapters.db.driver import DriverStatement
from ipm_workflow.adapters.db.handles import cases_t, history_t
from ipm_workflow.domain.cases import HistoryEntry
from ipm_workflow.domain.chain import ERASED_PAYLOAD
from ipm_workflow.services.case_ports import AuditQuery

# The entry's own fields. Its mission locale is no field of the entry (nor of the hash chain):
# the case's as stored, copied for the audit search and following the case's moves (the case
# repository's update brings it along).
_HISTORY_COLUMNS = tuple(
    c.name for c in history_t.columns if c.name not in {"id", "mission_locale_id"}
)
_CASE_PLACE = (
    select(cases_t.c.mission_locale_id)
    .where(cases_t.c.id == bindparam("b_case_id"))
    .scalar_subquery()
)
_INSERT_HISTORY = DriverStatement(
    insert(history_t).values(
        mission_locale_id=_CASE_PLACE, **{c: bindparam(f"b_{c}") for c in _HISTORY_COLUMNS}
    )
)


class SqlHistoryRepository:
    """The append-only history table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, entry: HistoryEntry) -> None:
        """Insert one entry."""
        values = mappers.entry_values(entry)
        _INSERT_HISTORY.execute(self.conn, {f"b_{c}": values[c] for c in _HISTORY_COLUMNS})

    def for_case(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's entries in order."""
        rows = self.conn.execute(
            select(history_t).where(history_t.c.case_id == case_id).order_by(history_t.c.seq)
        ).mappings()
        return [mappers.entry_from_row(r) for r in rows]

    def latest(self, case_id: int, limit: int) -> tuple[list[HistoryEntry], int, set[str]]:
        """Return a case's `limit` latest entries (oldest first), their count, states entered."""
        mine = history_t.c.case_id == case_id
        rows = self.conn.execute(
            select(history_t)
            .where(mine)
            .order_by(history_t.c.at.desc(), history_t.c.seq)
            .limit(limit)
        ).mappings()
        entries = sorted((mappers.entry_from_row(r) for r in rows), key=lambda e: e.seq)
        total = self.conn.execute(select(func.count()).where(mine)).scalar_one()
        states = self.conn.execute(
            select(history_t.c.to_state).where(mine, history_t.c.to_state.is_not(None)).distinct()
        ).scalars()
        return entries, int(total), set(states)

    def erase_payloads(self, case_id: int, seqs: Collection[int]) -> int:
        """Blank some entries' payloads and salts (digests and hashes kept); return how many."""
        stmt = (
            update(history_t)
            .where(history_t.c.case_id == case_id, history_t.c.seq.in_(sorted(seqs)))
            .values(payload=dict(ERASED_PAYLOAD), payload_salt=None)
        )
        return self.conn.execute(stmt).rowcount

    def search(self, query: AuditQuery) -> list[HistoryEntry]:
        """Return entries across cases, newest first.

        By mission locale, the entries' own copy of their case's current one is read (indexed
        with `at` and `id`, 0025_history_ml): no join with the cases.
        """
        stmt = select(history_t)
        for column, value in (
            (history_t.c.mission_locale_id, query.mission_locale_id or None),
            (history_t.c.actor, query.actor),
            (history_t.c.trigger, query.trigger),
            (history_t.c.case_id, query.case_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if query.since:
            stmt = stmt.where(history_t.c.at >= utc(query.since))
        if query.until:
            stmt = stmt.where(history_t.c.at < utc(query.until))
        stmt = stmt.order_by(history_t.c.at.desc(), history_t.c.id.desc())
        rows = self.conn.execute(stmt.limit(query.limit).offset(query.offset)).mappings()
        return [mappers.entry_from_row(r) for r in rows]
