"""The reports' SQL registry: each report's query under the report's name (report_store runs it).

The queries live by subject: report_queries.py (journeys: funnel, first contact, departures,
dropout, returns, outcomes), report_supervision.py (caseload, overdue, territory),
report_funders.py (the funders' reports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Select

from ipm_workflow.adapters.db.report_sql import Context

Rows = list[tuple[Any, ...]]
Query = Callable[[Connection, Context], Rows]
QUERIES: dict[str, Query] = {}
# A list of cases (one row per case): its ordered statement and how a result row becomes a
# report row, so that the first rows and the count can be read without the whole list.
Listing = Callable[[Context], tuple[Select[Any], Callable[[Any], tuple[Any, ...]]]]
LISTINGS: dict[str, Listing] = {}


def query(name: str) -> Callable[[Query], Query]:
    """Register the SQL of a report."""

    def register(fn: Query) -> Query:
        QUERIES[name] = fn
        return fn

    return register


def listing(name: str) -> Callable[[Listing], Listing]:
    """Register a report that lists cases: its statement, also run whole as its query."""

    def register(fn: Listing) -> Listing:
        def whole(conn: Connection, ctx: Context) -> Rows:
            stmt, row_of = fn(ctx)
            return [row_of(row) for row in conn.execute(stmt)]

        LISTINGS[name] = fn
        QUERIES[name] = whole
        return fn

    return register


def share(part: int | None, whole: int | None) -> float | None:
    """A part of a whole, or None when the whole is nothing."""
    return None if not whole or part is None else part / whole
