"""Case listings in SQL: filters, order, keyset paging, a capped count, a few places merged.

One rule serves the API, the pages and the CLI (`SqlCaseRepository.search`). What keeps a
listing fast at a million cases (issue 16, measured by bench/scale.py):
- the count stops at `count_limit + 1` matches (`services.ports.capped_total` reads it), and
  is not run when a page that is not full already tells it;
- a few missions locales (a supervisor's) are read one index walk each, merged, so PostgreSQL
  stops after a page in each instead of sorting every case of all of them;
- keyset paging (`after`) starts a page after the previous one's last case, at any depth.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnCollection,
    Connection,
    exists,
    func,
    literal,
    nulls_last,
    select,
    tuple_,
    union_all,
)

from ipm_workflow.adapters.db import mappers, name_keys
from ipm_workflow.adapters.db.handles import cases_t, people_t
from ipm_workflow.adapters.db.tables import GuardianRow
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.profile import adult_born_by
from ipm_workflow.services.case_ports import CaseQuery

# The listings' sorts: each is a column of the cases table, the id breaking ties.
SORTABLE = ("id", "opened_at", "updated_at", "state", "state_entered_at", "due_at")
# Up to this many missions locales, one index walk each; past it (an administrator's scope),
# one walk of the sort's own index filtered by place reads fewer rows.
PER_PLACE_MAX = 16


def utc(moment: datetime) -> datetime:
    """Compare instants in UTC: SQLite compares stored timestamps as text."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def minors_without_guardian(on: date) -> Any:
    """The condition on cases of young people who are minors on a day with no guardian."""
    guardians = GuardianRow.__table__  # type: ignore[attr-defined]
    people = select(people_t.c.id).where(
        people_t.c.birth_date > adult_born_by(on),
        ~exists().where(guardians.c.person_id == people_t.c.id),
    )
    return cases_t.c.person_id.in_(people)


def _equalities(query: CaseQuery) -> list[Any]:
    """The filters on a case's own columns, the mission locales aside."""
    c = cases_t.c
    wanted = (
        (c.state, query.state),
        (c.workflow, query.workflow),
        (c.workflow_version, query.workflow_version),
        (c.cohort_id, query.cohort_id),
        (c.advisor_id, query.advisor_id),
    )
    conditions = [column == value for column, value in wanted if value not in (None, "")]
    for column, values in (
        (c.state, query.states),
        (c.referring_mission_locale_id, query.referring_mission_locales),
        (c.person_id, query.person_ids),
    ):
        if values is not None:
            conditions.append(column.in_(list(values)))
    if query.unassigned:
        conditions.append(c.advisor_id.is_(None))
    return conditions


def conditions(query: CaseQuery) -> list[Any]:
    """Every filter of a listing but the mission locales (see `search`)."""
    found = _equalities(query)
    if query.opened_from:
        found.append(cases_t.c.opened_at >= utc(query.opened_from))
    if query.opened_to:
        found.append(cases_t.c.opened_at < utc(query.opened_to))
    if query.overdue is not None:
        # The same clock as the case representation: the stored deadline, pauses included.
        found.append(cases_t.c.due_at < utc(query.overdue))
    if query.minor_without_guardian_on is not None:
        found.append(minors_without_guardian(query.minor_without_guardian_on))
    if query.name:
        found.append(name_keys.contains(query.name))
    return found


def _in_places(query: CaseQuery) -> list[Any]:
    """The mission locales' condition (none for every place)."""
    if query.mission_locales is None:
        return []
    return [cases_t.c.mission_locale_id.in_(list(query.mission_locales))]


def _sort_keys(query: CaseQuery) -> list[Any]:
    """The columns a page of matches is ordered by: the id and the sorted column."""
    column = cases_t.c.due_at if query.due_first else cases_t.c[query.sort]
    return [cases_t.c.id] if column is cases_t.c.id else [cases_t.c.id, column]


def _matching(query: CaseQuery, where: list[Any], keys: list[Any]) -> Any:
    """SELECT the keys of the cases meeting `where` in the query's places.

    A name among a few places is one SELECT per place, UNION ALL: PostgreSQL's GIN index on
    the place and the name's trigrams (0024_name_key) takes `mission_locale_id = x`, not `IN`
    (and factors a name repeated in an OR out of it), so each place is one index scan that
    intersects place and text before a row is read.
    """
    places = list(query.mission_locales or ())
    if query.name and 0 < len(places) <= PER_PLACE_MAX:
        column = cases_t.c.mission_locale_id
        return union_all(*(select(*keys).where(*where, column == p) for p in places))
    return select(*keys).where(*where, *_in_places(query))


def _keyset(query: CaseQuery) -> list[Any]:
    """Keyset paging: the cases after `query.after` (sorted value, id) in the listing's order."""
    if query.after is None or query.due_first:
        return []
    column = cases_t.c[query.sort]
    value, last_id = query.after
    if isinstance(value, datetime):
        value = utc(value)
    key = tuple_(column, cases_t.c.id)
    bound = tuple_(literal(value, column.type), literal(last_id, cases_t.c.id.type))
    return [key < bound if query.descending else key > bound]


