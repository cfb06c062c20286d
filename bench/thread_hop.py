"""What running a synchronous Litestar handler in a worker thread costs, in CPU, per request.

Run as `.venv/bin/python bench/thread_hop.py [--requests N] [--rounds R] [--uvloop]`. It calls a
bare Litestar app as ASGI in this process (no server, socket or client): the same small JSON
handler declared asynchronous (run on the event loop) and synchronous (`sync_to_thread=True`:
handed to the loop's worker thread and back), N requests each, R rounds alternated, and prints
the median CPU time per request of each (user and system, `os.times`) and their difference:
the hop. The baseline is the asynchronous handler measured in the same run.
`entrypoints/http/offload.py` cites this figure: on SQLite, short case work skips the hop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from typing import Any

from litestar import Litestar, post

# Run as a script, Python puts bench/ first on the path: `hot_path` (bench/hot_path.py) is found.
from hot_path import post as post_json

BODY = {"trigger": "ping"}


@post("/on-loop", status_code=200)
async def on_loop(data: dict[str, Any]) -> dict[str, Any]:
    """Answer on the event loop."""
    return {"trigger": data.get("trigger"), "state": "B", "version": 1}


@post("/in-thread", status_code=200, sync_to_thread=True)
def in_thread(data: dict[str, Any]) -> dict[str, Any]:
    """Answer from a worker thread."""
    return {"trigger": data.get("trigger"), "state": "B", "version": 1}


APP = Litestar(route_handlers=[on_loop, in_thread], logging_config=None, debug=False)


async def send_requests(path: str, count: int) -> None:
    """Call the app `count` times (bench/hot_path.py's in-process POST); fail on any answer but
    200."""
    for _ in range(count):
        status = await post_json(APP, path, BODY, "unused")  # type: ignore[arg-type]
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")


def cpu_per_request(path: str, count: int, new_loop: Any) -> tuple[float, float]:
    """(user, system) CPU µs per request of `count` requests to `path`, after 200 warm-ups."""
    with asyncio.Runner(loop_factory=new_loop) as runner:
        runner.run(send_requests(path, 200))
        before = os.times()
        runner.run(send_requests(path, count))
        after = os.times()
    return (
        1e6 * (after.user - before.user) / count,
        1e6 * (after.system - before.system) / count,
    )


def main() -> None:
    """Measure, alternate, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--uvloop", action="store_true", help="uvloop's loop, as `serve` runs")
    args = parser.parse_args()
    new_loop: Any = None
    if args.uvloop:
        import uvloop  # noqa: PLC0415 - only when asked

        new_loop = uvloop.new_event_loop
    print(
        f"thread hop: {args.requests:,} requests x {args.rounds} rounds, alternated; "
        f"{'uvloop' if args.uvloop else 'asyncio'} loop; nproc={os.cpu_count()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    totals: dict[str, list[float]] = {"/on-loop": [], "/in-thread": []}
    parts: dict[str, list[tuple[float, float]]] = {"/on-loop": [], "/in-thread": []}
    for _ in range(args.rounds):
        for path, values in totals.items():
            user, system = cpu_per_request(path, args.requests, new_loop)
            values.append(user + system)
            parts[path].append((user, system))
    for path, values in totals.items():
        user = statistics.median(u for u, _ in parts[path])
        system = statistics.median(s for _, s in parts[path])
        print(
            f"  {path:<10} CPU per request, median {statistics.median(values):6.0f} µs "
            f"(user {user:.0f}, system {system:.0f}); rounds: "
            + ", ".join(f"{v:.0f}" for v in values)
        )
    hop = statistics.median(totals["/in-thread"]) - statistics.median(totals["/on-loop"])
    base = statistics.median(totals["/on-loop"])
    print(f"  the hop: {hop:.0f} µs of CPU per request ({hop / base:.1f} x the handler alone)")


if __name__ == "__main__":
    main()
