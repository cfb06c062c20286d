"""Scale benchmark: the pages' queries on a PostgreSQL holding a network's worth of cases.

Run as `nice .venv/bin/python bench/scale.py [--cases N] [--history H] [--samples S]
[--keep | --reuse DBNAME] [--no-dashboards]`. It creates a PostgreSQL database and fills it
at the latest schema with bench/scale_fill.py (N cases, default 1,000,000, across the four
shipped workflows and 400 missions locales, one young person each, about H history rows per
case, default 20, i.e. 20,000,000 rows, and 3 reminders per case; COPY without the indexes,
then the indexes and constraints rebuilt, each step timed). `--keep` leaves the database in
place and prints its name; `--reuse DBNAME` measures a kept one without refilling (migrated
to the latest revision first, so a new migration's indexes are built on it). It prints:

- the case lists the pages use, through the API's repository (`SqlCaseRepository.search`,
  which also says how many match, counting up to a cap): one mission locale and a state, a
  supervisor's eight missions locales sorted by last change, one mission locale's overdue cases,
  an administrator's page 201 by offset next to the same page by keyset (after the last row of
  page 200); and, as the SQL a page needs, a mission locale's unassigned cases and a name
  search (four letters of the surname) over eight missions locales;
- the agenda (`SqlReminderReads.agenda`, eight missions locales, two weeks) and the audit search
  (`SqlHistoryRepository.search`, by mission locale and by actor);
- a transition (`CaseService.fire`, one unit of work) here and on an empty database;
- each dashboard as its page runs it (bench/reports.py's measure), unless `--no-dashboards`;

each as p50 and p95 in milliseconds without the indexes of 0013/0020 (dropped in a transaction
rolled back after the sample), with them, and next to its **baseline measured in the same run**,
sample by sample: the same number of rows of the same table read by primary key (a plain index
scan); for the transition, the same command on an empty database. A query that fails is
reported and the run goes on. The machine is shared: compare the ratios.
"""

from __future__ import annotations

import argparse
import math
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import Connection, select, text

import engine as base
import scale_fill
from ipm_workflow.adapters.db import mappers, migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.handles import cases_t, history_t
from ipm_workflow.adapters.db.history_store import SqlHistoryRepository
from ipm_workflow.adapters.db.reminder_reads import SqlReminderReads
from ipm_workflow.adapters.db.reminder_store import reminders_t
from ipm_workflow.adapters.db.repositories import SqlCaseRepository
from ipm_workflow.adapters.db.tables import PersonRow
from ipm_workflow.config import ROOT
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.case_ports import AuditQuery, CaseQuery
from ipm_workflow.services.commands import Actor, FireTrigger
from scale_fill import ADVISORS_PER_ML, MISSIONS_LOCALES, NOW, Shape, fake_name, ml_id, shape

# The indexes of 0013_indexes, 0020_scale and 0021_lists, dropped and restored around each sample.
NEW_INDEXES = (
    "ix_cases_ml_workflow_state",
    "ix_cases_ml_updated_at",  # 0013, replaced by 0021's ix_cases_ml_updated_id
    "ix_cases_unassigned",
    "ix_people_lower_last_name",
    "ix_history_actor_at",
    "ix_reminders_ml_status_due",  # 0020_scale: the agenda by the reminders' mission locale
    "ix_cases_ml_updated_id",  # 0021_lists: a mission locale's cases by last change
    "ix_cases_ml_due",  # 0021_lists: a mission locale's cases by deadline
    "ix_cases_ml_id",  # 0021_lists: a mission locale's cases by id
    "ix_people_first_name_trgm",  # 0021_lists: the name search (trigrams)
    "ix_people_last_name_trgm",
    "ix_cases_person_ml_due",  # 0023_lists_1m: the name search's cases by person
    "ix_cases_ml_name_key",  # 0024_name_key: the name search, place and trigrams in one index
    "ix_history_ml_at",  # 0025_history_ml: the audit by the entries' mission locale
)
PAGE = 50
people_t = PersonRow.__table__  # type: ignore[attr-defined]


T = TypeVar("T")


# --------------------------------------------------------------------------- measuring