def _order(columns: ColumnCollection[str, Any], query: CaseQuery) -> list[Any]:
    """The listing's order; the id breaks ties so that pages never overlap nor skip a case."""
    if query.due_first:
        # Soonest deadline first (overdue cases have the earliest), cases without one last:
        # PostgreSQL's index order, so an index on (mission locale, due_at, id) gives a page.
        return [nulls_last(columns.due_at.asc()), columns.id]
    column = columns[query.sort]
    if query.descending:
        return [column.desc(), columns.id.desc()]
    return [column, columns.id]


def _count(conn: Connection, where: list[Any], limit: int | None) -> int:
    """How many cases match, counting at most `limit + 1` of them."""
    matches = select(cases_t.c.id).where(*where)
    if limit is not None:
        matches = matches.limit(limit + 1)
    return int(conn.execute(select(func.count()).select_from(matches.subquery())).scalar_one())


def _page_statement(query: CaseQuery, where: list[Any]) -> Any:
    """The SELECT of one page: per mission locale and merged when there are a few of them."""
    places = list(query.mission_locales) if query.mission_locales is not None else None
    selective = _selective(query)
    if places is None or selective or not 1 < len(places) <= PER_PLACE_MAX:
        if not selective:
            stmt = select(cases_t).where(*where, *_in_places(query))
            stmt = stmt.order_by(*_order(cases_t.c, query))
            return stmt.limit(query.limit).offset(query.offset)
        # The page's keys first (a name: per place, see `_matching`), then only its rows.
        found = _matching(query, where, _sort_keys(query)).subquery()
        page = select(found.c.id).order_by(*_order(found.c, query))
        page = page.limit(query.limit).offset(query.offset)
        stmt = select(cases_t).where(cases_t.c.id.in_(page))
        return stmt.order_by(*_order(cases_t.c, query))
    # Each place's first offset + limit cases in order (an index walk that stops early), only
    # their keys: building a union of whole rows cost more in SQLAlchemy than running it.
    depth = query.offset + query.limit
    column = cases_t.c.due_at if query.due_first else cases_t.c[query.sort]
    keys = [cases_t.c.id] if column is cases_t.c.id else [column, cases_t.c.id]
    parts = [
        select(*keys)
        .where(*where, cases_t.c.mission_locale_id == place)
        .order_by(*_order(cases_t.c, query))
        .limit(depth)
        .subquery()
        for place in places
    ]
    merged = union_all(*(select(part) for part in parts)).subquery()
    page = select(merged.c.id).order_by(*_order(merged.c, query))
    page = page.limit(query.limit).offset(query.offset)
    stmt = select(cases_t).where(cases_t.c.id.in_(page))
    return stmt.order_by(*_order(cases_t.c, query))


def _known_total(query: CaseQuery, found: int) -> int | None:
    """The count a page tells alone: a first or later page not full ends the listing.

    With keyset paging the count covers the cases before the page too, so it is not known.
    """
    if query.after is not None or found >= query.limit or (found == 0 and query.offset > 0):
        return None
    total = query.offset + found
    return total if query.count_limit is None else min(total, query.count_limit + 1)


def _selective(query: CaseQuery) -> bool:
    """A name or a few people select few cases already: one plan, the matches found once."""
    return bool(query.name) or query.person_ids is not None


def _page_with_count(conn: Connection, query: CaseQuery, where: list[Any]) -> tuple[list[Any], int]:
    """A selective listing's page and count in one statement; the count 0 when the page is empty.

    The matches (for a name: one GIN index on PostgreSQL, the mission locales and the name's
    trigrams intersected, see name_keys) are looked up once and read twice, for the page and
    for the capped count, instead of once per statement.
    """
    matches = _matching(query, where, _sort_keys(query)).cte("matches")
    page = select(matches.c.id).order_by(*_order(matches.c, query))
    page = page.limit(query.limit).offset(query.offset)
    counted = select(matches.c.id)
    if query.count_limit is not None:
        counted = counted.limit(query.count_limit + 1)
    total = select(func.count()).select_from(counted.subquery()).scalar_subquery()
    stmt = select(cases_t, total.label("matches_total")).where(cases_t.c.id.in_(page))
    rows = list(conn.execute(stmt.order_by(*_order(cases_t.c, query))).mappings())
    return rows, int(rows[0]["matches_total"]) if rows else 0


def search(conn: Connection, query: CaseQuery) -> tuple[list[Case], int]:
    """One page of the matching cases and their count (at most `count_limit + 1`)."""
    where = conditions(query)
    counted = [*where, *_in_places(query)]
    if _selective(query) and query.after is None:
        rows, total = _page_with_count(conn, query, where)
        if rows or (query.offset == 0 and query.limit > 0):
            return [mappers.case_from_row(r) for r in rows], total
        return [], _count(conn, counted, query.count_limit)
    rows = list(conn.execute(_page_statement(query, where + _keyset(query))).mappings())
    cases = [mappers.case_from_row(r) for r in rows]
    known = _known_total(query, len(cases))
    return cases, known if known is not None else _count(conn, counted, query.count_limit)
