"""The scale benchmarks' data: a network's worth of cases loaded with COPY at the latest schema.

`load(url, cases, history)` migrates an empty PostgreSQL database to the latest revision, drops
the secondary indexes and the constraints (primary keys aside) of the four big tables, COPYs N
cases across the shipped workflows and 400 missions locales (one young person each, with the
profile and case data the dashboards read, the states' clocks as `ipm-workflow cases clocks`
would set them), about H history rows per case and 3 reminders per case, then rebuilds the
indexes and constraints from their saved definitions (one pass each instead of row by row)
and runs VACUUM ANALYZE. Each step's seconds are returned: the rebuild is what a migration's
indexes would cost on such a table.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.name_keys import SEPARATOR
from ipm_workflow.adapters.workflow_files import load_registry
from ipm_workflow.config import ROOT

MISSIONS_LOCALES = 400
ADVISORS_PER_ML = 3
CHUNK = 20_000
NOW = datetime.now(UTC).replace(microsecond=0)
SYLLABLES = ("ba", "ber", "cha", "da", "du", "fa", "gar", "la", "le", "ma", "mar", "mo",
             "na", "ni", "pa", "per", "ra", "ro", "sa", "ta", "thi", "va", "vin", "zo")  # fmt: skip
FIRST_NAMES = ("Camille", "Noé", "Dominique", "Sacha", "Alix", "Charlie", "Eden", "Lou")
HASH = "0" * 64
BIG_TABLES = ("cases", "people", "history_entries", "reminders")
# A state's clock in the generated data: 30 days from entering it while the case is open.
CLOCK = timedelta(days=30)
# The profile and case data the dashboards read, picked from each row's id (deterministic).
GENDERS = ("female", "male", "other", "not_declared")
EDUCATION = ("none", "level_3", "level_4", "level_5", "not_declared")
SITUATIONS = ("job_seeker_registered", "inactive", "in_training")
TRISTATE = ("yes", "no", "unknown")
OUTCOMES = ("cdi", "cdd_6m_plus", "job_seeking", "unknown", "training_6m_plus")


def ml_id(n: int) -> str:
    """The id of the n-th mission locale."""
    return f"ml-{n:03d}"


def fake_name(rng: random.Random) -> str:
    """An obviously fake surname of two or three syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()


def tsv(*values: Any) -> str:
    """One line of COPY's text format (None as \\N)."""
    return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


def pg_dsn(url: str) -> str:
    """A SQLAlchemy URL as psycopg's connection string."""
    return url.replace("postgresql+psycopg://", "postgresql://")


@dataclass(frozen=True)
class Shape:
    """The workflows' states (for random cases) and which ones are terminal."""

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


def case_data(case_id: int, opened: datetime) -> str:
    """The JSON data of a case: what the funders' and outcome dashboards read."""

    def day(days: int) -> str:
        return (opened + timedelta(days=days)).date().isoformat()

    return json.dumps({
        "grant_project_code": f"2026-1-FR01-KA121-VET-{case_id % 40:06d}",
        "planned_start": day(90), "planned_end": day(180),
        "actual_start": day(95), "actual_end": day(185), "first_contact_date": day(1),
        "early_return_reason": ("force_majeure", "personal", "exclusion")[case_id % 3],
        "withdrawal_reason": ("job_found", "family", "health", "other")[case_id % 4],
        "cancellation_reason": ("ineligible", "no_host", "funding_lost")[case_id % 3],
        "outcome_m6": OUTCOMES[case_id % 5],
        "outcome_m6_source": ("young_person", "mission_locale", "i_milo")[case_id % 3],
    })  # fmt: skip


def _directory(conn: psycopg.Connection[Any], start: datetime) -> dict[str, int]:
    """The missions locales, their advisors, and each year's reference population."""
    counts = {
        "mission_locales": copy_rows(
            conn,
            "mission_locales",
            "id, name, departement",
            (
                tsv(ml_id(n), f"Mission locale {n} (bench)", f"{n % 95 + 1:02d}")
                for n in range(MISSIONS_LOCALES)
            ),
        )
    }
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
    copy_rows(
        conn, "reference_populations", "mission_locale_id, year, population",
        (tsv(ml_id(n), year, 2_000 + 37 * n) for n in range(MISSIONS_LOCALES)
         for year in (NOW.year - 1, NOW.year)),
    )  # fmt: skip
    return counts


