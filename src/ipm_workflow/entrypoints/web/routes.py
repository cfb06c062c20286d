"""How a page's handler is declared: `@page_get(path, action)`, `@page_post(path, action)`.

Every page shares three options: it stays out of the API's OpenAPI schema, a synchronous
handler runs in a worker thread (it waits on the database), and, given a policy action, only
those the access policy allows it may open the page (`requires`, the API's own guard).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from litestar import get, post
from litestar.handlers import HTTPRouteHandler

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires

Declare = Callable[[Callable[..., Any]], HTTPRouteHandler]


def page_get(path: str, action: Action | None = None, **options: Any) -> Declare:
    """Declare a page read with GET (`options`: Litestar's own, e.g. `cache_control`)."""
    return _page(get, path, action, options)


def page_post(path: str, action: Action | None = None, **options: Any) -> Declare:
    """Declare a form's POST (`options`: Litestar's own, e.g. `request_max_body_size`)."""
    return _page(post, path, action, options)


def _page(
    route: type[HTTPRouteHandler], path: str, action: Action | None, options: dict[str, Any]
) -> Declare:
    def declare(handler: Callable[..., Any]) -> HTTPRouteHandler:
        if not inspect.iscoroutinefunction(handler):
            options.setdefault("sync_to_thread", True)
        guards = [requires(action)] if action is not None else []
        return route(path, include_in_schema=False, guards=guards, **options)(handler)

    return declare
