"""The declaration every API route shares, written once: `route(method, path, summary, action)`.

Each handler of the API answers errors as problem details (PROBLEM_RESPONSES in the OpenAPI
document), is guarded by the access policy's action when it has one of its own (controllers
guard the rest), and runs in a worker thread when it is synchronous (it reads the database).
Other Litestar options (status_code, tags, operation_class, description…) pass through as given.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

from litestar import delete, get, patch, post, put

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.schemas import PROBLEM_RESPONSES

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
_DECORATORS = {"GET": get, "POST": post, "PUT": put, "PATCH": patch, "DELETE": delete}


def route(
    method: Method,
    path: str,
    summary: str,
    action: Action | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """The Litestar route decorator of an API handler: `summary` in the OpenAPI document,
    problem-details responses (unless `responses` is given), a guard for `action` (none: the
    controller's), `sync_to_thread=True` for a synchronous handler (unless given)."""
    options.setdefault("responses", PROBLEM_RESPONSES)
    if action is not None:
        options["guards"] = [requires(action), *options.get("guards", ())]

    def declare(handler: Callable[..., Any]) -> Any:
        if not inspect.iscoroutinefunction(handler):
            options.setdefault("sync_to_thread", True)
        return _DECORATORS[method](path, summary=summary, **options)(handler)

    return declare
