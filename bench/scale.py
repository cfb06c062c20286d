"""Scale benchmark: the pages' queries on a PostgreSQL holding a network's worth of cases.

Run as `.venv/bin/python bench/scale.py [--cases N] [--history H] [--samples S] [--pg-admin URL]`.
It creates a throw-away PostgreSQL database, migrates it to the schema *before* the indexes
of revision 0013, fills it with COPY (N cases, default 1,000,000, across the four shipped
workflows and 400 missions locales, one young person each, about H history rows per case,
default 20, i.e. 20,000,000 rows, and 3 reminders per case), migrates it to the latest
revision (timing the indexes' build), then prints in one run:

- the case lists the pages use, through the API's repository (`SqlCaseRepository.search`, which
  also counts the matches): one mission locale and a state, a supervisor's eight missions locales
  sorted by last change, one mission locale's overdue cases, an administrator's page 201 by
  offset next to the same page by keyset (after the last row of page 200); and, as the SQL a
  page needs (the API has no such filter yet), a mission locale's unassigned cases and a name
  search (four letters of the surname) over eight missions locales;
- a transition (`CaseService.fire`, one unit of work) here and on an empty database;
- the agenda (`SqlReminderReads.agenda`, eight missions locales, two weeks) and the audit search
  (`SqlHistoryRepository.search`, by mission locale and by actor);

each as p50 and p95 in milliseconds without 0013's indexes (dropped in a transaction rolled
back after the sample), with them, and next to its **baseline measured in the same run**, sample
by sample: the same number of rows of the same table read by primary key (a plain index scan);
for the transition, the same command on an empty database. The machine is shared: compare the
ratios.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, and_, func, select, text, tuple_

import engine as base
from ipm_workflow.adapters.db import mappers, migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.reminder_reads import SqlReminderReads
from ipm_workflow.adapters.db.reminder_store import reminders_t
from ipm_workflow.adapters.db.repositories import (
    SqlCaseRepository,
    SqlHistoryRepository,
    cases_t,
    history_t,
)
from ipm_workflow.adapters.db.tables import PersonRow
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import ROOT
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.case_ports import AuditQuery, CaseQuery
from ipm_workflow.services.commands import Actor, FireTrigger

BEFORE_INDEXES = "0006_core"
# The indexes of migrations 0013_indexes and 0020_scale, dropped and restored around each sample.
NEW_INDEXES = (
    "ix_cases_ml_workflow_state",
    "ix_cases_ml_updated_at",
    "ix_cases_unassigned",
    "ix_people_lower_last_name",
    "ix_history_actor_at",
    "ix_reminders_ml_status_due",  # 0020_scale: the agenda by the reminders' mission locale
)
MISSIONS_LOCALES = 400
ADVISORS_PER_ML = 3
PAGE = 50
CHUNK = 20_000
NOW = datetime.now(UTC).replace(microsecond=0)
SYLLABLES = ("ba", "ber", "cha", "da", "du", "fa", "gar", "la", "le", "ma", "mar", "mo",
             "na", "ni", "pa", "per", "ra", "ro", "sa", "ta", "thi", "va", "vin", "zo")  # fmt: skip
FIRST_NAMES = ("Camille", "Noé", "Dominique", "Sacha", "Alix", "Charlie", "Eden", "Lou")
HASH = "0" * 64
people_t = PersonRow.__table__  # type: ignore[attr-defined]


T = TypeVar("T")


def ml_id(n: int) -> str:
    """The id of the n-th mission locale."""
    return f"ml-{n:03d}"


def fake_name(rng: random.Random) -> str:
    """An obviously fake surname of two or three syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()


def tsv(*values: Any) -> str:
    """One line of COPY's text format (None as \\N)."""
    return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


@dataclass(frozen=True)
class Shape:
    """The workflows' states (for random cases) and who acts where."""

    states: dict[str, list[str]]
    terminal: dict[str, set[str]]


def shape() -> Shape:
    """Read the shipped workflows' states."""
    states, terminal = {}, {}
    for compiled in load_registry(ROOT / "workflows").latest():
        definition = compiled.definition
        states[definition.name] = list(definition.states)
        terminal[definition.name] = {
            name for name, spec in definition.states.items() if getattr(spec, "terminal", False)
        }
    return Shape(states, terminal)


