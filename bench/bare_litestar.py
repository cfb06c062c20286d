"""The bare Litestar application that bench/http_api.py measures Litestar's own request cost on.

Served by the same server as `ipm-workflow serve` (uvicorn, one process, uvloop and httptools,
no access log), it has none of our work: no middleware, dependencies, guards, database or
thread. POST /echo takes the same small JSON body as a transition, parses it (msgspec, as
Litestar does for a `dict` body) and answers a small JSON object; GET /ready answers 200 so
that the bench waits for it as it waits for the real server.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get, post


@post("/echo", status_code=200)
async def echo(data: dict[str, Any]) -> dict[str, Any]:
    """Answer the trigger it was sent, as a small JSON object."""
    return {"trigger": data.get("trigger"), "state": "B", "version": 1}


@get("/ready")
async def ready() -> dict[str, str]:
    """Say the server is up."""
    return {"status": "ready"}


def create() -> Litestar:
    """The application (uvicorn's --factory)."""
    return Litestar(route_handlers=[echo, ready], logging_config=None, debug=False)
