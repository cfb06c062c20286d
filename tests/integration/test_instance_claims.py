"""Processes started together on a new database claim what it is for once (issue 16's several
servers and workers): the first claim wins, the others read it; none crashes."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, delete, select

from ipm_workflow.adapters.db import migrate
from ipm_workflow.adapters.db.database import create_db_engine
from ipm_workflow.adapters.db.instance import MODE, PRODUCTION, claim_mode, instance_t

STARTING = 8
ROUNDS = 10  # the window between reading "no claim" and writing one is short: try often


def _claim_together(setup: Engine, engines: list[Engine]) -> tuple[list[str], list[str], list[Any]]:
    """Clear the claim, let every engine claim at once; (errors, modes, stored claims)."""
    with setup.begin() as conn:
        conn.execute(delete(instance_t))
    together = threading.Barrier(STARTING)
    modes: list[str] = []
    errors: list[BaseException] = []

    def start(index: int) -> None:
        together.wait()
        try:
            modes.append(claim_mode(engines[index], sandbox=False))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(STARTING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with setup.connect() as conn:
        claims = conn.execute(select(instance_t.c.value).where(instance_t.c.key == MODE)).all()
    return [repr(e) for e in errors], modes, [tuple(c) for c in claims]


def test_processes_starting_together_claim_the_database_once(db_url: str) -> None:
    """Eight engines (as eight processes would) claim a new database at the same moment, ten
    times over: every one gets "production", no error, and the database holds one claim."""
    setup = create_db_engine(db_url)
    engines = [create_db_engine(db_url) for _ in range(STARTING)]
    try:
        rounds = [_claim_together(setup, engines) for _ in range(ROUNDS)]
    finally:
        for engine in (*engines, setup):
            engine.dispose()
    expected = [([], [PRODUCTION] * STARTING, [(PRODUCTION,)])] * ROUNDS
    assert expected == rounds


def test_upgrades_run_together_take_turns(blank_db_url: str) -> None:
    """Three processes' `db upgrade` on a new database at the same moment: all succeed (the
    later ones find the schema current) and the database is at the head revision."""
    engines = [create_db_engine(blank_db_url) for _ in range(3)]
    together = threading.Barrier(len(engines))
    errors: list[str] = []

    def upgrade(engine: Engine) -> None:
        together.wait()
        try:
            migrate.upgrade(engine)
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=upgrade, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    try:
        left = migrate.pending(engines[0])
    finally:
        for engine in engines:
            engine.dispose()
    expected: tuple[list[str], list[str]] = ([], [])
    assert expected == (errors, left)