def copy_rows(conn: psycopg.Connection[Any], table: str, columns: str, rows: Iterator[str]) -> int:
    """COPY text lines into a table in chunks; return how many."""
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer: list[str] = []
        for line in rows:
            buffer.append(line)
            if len(buffer) >= CHUNK:
                copy.write("".join(buffer))
                count += len(buffer)
                buffer.clear()
        copy.write("".join(buffer))
        count += len(buffer)
    return count


def fill(url: str, cases: int, history: int, seed: int = 7) -> dict[str, int]:
    """Fill a migrated, empty database with COPY; return the row counts."""
    rng = random.Random(seed)
    wf = shape()
    workflows = sorted(wf.states)
    start = NOW - timedelta(days=3 * 365)
    counts: dict[str, int] = {}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        counts["mission_locales"] = copy_rows(
            conn, "mission_locales", "id, name, departement",
            (tsv(ml_id(n), f"Mission locale {n} (bench)", f"{n % 95 + 1:02d}")
             for n in range(MISSIONS_LOCALES)),
        )  # fmt: skip
        advisors = MISSIONS_LOCALES * ADVISORS_PER_ML
        counts["users"] = copy_rows(
            conn, "users", "id, username, display_name, role, active, timezone, created_at",
            (tsv(u + 1, f"advisor.{u}", f"Advisor {u}", "advisor", "t", "Europe/Paris", start)
             for u in range(advisors)),
        )  # fmt: skip
        copy_rows(
            conn, "user_mission_locales", "user_id, mission_locale_id",
            (tsv(u + 1, ml_id(u // ADVISORS_PER_ML)) for u in range(advisors)),
        )  # fmt: skip
        counts["people"] = copy_rows(
            conn,
            "people",
            "id, first_name, last_name, birth_date, language, timezone, preferred_channel, "
            "consent_email, consent_sms, created_at, updated_at",
            (
                tsv(i + 1, rng.choice(FIRST_NAMES), fake_name(rng),
                    date(2000, 1, 1) + timedelta(days=rng.randrange(3650)), "fr",
                    "Europe/Paris", "email", "t", "f", start, start)
                for i in range(cases)
            ),
        )  # fmt: skip
        lengths: list[int] = []
        plan: list[tuple[int, datetime, str, str]] = []

        def case_rows() -> Iterator[str]:
            for i in range(cases):
                workflow = workflows[i % len(workflows)]
                state = rng.choice(wf.states[workflow])
                ml = rng.randrange(MISSIONS_LOCALES)
                opened = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
                entered = opened + (NOW - opened) * rng.random()
                # One case in ten waits for an advisor.
                advisor = (
                    None if rng.random() < 0.1 else ml * ADVISORS_PER_ML + rng.randrange(3) + 1
                )
                n = max(1, min(4 * history, int(rng.expovariate(1 / history)) + 1))
                lengths.append(n)
                plan.append((i + 1, opened, workflow, state))
                closed = entered if state in wf.terminal[workflow] else None
                yield tsv(i + 1, i + 1, workflow, 1, state, None, "{}", "{}", ml_id(ml),
                          advisor, n, opened, entered, entered, closed, n, HASH, None)  # fmt: skip

        counts["cases"] = copy_rows(
            conn,
            "cases",
            "id, person_id, workflow, workflow_version, state, previous_state, data, documents, "
            "mission_locale_id, advisor_id, version, opened_at, updated_at, state_entered_at, "
            "closed_at, history_seq, history_head, cohort_id",
            case_rows(),
        )

        def history_rows() -> Iterator[str]:
            entry = 0
            for (case_id, opened, workflow, state), n in zip(plan, lengths, strict=True):
                span = (NOW - opened) / n
                for seq in range(1, n + 1):
                    entry += 1
                    at = opened + span * (seq - 1)
                    actor = f"user:{rng.randrange(MISSIONS_LOCALES * ADVISORS_PER_ML) + 1}"
                    kind = "opened" if seq == 1 else "transition"
                    trigger = None if seq == 1 else "bench_step"
                    yield tsv(entry, case_id, seq, at, actor, "advisor", kind, trigger, None,
                              state, workflow, 1, None, '{"inputs": {}}', None, HASH, HASH,
                              HASH)  # fmt: skip

        counts["history_entries"] = copy_rows(
            conn,
            "history_entries",
            "id, case_id, seq, at, actor, role, kind, trigger, from_state, to_state, workflow, "
            "workflow_version, request_id, payload, payload_salt, payload_digest, prev_hash, hash",
            history_rows(),
        )

        def reminder_rows() -> Iterator[str]:
            rid = 0
            for case_id, opened, _workflow, _state in plan:
                for k in range(3):
                    rid += 1
                    due = NOW + timedelta(days=rng.uniform(-30, 120))
                    status = rng.choices(("planned", "sent", "cancelled"), (7, 2, 1))[0]
                    yield tsv(rid, case_id, f"bench_rule_{k}", "reminder", 0, "advisor",
                              None, None, opened, due, due, status, 0, opened, opened)  # fmt: skip

        counts["reminders"] = copy_rows(
            conn,
            "reminders",
            "id, case_id, rule_id, kind, occurrence, recipient, template, trigger, anchor_at, "
            "due_at, next_attempt_at, status, attempts, created_at, updated_at",
            reminder_rows(),
        )
        for table in ("users", "people", "cases", "history_entries", "reminders"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return counts


# --------------------------------------------------------------------------- measuring


@dataclass
class Figure:
    """p50/p95 of one query without and with 0013's indexes, and of its baseline, in ms."""

    name: str
    without: tuple[float, float]
    with_: tuple[float, float]
    base: tuple[float, float]
    rows: int

    def line(self) -> str:
        """One row of the printed table."""
        ratio = self.with_[0] / self.base[0] if self.base[0] else float("nan")
        return (
            f"| {self.name} | {self.without[0]:.1f} / {self.without[1]:.1f} | "
            f"{self.with_[0]:.1f} / {self.with_[1]:.1f} | {self.base[0]:.1f} / {self.base[1]:.1f} "
            f"| {ratio:.1f} | {self.rows} |"
        )


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, in milliseconds."""
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
        where = and_(cases_t.c.mission_locale_id.in_(mls(1)), cases_t.c.advisor_id.is_(None))
        conn.execute(select(func.count()).select_from(cases_t).where(where)).scalar_one()
        rows = conn.execute(
            select(cases_t).where(where).order_by(cases_t.c.opened_at, cases_t.c.id).limit(PAGE)
        ).mappings()
        return len([mappers.case_from_row(r) for r in rows])

    def name_search(_: int) -> int:
        # What an advisor types: the first four letters of a surname.
        prefix = fake_name(rng).lower()[:4]
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        last = func.lower(people_t.c.last_name)
        stmt = (
            select(cases_t)
            .join(people_t, people_t.c.id == cases_t.c.person_id)
            .where(cases_t.c.mission_locale_id.in_(mls(8)), last >= prefix, last < upper)
            .order_by(last, cases_t.c.id)
            .limit(PAGE)
        )
        return len([mappers.case_from_row(r) for r in conn.execute(stmt).mappings()])

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
        stmt = (
            select(cases_t)
            .where(tuple_(cases_t.c.opened_at, cases_t.c.id) < tuple_(last[0], last[1]))
            .order_by(cases_t.c.opened_at.desc(), cases_t.c.id.desc())
            .limit(PAGE)
        )
        return len([mappers.case_from_row(r) for r in conn.execute(stmt).mappings()])

    return {
        "cases: 1 mission locale, workflow + state, by id": (cases_t, ml_state),
        "cases: 8 missions locales, by last change": (cases_t, supervisor),
        "cases: 1 mission locale, overdue": (cases_t, overdue),
        "cases: 1 mission locale, unassigned, by opening": (cases_t, unassigned),
        "cases: name search (4 letters), 8 missions locales": (cases_t, name_search),
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


def measure_queries(url: str, samples: int, counts: dict[str, int]) -> list[Figure]:
    """p50/p95 of every query without 0013's indexes, with them, and of its baseline.

    The three are interleaved sample by sample, so the machine's load weighs on all alike:
    the indexes are dropped inside a transaction that is rolled back (DDL is transactional
    in PostgreSQL), the query runs, then runs again with them, then the baseline.
    """
    engine = create_db_engine(url)
    rng = random.Random(11)
    tops = {cases_t: counts["cases"], history_t: counts["history_entries"],
            reminders_t: counts["reminders"]}  # fmt: skip
    drop = [text(f"DROP INDEX {name}") for name in NEW_INDEXES]
    figures = []
    try:
        with engine.connect() as conn:
            queries = case_queries(conn, shape(), counts["cases"], rng) | other_queries(conn, rng)
            for name, (table, query) in queries.items():
                without: list[float] = []
                with_: list[float] = []
                base: list[float] = []
                try:
                    rows = max(query(-1), query(-2), 1)
                except Exception as exc:
                    print(f"| {name} | failed: {exc!r} |", flush=True)
                    conn.rollback()
                    continue
                conn.rollback()
                for i in range(samples):
                    for statement in drop:
                        conn.execute(statement)
                    clocked(partial(query, i), without)
                    conn.rollback()
                    rows = max(rows, clocked(partial(query, i), with_))
                    conn.rollback()
                    clocked(partial(by_key, conn, table, rows, tops[table], rng), base)
                    conn.rollback()
                figures.append(
                    Figure(name, percentiles(without), percentiles(with_), percentiles(base), rows)
                )
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
        "| query | without 0013, p50 / p95 ms | with 0013, p50 / p95 ms "
        "| baseline, p50 / p95 ms | with ÷ baseline (p50) | rows |\n|---|---|---|---|---|---|"
    )


def run(args: argparse.Namespace) -> int:
    """Fill, migrate to the indexes, measure with and without them; print everything."""
    problem = base.pg_problem(args.pg_admin)
    if problem:
        print(f"PostgreSQL not reachable at {args.pg_admin} ({problem})", file=sys.stderr)
        return 2
    base.print_machine()
    print(f"scale benchmark: {args.cases:,} cases, ~{args.history} history rows each")
    with base.throwaway_pg(args.pg_admin) as empty_url:
        # Filled like the big one (COPY at the schema it knows), then migrated.
        small = create_db_engine(empty_url)
        migrate.upgrade(small, BEFORE_INDEXES)
        fill(empty_url, 200, 3)
        migrate.upgrade(small)
        small.dispose()
        empty = measure_transition(empty_url, args.samples)
    with base.throwaway_pg(args.pg_admin) as url:
        engine = create_db_engine(url)
        migrate.upgrade(engine, BEFORE_INDEXES)
        began = time.perf_counter()
        counts = fill(url, args.cases, args.history)
        print(
            f"\nfilled with COPY in {time.perf_counter() - began:.0f} s: "
            + ", ".join(f"{n:,} {t}" for t, n in counts.items())
            + f"; load average {base.load_average()}"
        )
        began = time.perf_counter()
        migrate.upgrade(engine)
        engine.dispose()
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            conn.autocommit = True
            # The states' clocks (0009): what `ipm-workflow cases clocks` would compute, in SQL.
            conn.execute(
                "UPDATE cases SET due_at = state_entered_at + interval '30 days' "
                "WHERE closed_at IS NULL"
            )
            # Steady state: autovacuum would have set what the migrations' updates cleared.
            conn.execute("VACUUM ANALYZE")
        print(
            "migrated to the latest revision (indexes built, reminders back-filled) in "
            f"{time.perf_counter() - began:.0f} s"
        )
        print(f"\n{args.samples} samples each; load average {base.load_average()}")
        print(header())
        figures = measure_queries(url, args.samples, counts)
        busy = measure_transition(url, args.samples)
    print(
        f"\ntransition log_first_contact, p50/p95 ms: {busy[0]:.2f}/{busy[1]:.2f} here, "
        f"{empty[0]:.2f}/{empty[1]:.2f} on an empty database "
        f"(ratio {busy[0] / empty[0]:.2f}); load average {base.load_average()}"
    )
    lists = [f for f in figures if f.name.startswith("cases:") and "offset" not in f.name]
    print(
        f"\nlists (offset paging aside): worst p95 {max(f.with_[1] for f in lists):.1f} ms with "
        f"0013's indexes, {max(f.without[1] for f in lists):.1f} ms without (goal < 50 ms)"
    )
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to load")
    parser.add_argument("--history", type=int, default=20, help="history rows per case (mean)")
    parser.add_argument("--samples", type=int, default=40, help="runs of each query")
    parser.add_argument("--pg-admin", default=base.PG_ADMIN, help="an admin connection URL")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    configure_logging("console", "WARNING")
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
