"""Dashboards benchmark: every supervision dashboard on a PostgreSQL holding N cases with history.

Run as `nice .venv/bin/python bench/reports.py [--cases N] [--history H] [--samples S]`,
or `... bench/reports.py --snapshots DBNAME` on a database bench/scale.py kept (see below).
It creates a throw-away PostgreSQL database and fills it with bench/scale_fill.py's COPY
generator (N cases, default 100,000, across the shipped workflows and 400 missions locales,
about H history rows per case, default 20, with what the dashboards read: a profile at entry per
young person, the referring mission locale, the dates, reasons and outcomes of the case data,
and a reference population per mission locale). It then prints, for each dashboard (each of
its reports run through `ReportService.run`, as the pages do, for a supervisor over the last
twelve months, all missions locales), p50 and p95 in milliseconds next to a **baseline
measured in the same run, sample by sample**: a `SELECT count(*)` over the same rows (the
cases, or the cases joined to their history), i.e.
the cost of merely reading what the dashboard aggregates. The machine is shared: compare ratios.

`--snapshots DBNAME` (issue 16) fills nothing: on the kept database DBNAME (left at its own
revision: other branches share it) it creates the snapshots' table of 0022 if missing, and drops
it again at the end if it did; for each dashboard's default view (no filter, every mission
locale) it times the worker's refresh (`ReportService.refresh`: the live computation, then the
snapshot stored) next to the page's answer from the snapshot (`ReportService.run(precomputed=
True, first=page_rows)`, p50/p95: a list of cases is kept as its first `PAGE_ROWS` rows and its
count, all a page shows).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, inspect, text

import engine as base
import scale
import scale_fill
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.tables import ReportSnapshotRow, table_of
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.policy import Actor
from ipm_workflow.domain.reports import ReportFilters
from ipm_workflow.entrypoints.web.dashboards import DASHBOARDS, Dashboard
from ipm_workflow.logging import configure_logging

SUPERVISOR = Actor("bench:supervisor", "supervisor")
# What each dashboard reads: the cases alone, or the cases and their history.
CASES_ONLY = {"caseload", "overdue"}
COUNT_CASES = "SELECT count(*) FROM cases"
COUNT_HISTORY = "SELECT count(*) FROM cases c JOIN history_entries h ON h.case_id = c.id"
HEADER = (
    "| dashboard | p50 / p95 ms | count(*) baseline p50 / p95 ms | ratio (p50) | rows "
    "counted |\n|---|---|---|---|---|"
)


@dataclass
class Timing:
    """p50/p95 of one dashboard and of its baseline, in milliseconds."""

    name: str
    dashboard: tuple[float, float]
    baseline: tuple[float, float]
    rows: int

    def line(self) -> str:
        """One row of the printed table."""
        ratio = self.dashboard[0] / self.baseline[0] if self.baseline[0] else float("nan")
        return (
            f"| {self.name} | {self.dashboard[0]:.0f} / {self.dashboard[1]:.0f} "
            f"| {self.baseline[0]:.0f} / {self.baseline[1]:.0f} | {ratio:.1f} | {self.rows:,} |"
        )


percentiles, clocked = scale.percentiles, scale.clocked  # one timing rule for both benches


def one_board(
    container: Container, conn: Connection, board: Dashboard, filters: ReportFilters, samples: int
) -> Timing:
    """One dashboard's reports run as its page does, interleaved with its baseline."""
    baseline_sql = text(COUNT_CASES if board.slug in CASES_ONLY else COUNT_HISTORY)
    spent: list[float] = []
    base_spent: list[float] = []
    rows = 0
    for name, _ in board.charts:  # warm the caches once
        container.reports.run(name, filters, actor=SUPERVISOR)
    for _i in range(samples):
        began = time.perf_counter()
        for name, _ in board.charts:
            container.reports.run(name, filters, actor=SUPERVISOR)
        spent.append(time.perf_counter() - began)
        rows = int(clocked(lambda q=baseline_sql: conn.execute(q).scalar(), base_spent))  # type: ignore[arg-type, misc]
        conn.rollback()
    return Timing(board.slug, percentiles(spent), percentiles(base_spent), rows)


