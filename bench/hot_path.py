"""Hot-path CPU: a transition and its HTTP answer's rendering, in one process, no server.

Run as `.venv/bin/python bench/hot_path.py [--transitions N] [--rounds R]`. On a fresh SQLite
file with bench/engine.py's ping/pong cases, it fires N transitions through `CaseService.fire`
and renders each answer as the API's route does (`render` with the transition's flag, then
`TransitionOut.model_dump`), R times, and prints the CPU time (`time.process_time`) per
transition of each round and the best: CPU time moves far less than wall-clock time when the
machine is shared, so two versions of the code can be compared on a busy machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import engine as base
from ipm_workflow.entrypoints.http.action_schemas import TransitionOut
from ipm_workflow.entrypoints.http.case_routes import render
from ipm_workflow.entrypoints.http.schemas import HistoryEntryOut
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.commands import FireTrigger


def main() -> None:
    """Seed, fire, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure_logging("json", "WARNING")
    tmp = Path(tempfile.mkdtemp(prefix="bench-hot-"))
    workflows = base.write_workflows(tmp)
    path = tmp / "bench.sqlite3"
    drv = base.SqliteDriver(path)
    container = base.make_container(base.migrated(f"sqlite:///{path}"), workflows.directory)
    ids = base.seed_cases(drv, base.PING_PONG, base.seed_directory(drv), 400)
    states = dict.fromkeys(ids, "A")

    def one(i: int) -> None:
        case_id = ids[i % len(ids)]
        trigger = "ping" if states[case_id] == "A" else "pong"
        fired = container.cases.fire(FireTrigger(case_id, trigger, {}), base.ACTOR)
        states[case_id] = fired.case.state
        case = render(container, fired.case, fired.minor_without_guardian)
        TransitionOut(case=case, entry=HistoryEntryOut.of(fired.entry)).model_dump(mode="json")

    for i in range(200):  # warm-up
        one(i)
    rounds = []
    for _ in range(args.rounds):
        began = time.process_time()
        for i in range(args.transitions):
            one(i)
        rounds.append((time.process_time() - began) / args.transitions * 1e6)
    print(
        "CPU per transition + answer (µs): "
        + ", ".join(f"{r:.0f}" for r in rounds)
        + f"; best {min(rounds):.0f}; load average {base.load_average()}"
    )
    container.close()
    drv.close()


if __name__ == "__main__":
    main()