def fill(url: str, cases: int, history: int, seed: int = 7) -> dict[str, int]:
    """COPY the rows into a database at the latest schema; return the row counts."""
    rng = random.Random(seed)
    wf = shape()
    workflows = sorted(wf.states)
    start = NOW - timedelta(days=3 * 365)
    with psycopg.connect(pg_dsn(url)) as conn:
        counts = _directory(conn, start)
        # Person i + 1's name search key (adapters/db/name_keys.py), copied onto case i + 1.
        keys: list[str] = []

        def named(first: str, last: str) -> tuple[str, str]:
            keys.append(f"{first.lower()}{SEPARATOR}{last.lower()}")
            return first, last

        counts["people"] = copy_rows(
            conn,
            "people",
            "id, first_name, last_name, birth_date, language, timezone, preferred_channel, "
            "consent_email, consent_sms, created_at, updated_at, gender, education_level, "
            "situation_at_entry, departement, qpv, rural",
            (
                tsv(i + 1, *named(rng.choice(FIRST_NAMES), fake_name(rng)),
                    date(2000, 1, 1) + timedelta(days=rng.randrange(3650)), "fr",
                    "Europe/Paris", "email", "t", "f", start, start, GENDERS[(i + 1) % 4],
                    EDUCATION[(i + 1) % 5], SITUATIONS[(i + 1) % 3], f"{(i + 1) % 95 + 1:02d}",
                    TRISTATE[(i + 1) % 3], TRISTATE[(i + 2) % 3])
                for i in range(cases)
            ),
        )  # fmt: skip
        lengths: list[int] = []
        plan: list[tuple[int, datetime, str, str, str]] = []

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
                plan.append((i + 1, opened, workflow, state, ml_id(ml)))
                closed = entered if state in wf.terminal[workflow] else None
                due = None if closed else entered + CLOCK
                yield tsv(i + 1, i + 1, workflow, 1, state, None, case_data(i + 1, opened), "{}",
                          ml_id(ml), advisor, n, opened, entered, entered, closed, n, HASH, None,
                          due, ml_id(ml), keys[i])  # fmt: skip

        counts["cases"] = copy_rows(
            conn,
            "cases",
            "id, person_id, workflow, workflow_version, state, previous_state, data, documents, "
            "mission_locale_id, advisor_id, version, opened_at, updated_at, state_entered_at, "
            "closed_at, history_seq, history_head, cohort_id, due_at, referring_mission_locale_id, "
            "name_key",
            case_rows(),
        )

        def history_rows() -> Iterator[str]:
            entry = 0
            for (case_id, opened, workflow, state, ml), n in zip(plan, lengths, strict=True):
                span = (NOW - opened) / n
                for seq in range(1, n + 1):
                    entry += 1
                    at = opened + span * (seq - 1)
                    actor = f"user:{rng.randrange(MISSIONS_LOCALES * ADVISORS_PER_ML) + 1}"
                    kind = "opened" if seq == 1 else "transition"
                    trigger = None if seq == 1 else "bench_step"
                    came_from = "REFERRED" if seq == 2 else None  # the dashboards' first step
                    yield tsv(entry, case_id, seq, at, actor, "advisor", kind, trigger, came_from,
                              state, workflow, 1, None, '{"inputs": {}}', None, HASH, HASH,
                              HASH, ml)  # fmt: skip

        counts["history_entries"] = copy_rows(
            conn,
            "history_entries",
            "id, case_id, seq, at, actor, role, kind, trigger, from_state, to_state, workflow, "
            "workflow_version, request_id, payload, payload_salt, payload_digest, prev_hash, hash, "
            "mission_locale_id",  # the case's, as 0025_history_ml copies it
            history_rows(),
        )

        def reminder_rows() -> Iterator[str]:
            rid = 0
            for case_id, opened, _workflow, _state, ml in plan:
                for k in range(3):
                    rid += 1
                    due = NOW + timedelta(days=rng.uniform(-30, 120))
                    status = rng.choices(("planned", "sent", "cancelled"), (7, 2, 1))[0]
                    yield tsv(rid, case_id, f"bench_rule_{k}", "reminder", 0, "advisor",
                              None, None, opened, due, due, status, 0, opened, opened,
                              ml)  # fmt: skip

        counts["reminders"] = copy_rows(
            conn,
            "reminders",
            "id, case_id, rule_id, kind, occurrence, recipient, template, trigger, anchor_at, "
            "due_at, next_attempt_at, status, attempts, created_at, updated_at, mission_locale_id",
            reminder_rows(),
        )
        for table in ("users", "people", "cases", "history_entries", "reminders"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
    return counts


def _definitions(conn: psycopg.Connection[Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The big tables' constraints (table, name, definition) and other indexes' definitions."""
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(%s) AND contype <> 'p' ORDER BY contype DESC",
        [list(BIG_TABLES)],
    ).fetchall()
    indexes = conn.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(BIG_TABLES)],
    ).fetchall()
    return [(t, n, d) for t, n, d in constraints], [d for (d,) in indexes]


def load(url: str, cases: int, history: int) -> tuple[dict[str, int], dict[str, float]]:
    """Migrate to the latest revision, fill without indexes, rebuild them; counts and seconds."""
    began = time.perf_counter()
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    seconds = {"migrate (empty)": time.perf_counter() - began}
    with psycopg.connect(pg_dsn(url), autocommit=True) as conn:
        constraints, indexes = _definitions(conn)
        for table, name, _definition in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for definition in indexes:
            conn.execute("DROP INDEX " + definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0])
    began = time.perf_counter()
    counts = fill(url, cases, history)
    seconds["COPY"] = time.perf_counter() - began
    began = time.perf_counter()
    with psycopg.connect(pg_dsn(url), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        for definition in indexes:
            conn.execute(definition)
        # Unique constraints before the foreign keys (ordered so by `contype DESC`).
        for table, name, definition in constraints:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        seconds["indexes and constraints"] = time.perf_counter() - began
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        seconds["VACUUM ANALYZE"] = time.perf_counter() - began
    return counts, seconds