def measure(url: str, samples: int) -> list[Timing]:
    """Each dashboard as the page runs it, interleaved with its `count(*)` baseline."""
    container = bootstrap(Settings(database_url=url, workflows_dir=ROOT / "workflows"))
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).date()
    filters = ReportFilters(start=today - timedelta(days=365), end=today)
    timings = []
    try:
        with container.engine.connect() as conn:
            for board in DASHBOARDS:
                try:
                    timings.append(one_board(container, conn, board, filters, samples))
                except Exception as exc:
                    print(f"| {board.slug} | failed: {exc!r} |", flush=True)
                    conn.rollback()
                    continue
                print(timings[-1].line(), flush=True)
    finally:
        container.close()
    return timings


SNAPSHOT_HEADER = (
    "| dashboard (no filter, all missions locales) | live (the refresh), ms "
    "| from the snapshot, p50 / p95 ms | live ÷ snapshot (p50) |\n|---|---|---|---|"
)


def measure_snapshots(url: str, samples: int) -> None:
    """Each dashboard's default view: computed live by the worker's refresh, then read back."""
    engine = create_db_engine(url)
    snapshots = table_of(ReportSnapshotRow)
    created = not inspect(engine).has_table(snapshots.name)
    snapshots.create(engine, checkfirst=True)
    container = bootstrap(Settings(database_url=url, workflows_dir=ROOT / "workflows"))
    try:
        for board in DASHBOARDS:
            names = [name for name, _ in board.charts]
            began = time.perf_counter()
            container.reports.refresh(names, ())  # every mission locale's scope only
            live = (time.perf_counter() - began) * 1000
            spent: list[float] = []
            for _i in range(samples):
                began = time.perf_counter()
                for name in names:
                    table = container.reports.run(
                        name,
                        ReportFilters(),
                        actor=SUPERVISOR,
                        precomputed=True,
                        first=container.reports.page_rows,  # as the page asks
                    )
                    if table.as_of is None:
                        raise RuntimeError(f"{name}: no snapshot read")
                spent.append(time.perf_counter() - began)
            p50, p95 = percentiles(spent)  # milliseconds
            print(
                f"| {board.slug} | {live:.0f} | {p50:.1f} / {p95:.1f} | {live / p50:.0f} |",
                flush=True,
            )
    finally:
        container.close()
        if created:
            snapshots.drop(engine)
        engine.dispose()


def run(args: argparse.Namespace) -> int:
    """Fill, enrich, migrate, measure; print everything."""
    if args.snapshots:
        base.print_machine()
        print(f"dashboards from snapshots on {args.snapshots}; load average {base.load_average()}")
        print(SNAPSHOT_HEADER, flush=True)
        measure_snapshots(f"{args.pg_admin.rsplit('/', 1)[0]}/{args.snapshots}", args.samples)
        print(f"load average {base.load_average()}")
        return 0
    problem = base.pg_problem(args.pg_admin)
    if problem:
        print(f"PostgreSQL not reachable at {args.pg_admin} ({problem})", file=sys.stderr)
        return 2
    base.print_machine()
    print(f"reports benchmark: {args.cases:,} cases, ~{args.history} history rows each")
    with base.throwaway_pg(args.pg_admin) as url:
        counts, seconds = scale_fill.load(url, args.cases, args.history)
        print(
            f"filled (COPY) and indexed in {sum(seconds.values()):.0f} s: "
            + ", ".join(f"{n:,} {t}" for t, n in counts.items())
        )
        print(f"\n{args.samples} samples each; load average {base.load_average()}")
        print(HEADER)
        timings = measure(url, args.samples)
    worst = max(timings, key=lambda t: t.dashboard[1])
    print(
        f"\nworst p95: {worst.name} {worst.dashboard[1]:.0f} ms (goal < 1000 ms); "
        f"load average {base.load_average()}"
    )
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000, help="cases to load")
    parser.add_argument("--history", type=int, default=20, help="history rows per case (mean)")
    parser.add_argument("--samples", type=int, default=5, help="runs of each dashboard")
    parser.add_argument("--pg-admin", default=base.PG_ADMIN, help="an admin connection URL")
    parser.add_argument(
        "--snapshots", metavar="DBNAME", help="time the snapshots on a kept database (no fill)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    configure_logging("console", "WARNING")
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
