"""The reports' reader: runs a report's SQL in a read-only transaction; targets, populations,
and the snapshots the worker computes ahead for the dashboards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select

from ipm_workflow.adapters.db.database import READONLY
from ipm_workflow.adapters.db.tables import (
    ReferencePopulationRow,
    ReportSnapshotRow,
    ReportTargetRow,
    table_of,
)
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.services.report_ports import Population, ReportRequest, Snapshot, Target

targets_t: Table = ReportTargetRow.__table__  # type: ignore[attr-defined]
populations_t: Table = ReferencePopulationRow.__table__  # type: ignore[attr-defined]
snapshots_t: Table = table_of(ReportSnapshotRow)
T = TypeVar("T")


class SqlReportReader:
    """Reports computed by the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, request: ReportRequest) -> list[tuple[Any, ...]]:
        """Compute one report's rows in one read-only transaction."""
        return self._reading(request, lambda conn, ctx, sql: sql(conn, ctx))

    def first_rows(self, request: ReportRequest, limit: int) -> tuple[list[tuple[Any, ...]], int]:
        """A report's first `limit` rows and the count of all, in one read-only transaction.

        A list of cases (`report_registry.listing`) is cut and counted by the database (the
        late first contacts are 890,477 rows at a million cases); any other report is small
        and is cut after it is computed.
        """
        from ipm_workflow.adapters.db.report_registry import LISTINGS  # noqa: PLC0415

        def first(conn: Connection, ctx: Any, sql: Any) -> tuple[list[tuple[Any, ...]], int]:
            make = LISTINGS.get(request.name)
            if make is None:
                rows = sql(conn, ctx)
                return rows[:limit], len(rows)
            stmt, row_of = make(ctx)
            if limit > 0:
                # The count as a window over the whole list: one execution, not two.
                counted = stmt.add_columns(func.count().over()).limit(limit)
                found = list(conn.execute(counted))
                return [row_of(row[:-1]) for row in found], int(found[0][-1]) if found else 0
            whole = select(func.count()).select_from(stmt.order_by(None).subquery())
            return [], int(conn.execute(whole).scalar_one())

        return self._reading(request, first)

    def _reading(self, request: ReportRequest, run: Callable[[Connection, Any, Any], T]) -> T:
        """Run a report's registered SQL through `run(conn, context, query)`, read-only."""
        from ipm_workflow.adapters.db import (  # noqa: F401, PLC0415 - they register their SQL
            report_funders,
            report_queries,
            report_supervision,
        )
        from ipm_workflow.adapters.db.report_registry import QUERIES  # noqa: PLC0415
        from ipm_workflow.adapters.db.report_sql import Context  # noqa: PLC0415

        sql = QUERIES.get(request.name)
        if sql is None:
            raise NotFound(f"report '{request.name}' has no query")
        with self.engine.connect().execution_options(**{READONLY: True}) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                # A report is one big aggregate run once: PostgreSQL's JIT spent 0.4-0.8 s
                # compiling each plan at 100,000 cases (bench/reports.py), and the funnel's
                # sort spilled to disk with the default work_mem. Both for this transaction only.
                conn.exec_driver_sql("SET LOCAL jit = off")
                conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
            return run(conn, Context(request), sql)

    def targets(self, year: int | None, funder: str | None) -> list[Target]:
        """The targets set, for a year and a funder (None: all)."""
        t = targets_t.c
        stmt = select(targets_t).order_by(t.year, t.funder, t.indicator)
        if year is not None:
            stmt = stmt.where(t.year == year)
        if funder is not None:
            stmt = stmt.where(t.funder == funder)
        with self.engine.connect().execution_options(**{READONLY: True}) as conn, conn.begin():
            return [
                Target(r.year, r.funder, r.indicator, r.value, r.set_by, r.set_at)
                for r in conn.execute(stmt)
            ]

    def put_target(self, target: Target) -> None:
        """Set or replace a target."""
        key = {"year": target.year, "funder": target.funder, "indicator": target.indicator}
        values = {"value": target.value, "set_by": target.set_by or "", "set_at": target.set_at}
        self._replace(targets_t, key, values)

    def _replace(self, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        """Replace the row of `table` with this primary key, in one transaction."""
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(*(table.c[k] == v for k, v in key.items())))
            conn.execute(insert(table).values(**key, **values))

    def put_populations(self, populations: Sequence[Population]) -> int:
        """Replace the populations of the given (mission locale, year) pairs."""
        p = populations_t.c
        with self.engine.begin() as conn:
            for pop in populations:
                conn.execute(
                    delete(populations_t).where(
                        p.mission_locale_id == pop.mission_locale_id, p.year == pop.year
                    )
                )
            if populations:
                conn.execute(
                    insert(populations_t),
                    [
                        {
                            "mission_locale_id": x.mission_locale_id,
                            "year": x.year,
                            "population": x.population,
                        }
                        for x in populations
                    ],
                )
        return len(populations)

    def snapshot(self, report: str, period: str, scope: str) -> Snapshot | None:
        """The snapshot of a report for a period and a scope, if the worker wrote one."""
        s = snapshots_t.c
        stmt = select(snapshots_t).where(s.report == report, s.period == period, s.scope == scope)
        with self.engine.connect().execution_options(**{READONLY: True}) as conn, conn.begin():
            row = conn.execute(stmt).first()
        if row is None:
            return None
        moment = row.computed_at  # SQLite gives it back without its zone (stored in UTC)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        # {"rows": [...], "total": n}; snapshots written before the count was kept have no
        # "total" and hold every row.
        held = row.rows
        return Snapshot(row.report, row.period, row.scope, moment, held["rows"], held.get("total"))

    def put_snapshot(self, snapshot: Snapshot) -> None:
        """Replace a report's snapshot for its period and scope, in one transaction."""
        key = {"report": snapshot.report, "period": snapshot.period, "scope": snapshot.scope}
        held = {"rows": snapshot.rows, "total": snapshot.total}
        values = {"computed_at": snapshot.computed_at, "rows": held}
        self._replace(snapshots_t, key, values)
