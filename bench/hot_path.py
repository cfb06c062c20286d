"""Hot-path CPU: a transition and its HTTP answer, in one process, no server.

Run as `.venv/bin/python bench/hot_path.py [--transitions N] [--rounds R] [--asgi]`. On a fresh
SQLite file with bench/engine.py's ping/pong cases, it fires N transitions through
`CaseService.fire` and renders each answer as the API's route does (`render` with the
transition's flag, then `TransitionOut.model_dump`), R times, and prints the CPU time
(`time.process_time`) per transition of each round and the best: CPU time moves far less than
wall-clock time when the machine is shared, so two versions of the code can be compared on a
busy machine.

With `--asgi`, each round also sends N transitions through the whole application, called as an
ASGI app in this process (request id, authentication with a bearer token, guards, the route's
dependency and body, the handler run on the event loop as SQLite allows (or in a worker thread
when another writer holds the database), the service, the answer's encoding; no server or
socket), N bare `CaseService.fire` calls, and N requests of the same body to the bare Litestar
app of bench/bare_litestar.py (Litestar's own request handling), alternated round by round; it
prints the best of each and the share `(bare + fire) / application`, the in-process form of
bench/http_api.py's CPU ratio (which adds uvicorn and the sockets to both sides).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bare_litestar
import engine as base
from ipm_workflow.entrypoints.http.action_schemas import TransitionOut
from ipm_workflow.entrypoints.http.app import create_app
from ipm_workflow.entrypoints.http.case_routes import render
from ipm_workflow.entrypoints.http.schemas import HistoryEntryOut
from ipm_workflow.logging import configure_logging
from ipm_workflow.services.commands import FireTrigger

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def post(app: Asgi, path: str, body: dict[str, Any], token: str) -> int:
    """POST a JSON body to an ASGI app in this process; return the answer's status."""
    raw = json.dumps(body).encode()
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": raw, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


@dataclass
class Paths:
    """The paths a transition can take, on the same cases (each remembers its state)."""

    container: base.Container
    ids: list[int]
    token: str
    transitions: int
    states: dict[int, str] = field(default_factory=dict)
    app: Any = None
    bare: Any = None
    i: int = 0

    def step(self) -> tuple[int, str]:
        """The next case and the trigger that moves it (ping from A, pong from B)."""
        case_id = self.ids[self.i % len(self.ids)]
        self.i += 1
        trigger = "ping" if self.states.get(case_id, "A") == "A" else "pong"
        self.states[case_id] = "B" if trigger == "ping" else "A"
        return case_id, trigger

    def answered(self) -> None:
        """N transitions through the service, each answer rendered as the route does."""
        for _ in range(self.transitions):
            case_id, trigger = self.step()
            fired = self.container.cases.fire(FireTrigger(case_id, trigger, {}), base.ACTOR)
            case = render(self.container, fired.case, fired.minor_without_guardian)
            out = TransitionOut(case=case, entry=HistoryEntryOut.of(fired.entry))
            out.model_dump(mode="json")

    def fire(self) -> None:
        """N transitions through `CaseService.fire` alone."""
        for _ in range(self.transitions):
            case_id, trigger = self.step()
            self.container.cases.fire(FireTrigger(case_id, trigger, {}), base.ACTOR)

    def application(self) -> None:
        """N transitions through the whole application, as ASGI calls."""

        async def run() -> None:
            for _ in range(self.transitions):
                case_id, trigger = self.step()
                where = f"/api/v1/cases/{case_id}/transitions"
                body = {"trigger": trigger, "inputs": {}}
                if (status := await post(self.app, where, body, self.token)) != 200:
                    raise RuntimeError(f"{where} answered {status}")

        asyncio.run(run())

    def bare_litestar(self) -> None:
        """N requests of a transition's body to the bare Litestar app."""

        async def run() -> None:
            for _ in range(self.transitions):
                body = {"trigger": "ping", "inputs": {}}
                if (status := await post(self.bare, "/echo", body, self.token)) != 200:
                    raise RuntimeError(f"/echo answered {status}")

        asyncio.run(run())


def cpu_us(run: Callable[[], None], count: int) -> float:
    """CPU microseconds (this process, all threads) per item of one run."""
    began = time.process_time()
    run()
    return (time.process_time() - began) / count * 1e6


def main() -> None:
    """Seed, fire, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--asgi", action="store_true", help="also the whole app and bare Litestar")
    args = parser.parse_args()
    configure_logging("json", "WARNING")
    tmp = Path(tempfile.mkdtemp(prefix="bench-hot-"))
    workflows = base.write_workflows(tmp)
    path = tmp / "bench.sqlite3"
    drv = base.SqliteDriver(path)
    container = base.make_container(base.migrated(f"sqlite:///{path}"), workflows.directory)
    ids = base.seed_cases(drv, base.PING_PONG, base.seed_directory(drv), 400)
    container.people.add_user("bench-advisor", "Bench Advisor", "advisor", [base.ML_ID])
    token = container.tokens.issue("bench-advisor", days=1, label="bench/hot_path.py").token
    bench = Paths(container, ids, token, args.transitions)
    paths: dict[str, Callable[[], None]] = {"fire + answer": bench.answered}
    if args.asgi:
        bench.app = create_app(container.settings, container)
        configure_logging("json", "WARNING")  # create_app configured the settings' level
        bench.bare = bare_litestar.create()
        paths |= {
            "fire": bench.fire,
            "application": bench.application,
            "bare Litestar": bench.bare_litestar,
        }
    for run in paths.values():  # warm-up
        run()
    rounds: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.rounds):
        for name, run in paths.items():
            rounds[name].append(cpu_us(run, args.transitions))
    for name, figures in rounds.items():
        shown = ", ".join(f"{r:.0f}" for r in figures)
        print(f"CPU per transition, {name} (µs): {shown}; best {min(figures):.0f}")
    if args.asgi:
        best = {name: min(figures) for name, figures in rounds.items()}
        share = (best["bare Litestar"] + best["fire"]) / best["application"]
        print(f"(bare Litestar + fire) / application, best of each: {share:.2f}")
    print(f"load average {base.load_average()}")
    container.close()
    drv.close()


if __name__ == "__main__":
    main()