@dataclass
class Figure:
    """p50/p95 of one query without and with the new indexes, and of its baseline, in ms."""

    name: str
    without: tuple[float, float]
    with_: tuple[float, float]
    base: tuple[float, float]
    rows: int

    def line(self) -> str:
        """One row of the printed table."""
        ratio = self.with_[0] / self.base[0] if self.base[0] else float("nan")
        skipped = math.isnan(self.without[0])  # --no-without
        without = "—" if skipped else f"{self.without[0]:.1f} / {self.without[1]:.1f}"
        return (
            f"| {self.name} | {without} | "
            f"{self.with_[0]:.1f} / {self.with_[1]:.1f} | {self.base[0]:.1f} / {self.base[1]:.1f} "
            f"| {ratio:.1f} | {self.rows} |"
        )


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, in milliseconds (NaN for no samples)."""
    if not samples:
        return float("nan"), float("nan")
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def clocked(one: Callable[[], T], into: list[float]) -> T:
    """Run one call, append its duration (seconds) to a list; return what it returned."""
    began = time.perf_counter()
    result = one()
    into.append(time.perf_counter() - began)
    return result


def by_key(conn: Connection, table: Any, rows: int, top: int, rng: random.Random) -> int:
    """The baseline: `rows` rows of a table read by primary key from a random point."""
    first = rng.randrange(1, max(2, top - rows))
    found = conn.execute(
        select(table).where(table.c.id >= first).order_by(table.c.id).limit(rows)
    ).mappings()
    if table is cases_t:
        return len([mappers.case_from_row(r) for r in found])
    if table is history_t:
        return len([mappers.entry_from_row(r) for r in found])
    return len(found.all())


def case_queries(
    conn: Connection, wf: Shape, total: int, rng: random.Random
) -> dict[str, tuple[Any, Callable[[int], int]]]:
    """The pages' case lists, each with the table of its baseline."""
    repo = SqlCaseRepository(conn)
    workflows = sorted(wf.states)

    def mls(k: int) -> list[str]:
        return [ml_id(n) for n in rng.sample(range(MISSIONS_LOCALES), k)]

    def ml_state(_: int) -> int:
        workflow = rng.choice(workflows)
        query = CaseQuery(
            mission_locales=mls(1), workflow=workflow, state=rng.choice(wf.states[workflow])
        )
        return len(repo.search(query)[0])

    def supervisor(_: int) -> int:
        query = CaseQuery(mission_locales=mls(8), sort="updated_at", descending=True)
        return len(repo.search(query)[0])

    def overdue(_: int) -> int:
        # Overdue: the state's clock (`due_at`, issue 12) passed before now.
        query = CaseQuery(mission_locales=mls(1), overdue=NOW, sort="due_at")
        return len(repo.search(query)[0])

    def unassigned(_: int) -> int:
        query = CaseQuery(mission_locales=mls(1), unassigned=True, sort="opened_at")
        return len(repo.search(query)[0])

    def name_search(_: int) -> int:
        # What an advisor types in the page's search box: four letters of a surname.
        query = CaseQuery(mission_locales=mls(8), name=fake_name(rng)[:4], due_first=True)
        return len(repo.search(query)[0])

    def my_cases(_: int) -> int:
        # The My cases page of a supervisor: deadlines first, the overdue ones on top.
        return len(repo.search(CaseQuery(mission_locales=mls(8), due_first=True))[0])

    deep = min(200, max(1, total // PAGE - 1))

    def deep_offset(_: int) -> int:
        query = CaseQuery(sort="opened_at", descending=True, offset=deep * PAGE)
        return len(repo.search(query)[0])

    # The keyset: page `deep` is what comes after the last row of page `deep - 1`.
    last = conn.execute(
        select(cases_t.c.opened_at, cases_t.c.id)
        .order_by(cases_t.c.opened_at.desc(), cases_t.c.id.desc())
        .offset(deep * PAGE - 1)
        .limit(1)
    ).one()

    def deep_keyset(_: int) -> int:
        query = CaseQuery(sort="opened_at", descending=True, after=(last[0], last[1]))
        return len(repo.search(query)[0])

    return {
        "cases: 1 mission locale, workflow + state, by id": (cases_t, ml_state),
        "cases: 8 missions locales, by last change": (cases_t, supervisor),
        "cases: 1 mission locale, overdue": (cases_t, overdue),
        "cases: 1 mission locale, unassigned, by opening": (cases_t, unassigned),
        "cases: name search (4 letters), 8 missions locales": (cases_t, name_search),
        "cases: My cases page, 8 missions locales, deadline first": (cases_t, my_cases),
        f"cases: all, page {deep + 1} by offset": (cases_t, deep_offset),
        f"cases: all, page {deep + 1} by keyset": (cases_t, deep_keyset),
    }


def other_queries(
    conn: Connection, rng: random.Random
) -> dict[str, tuple[Any, Callable[[int], int]]]:
    """The agenda and the audit search."""
    reads, history = SqlReminderReads(conn), SqlHistoryRepository(conn)

    def agenda(_: int) -> int:
        chosen = [ml_id(n) for n in rng.sample(range(MISSIONS_LOCALES), 8)]
        return len(reads.agenda(chosen, None, NOW + timedelta(days=14), 100))

    def audit_ml(_: int) -> int:
        query = AuditQuery(mission_locale_id=ml_id(rng.randrange(MISSIONS_LOCALES)), limit=100)
        return len(history.search(query))

    def audit_actor(_: int) -> int:
        actor = f"user:{rng.randrange(MISSIONS_LOCALES * ADVISORS_PER_ML) + 1}"
        since = NOW - timedelta(days=90)
        return len(history.search(AuditQuery(actor=actor, since=since, limit=100)))

    return {
        "agenda: 8 missions locales, 14 days": (reminders_t, agenda),
        "audit: 1 mission locale, newest 100": (history_t, audit_ml),
        "audit: 1 actor, last 90 days": (history_t, audit_actor),
    }


def measure_one(
    conn: Connection,
    name: str,
    table: Any,
    *,
    query: Callable[[int], int],
    samples: int,
    tops: dict[Any, int],
    rng: random.Random,
    without_indexes: bool = True,
) -> Figure:
    """One query's samples without the new indexes, with them, and its baseline.

    `without_indexes=False` skips the first: those samples scan whole tables, which evicts
    the cache the next "with" sample would find in a running service.
    """
    drop = [text(f"DROP INDEX IF EXISTS {index}") for index in NEW_INDEXES]
    without: list[float] = []
    with_: list[float] = []
    base: list[float] = []
    rows = max(query(-1), query(-2), 1)
    conn.rollback()
    for i in range(samples):
        if without_indexes:
            for statement in drop:
                conn.execute(statement)
            clocked(partial(query, i), without)
            conn.rollback()
        rows = max(rows, clocked(partial(query, i), with_))
        conn.rollback()
        clocked(partial(by_key, conn, table, rows, tops[table], rng), base)
        conn.rollback()
    return Figure(name, percentiles(without), percentiles(with_), percentiles(base), rows)


def measure_queries(
    url: str, samples: int, counts: dict[str, int], without_indexes: bool = True
) -> list[Figure]:
    """p50/p95 of every query without the new indexes, with them, and of its baseline.

    The three are interleaved sample by sample, so the machine's load weighs on all alike:
    the indexes are dropped inside a transaction that is rolled back (DDL is transactional
    in PostgreSQL), the query runs, then runs again with them, then the baseline.
    """
    engine = create_db_engine(url)
    rng = random.Random(11)
    tops = {cases_t: counts["cases"], history_t: counts["history_entries"],
            reminders_t: counts["reminders"]}  # fmt: skip
    figures = []
    try:
        with engine.connect() as conn:
            queries = case_queries(conn, shape(), counts["cases"], rng) | other_queries(conn, rng)
            for name, (table, query) in queries.items():
                try:
                    figures.append(
                        measure_one(
                            conn,
                            name,
                            table,
                            query=query,
                            samples=samples,
                            tops=tops,
                            rng=rng,
                            without_indexes=without_indexes,
                        )
                    )
                except Exception as exc:
                    print(f"| {name} | failed: {exc!r} |", flush=True)
                    conn.rollback()
                    continue
                print(figures[-1].line(), flush=True)
    finally:
        engine.dispose()
    return figures


def measure_transition(url: str, samples: int) -> tuple[float, float]:
    """p50/p95 of `log_first_contact` fired on REFERRED cases of erasmus_vet_long."""
    container = base.make_container(url, ROOT / "workflows")
    try:
        # Cases of the long Erasmus+ workflow put back in REFERRED, where the trigger is allowed.
        with container.engine.begin() as conn:
            rows = conn.execute(
                select(cases_t.c.id, cases_t.c.mission_locale_id)
                .where(cases_t.c.workflow == "erasmus_vet_long")
                .order_by(cases_t.c.id)
                .limit(samples + 2)
            ).all()
            conn.execute(
                cases_t.update()
                .where(cases_t.c.id.in_([r[0] for r in rows]))
                .values(state="REFERRED", closed_at=None)
            )
        durations = []
        for n, (case_id, ml) in enumerate(rows):
            actor = Actor("user:1", "advisor", frozenset({ml}))
            command = FireTrigger(case_id, "log_first_contact", {"first_contact_date": NOW.date()})
            began = time.perf_counter()
            container.cases.fire(command, actor)
            if n >= 2:  # two warm-ups
                durations.append(time.perf_counter() - began)
    finally:
        container.close()
    if not durations:
        return float("nan"), float("nan")
    return percentiles(durations)


# --------------------------------------------------------------------------- the run


def header() -> str:
    """The table's header."""
    return (
        "| query | without 0013/0020/0021 indexes, p50 / p95 ms | with them, p50 / p95 ms "
        "| baseline, p50 / p95 ms | with ÷ baseline (p50) | rows |\n|---|---|---|---|---|---|"
    )


@contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[str, bool]]:
    """The big database's URL and whether it is new: reused, kept, or dropped at the end."""
    prefix = args.pg_admin.rsplit("/", 1)[0]
    if args.reuse:
        yield f"{prefix}/{args.reuse}", False
        return
    name = f"ipm_scale_{args.cases}_{secrets.token_hex(3)}"
    with psycopg.connect(args.pg_admin, autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    if args.keep:
        print(f"database {name} is kept: run again with --reuse {name}", flush=True)
    try:
        yield f"{prefix}/{name}", True
    finally:
        if not args.keep:
            with psycopg.connect(args.pg_admin, autocommit=True) as conn:
                drop = pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                conn.execute(drop.format(pgsql.Identifier(name)))


def prepared(url: str, fresh: bool, args: argparse.Namespace) -> dict[str, int]:
    """Fill a new database, or bring a reused one to the latest revision; the tables' sizes."""
    if fresh:
        counts, seconds = scale_fill.load(url, args.cases, args.history)
        print(
            "filled: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + "; "
            + ", ".join(f"{step} {s:.0f} s" for step, s in seconds.items())
            + f"; load average {base.load_average()}", flush=True,
        )  # fmt: skip
        return counts
    began = time.perf_counter()
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    with psycopg.connect(scale_fill.pg_dsn(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
        counts = {
            table: int(conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("cases", "history_entries", "reminders")
        }
    print(
        f"reused: {counts['cases']:,} cases, {counts['history_entries']:,} history rows; "
        f"migrated to the latest revision and analysed in {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    return counts


def empty_transition(args: argparse.Namespace) -> tuple[float, float]:
    """The transition on a database holding 200 cases (filled and indexed like the big one)."""
    with base.throwaway_pg(args.pg_admin) as empty_url:
        scale_fill.load(empty_url, 200, 3)
        return measure_transition(empty_url, args.samples)


def run(args: argparse.Namespace) -> int:
    """Fill (or reuse), measure lists, transition, agenda, audit and dashboards; print all."""
    problem = base.pg_problem(args.pg_admin)
    if problem:
        print(f"PostgreSQL not reachable at {args.pg_admin} ({problem})", file=sys.stderr)
        return 2
    base.print_machine()
    print(f"scale benchmark: {args.cases:,} cases, ~{args.history} history rows each", flush=True)
    empty = empty_transition(args)
    with database(args) as (url, fresh):
        counts = prepared(url, fresh, args)
        print(f"\n{args.samples} samples each; load average {base.load_average()}")
        print(header(), flush=True)
        figures = measure_queries(url, args.samples, counts, args.without)
        try:
            busy = measure_transition(url, args.samples)
            print(
                f"\ntransition log_first_contact, p50/p95 ms: {busy[0]:.2f}/{busy[1]:.2f} here, "
                f"{empty[0]:.2f}/{empty[1]:.2f} on an empty database "
                f"(ratio {busy[0] / empty[0]:.2f}); load average {base.load_average()}",
                flush=True,
            )
        except Exception as exc:
            print(f"\ntransition failed: {exc!r}", flush=True)
        if args.dashboards:
            import reports  # noqa: PLC0415 - reports imports this module: no cycle at load

            print(f"\ndashboards, {args.dashboard_samples} samples each")
            print(reports.HEADER, flush=True)
            reports.measure(url, args.dashboard_samples)
    lists = [f for f in figures if f.name.startswith("cases:") and "offset" not in f.name]
    if lists:
        without = f", {max(f.without[1] for f in lists):.1f} ms without" if args.without else ""
        print(
            f"\nlists (offset paging aside): worst p95 {max(f.with_[1] for f in lists):.1f} ms "
            f"with the indexes{without} (goal < 50 ms); load average {base.load_average()}"
        )
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to load")
    parser.add_argument("--history", type=int, default=20, help="history rows per case (mean)")
    parser.add_argument("--samples", type=int, default=40, help="runs of each query")
    parser.add_argument("--pg-admin", default=base.PG_ADMIN, help="an admin connection URL")
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--reuse", metavar="DBNAME", help="measure a kept database, no fill")
    parser.add_argument(
        "--no-dashboards", dest="dashboards", action="store_false", help="skip the dashboards"
    )
    parser.add_argument(
        "--no-without",
        dest="without",
        action="store_false",
        help="skip the samples without the indexes (their table scans evict the cache)",
    )
    parser.add_argument("--dashboard-samples", type=int, default=3, help="runs of each board")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    configure_logging("console", "WARNING")
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
