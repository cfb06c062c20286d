"""Where a case route's work runs (entrypoints/http/offload.py), on both databases.

On SQLite a transition runs on the event loop; when another writer holds the database (another
process, or another thread of this one such as the embedded worker), the attempt on the loop
stops before writing and the transition runs again in a worker thread, where it waits for the
lock while the loop keeps answering other requests; it then applies once. On PostgreSQL it
always runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import pytest

from ipm_workflow.bootstrap import Container
from journey import CASES, ApiJourney
from journey.servers import wait_for
from journey.writers import WAIT_LIMIT, another_process_writing, another_thread_writing

CONTACT = {"first_contact_date": "2026-01-05"}
LOOP, THREAD = "event loop", "worker thread"


def where_fire_runs(monkeypatch: pytest.MonkeyPatch, container: Container) -> list[str]:
    """Record, for each call of the real `CaseService.fire`, the thread it ran on."""
    seen: list[str] = []
    real_fire = container.cases.fire

    def fire(*args: object, **kwargs: object) -> object:
        try:
            asyncio.get_running_loop()
            seen.append(LOOP)
        except RuntimeError:  # no loop runs in this thread: a worker thread
            seen.append(THREAD)
        return real_fire(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(container.cases, "fire", fire)
    return seen


def test_a_transition_runs_where_the_database_wants_it(
    api: ApiJourney, container: Container, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the event loop on SQLite, in a worker thread on PostgreSQL; 200 either way."""
    case_id = api.open_case()["id"]
    seen = where_fire_runs(monkeypatch, container)
    case = api.fired(case_id, "log_first_contact", CONTACT)
    expected = ([LOOP] if db_url.startswith("sqlite") else [THREAD], "CONTACTED")
    assert expected == (seen, case["state"])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "writing", [another_process_writing, another_thread_writing], ids=["process", "thread"]
)
def test_a_busy_database_moves_the_transition_to_a_thread(
    api: ApiJourney,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    writing: Callable[[Container], AbstractContextManager[Callable[[], None]]],
) -> None:
    """The attempt on the loop stops, the thread waits, the loop serves a read meanwhile, and
    once the lock is free the transition applies once."""
    case_id = api.open_case()["id"]
    seen = where_fire_runs(monkeypatch, container)
    with writing(container) as release, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(api.fire, case_id, "log_first_contact", CONTACT)
        wait_for(lambda: seen == [LOOP, THREAD], "the retry in a worker thread", pause=0.01)
        read = api.call("GET", f"{CASES}/{case_id}")
        still_waiting = not pending.done()
        release()
        fired = pending.result(timeout=WAIT_LIMIT)
    assert (read.status_code, read.json()["version"], still_waiting) == (200, 1, True)
    assert fired.status_code == 200, fired.text
    history = api.history(case_id)
    expected = (2, "log_first_contact", 2)
    assert expected == (len(history), history[-1]["trigger"], fired.json()["case"]["version"])
