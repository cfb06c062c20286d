"""Web benchmark: the case page's server time next to the API's GET /api/v1/cases/{id}.

Run as `.venv/bin/python bench/web.py [--requests N] [--history H] [--reminders R]`. On a fresh
SQLite file it opens one variant-B case through the services, gives it H history entries (data
edits through CaseService.update_data, each one recorded and chained) and R reminder rows
(inserted with SQL, as bench/reminders.py does), then, in this process, through the Litestar
test client (the whole ASGI application: middleware, session or token, handler, rendering):

- GET /app/cases/{id} signed in as the case's advisor (session cookie), and
- GET /api/v1/cases/{id} with the same advisor's bearer token,

alternated request by request after a warm-up, each timed with perf_counter from the call to
the full body. It prints p50/p95/max of each, the ratio page/API, the machine and the load
average (other processes on the machine skew the figures: compare the two, measured alike).

The page's head comes in one answer; its other parts come once it is drawn, in one more
answer (htmx: `.../parts`, the diagram, the timeline, the uploaded documents and the
reassignment form, each swapped into its place) or when unfolded (the data form). That answer
is timed too, in the same rounds (with htmx's HX-Request header), and so is the sum of the
page and it: a full view, what a browser waits for in all. Each part's own route (a page of
its own without JavaScript, the timeline's "show all") is timed alike, for comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import insert

from ipm_workflow.adapters.db.reminder_reads import reminders_t
from ipm_workflow.bootstrap import bootstrap, upgrade_database
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.people import MissionLocale, Person
from ipm_workflow.domain.policy import Actor
from ipm_workflow.entrypoints.http.app import create_app
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.case_sheet import read_sheet
from ipm_workflow.services.commands import OpenCase, UpdateData

# What the case page fetches once drawn (one answer: its parts), then each part's own route
# (the data form: fetched when unfolded).
PARTS_AT_LOAD = ("parts",)
PARTS = (*PARTS_AT_LOAD, "diagram", "timeline", "uploads", "reassignment", "data")
PASSWORD = "bench-password-1234"  # noqa: S105 - a throw-away database's fake password
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def seed(container: Any, history: int, reminders: int) -> int:
    """One case with `history` entries and `reminders` reminder rows; return its id."""
    container.people.add_mission_locale(MissionLocale("ml-bench", "Mission locale (bench)", "42"))
    user = container.people.add_user("bench.advisor", "Bench Advisor", "advisor", ["ml-bench"])
    actor = Actor.of(user)
    young = Person(None, "Camille", "Banc", date(2005, 6, 15))
    person = container.people.register(young, actor).person
    assert person.id is not None  # noqa: S101 - saved
    case = container.cases.open_case(
        OpenCase(
            person.id,
            "erasmus_vet_long",
            "ml-bench",
            user.id,
            {"cv_attached": True, "privacy_notice_given": True},
        ),
        actor,
    )
    assert case.id is not None  # noqa: S101 - saved
    programmes = ("erasmus_vet", "erasmus_pro")
    while container.cases.get(case.id, actor).history_seq < history:
        n = container.cases.get(case.id, actor).history_seq
        container.cases.update_data(UpdateData(case.id, {"programme": programmes[n % 2]}), actor)
    now = container.clock.now()
    with container.engine.begin() as conn:
        conn.execute(
            insert(reminders_t),
            [
                {
                    "case_id": case.id,
                    "rule_id": "bench_rule",
                    "kind": "reminder",
                    "occurrence": i,
                    "recipient": "advisor",
                    "template": "first_contact_overdue",
                    "anchor_at": now,
                    "due_at": now + timedelta(days=i),
                    "next_attempt_at": now + timedelta(days=i),
                    "status": "planned",
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(reminders)
            ],
        )
    return case.id


def breakdown(container: Any, case_id: int, rounds: int = 20) -> None:
    """What the case page's handler spends its time on, piece by piece (same process)."""
    from ipm_workflow.entrypoints.web.rendering import when  # noqa: PLC0415 - only here

    actor = Actor.of(container.people.user_by_name("bench.advisor"))
    case = container.cases.get(case_id, actor)
    store = container.cases.store
    now = container.clock.now()
    pieces = {
        "cases.history (timeline)": lambda: container.cases.history(case_id, actor),
        "reminders.of_case (timeline)": lambda: container.reminders.of_case(case_id, actor),
        "cases.actions (case + actions)": lambda: container.cases.actions(case_id, actor),
        "people.get_for (the person)": lambda: container.people.get_for(case.person_id, actor),
        "cases.sheet (all the above, once)": lambda: container.cases.sheet(case_id, actor),
        "the page's head (read_sheet)": lambda: read_sheet(store, case_id, actor, whole=False),
        "160 dates formatted (babel)": lambda: [
            when(now, "fr", "Europe/Paris") for _ in range(160)
        ],
    }
    for name, piece in pieces.items():
        piece()
        start = time.perf_counter()
        for _ in range(rounds):
            piece()
        print(f"  {name:32s} {1000 * (time.perf_counter() - start) / rounds:7.1f} ms")


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of some durations, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(timings: dict[str, list[float]], cpu: dict[str, float]) -> None:
    """Print each request's figures (wall-clock per request; CPU of this process) and ratios."""
    rows = [("page", "GET /app/cases/{id}   "), ("api", "GET /api/v1/cases/{id}")]
    rows += [(part, f"  part .../{part:12s}") for part in PARTS]
    timings["page+parts"] = [
        sum(each) for each in zip(*(timings[n] for n in ("page", *PARTS_AT_LOAD)), strict=True)
    ]
    cpu["page+parts"] = sum(cpu[n] for n in ("page", *PARTS_AT_LOAD))
    rows.append(("page+parts", "full view: page+parts "))
    for name, label in rows:
        values = timings[name]
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(
            f"{label}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
            f"  max {1000 * max(values):7.1f} ms  mean {1000 * statistics.fmean(values):7.1f} ms"
            f"  CPU {1000 * cpu[name] / len(values):5.2f} ms/request"
        )
    ratio50 = percentile(timings["page"], 0.5) / percentile(timings["api"], 0.5)
    ratio95 = percentile(timings["page"], 0.95) / percentile(timings["api"], 0.95)
    ratio_cpu = cpu["page"] / cpu["api"]
    print(
        f"ratio page/API: p50 {ratio50:.2f}x  p95 {ratio95:.2f}x  CPU {ratio_cpu:.2f}x"
        "  (goal: p95 < 50 ms, <= 2x)"
    )
    whole50 = percentile(timings["page+parts"], 0.5) / percentile(timings["api"], 0.5)
    whole95 = percentile(timings["page+parts"], 0.95) / percentile(timings["api"], 0.95)
    print(f"ratio full view/API: p50 {whole50:.2f}x  p95 {whole95:.2f}x")


