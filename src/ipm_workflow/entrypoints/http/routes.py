"""The declaration every API route shares, written once: `route(method, path, summary, action)`,
or `routes.get(path, summary, action)` (likewise post, put, patch, delete).

Each handler of the API answers errors as problem details (PROBLEM_RESPONSES in the OpenAPI
document), is guarded by the access policy's action when it has one of its own (controllers
guard the rest), and runs in a worker thread when it is synchronous (it reads the database),
except short case work declared `inline`, which on SQLite runs on the event loop (offload.py).
A POST answers 200 (it acts on something that exists) unless the handler says 201 (it creates).
Other Litestar options (status_code, tags, operation_class, description…) pass through as given.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.offload import inline_when_local
from ipm_workflow.entrypoints.http.schemas import PROBLEM_RESPONSES

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class ApiRouteHandler(HTTPRouteHandler):
    """Litestar's route handler, whose guards get the handler itself instead of a copy.

    Litestar copies the handler for every guard it calls (so that a guard cannot alter it),
    ~9 µs per call on a transition's route; our guards (`requires`) never look at it.
    """

    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        """Run every guard in scope, in order (the first that raises answers)."""
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]


def route(
    method: Method,
    path: str,
    summary: str,
    action: Action | None = None,
    *,
    inline: bool = False,
    **options: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """The Litestar route decorator of an API handler: `summary` in the OpenAPI document,
    problem-details responses (unless `responses` is given), a guard for `action` (none: the
    controller's), `sync_to_thread=True` for a synchronous handler (unless given), and 200 for
    a POST unless `status_code` is given (Litestar's own default is 201).

    `inline`: the synchronous handler does one short unit of work on one case; on SQLite it
    runs on the event loop unless another writer holds the database (offload.py)."""
    options.setdefault("responses", PROBLEM_RESPONSES)
    if method == "POST":
        options.setdefault("status_code", 200)
    if action is not None:
        options["guards"] = [requires(action), *options.get("guards", ())]

    def declare(handler: Callable[..., Any]) -> Any:
        if inline:
            handler = inline_when_local(handler)
        elif not inspect.iscoroutinefunction(handler):
            options.setdefault("sync_to_thread", True)
        return ApiRouteHandler(path, http_method=method, summary=summary, **options)(handler)

    return declare


get = partial(route, "GET")
post = partial(route, "POST")
put = partial(route, "PUT")
patch = partial(route, "PATCH")
delete = partial(route, "DELETE")