def main() -> None:
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--history", type=int, default=100)
    parser.add_argument("--reminders", type=int, default=50)
    parser.add_argument(
        "--breakdown", action="store_true", help="time the page handler's pieces apart"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        workflows_dir=ROOT / "workflows",
        log_format="json",
        log_level="WARNING",
        embedded_worker=False,
    )
    # The settings' logging before the seed (create_app sets it only later): the seed's
    # hundred data changes are not the figures.
    configure_logging(settings.log_format, settings.log_level)
    upgrade_database(settings)
    container = bootstrap(settings)
    case_id = seed(container, args.history, args.reminders)
    container.accounts.set_password("bench.advisor", PASSWORD)
    token = container.tokens.issue("bench.advisor", days=1).token
    names = ("page", "api", *PARTS)
    timings: dict[str, list[float]] = {name: [] for name in names}
    # CPU time of this process (client and server alike) per request: on a busy shared
    # machine it moves far less than wall-clock time.
    cpu: dict[str, float] = dict.fromkeys(names, 0.0)
    with TestClient(create_app(settings, container=container)) as client:
        form = client.get("/app/sign-in").text
        found = CSRF.search(form)
        assert found is not None  # noqa: S101 - the sign-in form has its token
        signed = client.post(
            "/app/sign-in",
            data={"username": "bench.advisor", "password": PASSWORD, "_csrf": found.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text  # noqa: S101
        htmx = {"HX-Request": "true"}
        calls = {
            "page": lambda: client.get(f"/app/cases/{case_id}"),
            "api": lambda: client.get(
                f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}
            ),
        }
        for part in PARTS:
            calls[part] = lambda part=part: client.get(f"/app/cases/{case_id}/{part}", headers=htmx)
        for _ in range(10):  # warm-up: templates compiled, caches filled
            for call in calls.values():
                assert call().status_code == 200  # noqa: S101
        for _ in range(args.requests):
            for name, call in calls.items():
                start, used = time.perf_counter(), time.process_time()
                answer = call()
                _ = answer.content
                timings[name].append(time.perf_counter() - start)
                cpu[name] += time.process_time() - used
                assert answer.status_code == 200  # noqa: S101
        size = len(calls["page"]().content)
    load = os.getloadavg()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, SQLite; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} (shared machine: other processes skew wall-clock figures)"
    )
    print(
        f"case {case_id}: {args.history} history entries, {args.reminders} reminders; "
        f"{args.requests} requests each, alternated; page {size // 1024} KiB"
    )
    report(timings, cpu)
    if args.breakdown:
        print("the case page's pieces (mean per call):")
        breakdown(container, case_id)
    container.close()


if __name__ == "__main__":
    main()
