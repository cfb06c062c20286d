"""The published contract says what the server does: public probes, closed bodies, `Allow`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

from ipm_workflow.entrypoints.http.schemas import Body

_ALLOW_KEY = "ipm_allow_by_handler"


def _bodies(cls: type[Body] = Body) -> Iterator[type[Body]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _bodies(sub)


def publish_contract(app: Litestar, public_paths: list[str]) -> None:
    """Amend the OpenAPI document once, before it is served: public paths need no token, and
    request bodies refuse unknown keys (`additionalProperties: false`), as the server does.

    Litestar builds its schema from field definitions and drops both facts."""
    openapi = app.openapi_schema  # built once and cached by Litestar; served as amended
    for path, item in (openapi.paths or {}).items():
        if path in public_paths:
            for method in ("get", "head", "post", "put", "patch", "delete"):
                operation = getattr(item, method, None)
                if operation is not None:
                    operation.security = []
    closed = {cls.__name__: cls for cls in _bodies()}
    schemas = openapi.components.schemas if openapi.components else None
    for name, schema in (schemas or {}).items():
        model = closed.get(name) or closed.get(str(getattr(schema, "title", "")))
        if model is not None:
            schema.additional_properties = False
            _declare_text_limits(schema, model)


def _declare_text_limits(schema: Any, model: type[Body]) -> None:
    """Copy pydantic's maxLength onto optional text fields, which Litestar publishes without."""
    declared = model.model_json_schema().get("properties", {})
    for field, published in (schema.properties or {}).items():
        limits = [
            branch["maxLength"]
            for branch in declared.get(field, {}).get("anyOf", [])
            if "maxLength" in branch
        ]
        for branch in getattr(published, "one_of", None) or []:
            if limits and getattr(branch, "type", None) == "string":
                branch.max_length = limits[0]


def _allow_by_handler(app: Litestar) -> dict[int, str]:
    """Every route's methods, keyed by its OPTIONS handler."""
    allow: dict[int, str] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "OPTIONS" in route.route_handler_map:
            handler, _ = route.route_handler_map["OPTIONS"]
            allow[id(handler)] = ", ".join(sorted(route.methods))
    return allow


async def allow_every_method(message: Message, scope: Scope) -> None:
    """Answer OPTIONS with every method of the path.

    Litestar's automatic OPTIONS handler keeps the methods of the first handler registered on a
    path (GET /api/v1/cases), so `Allow` would omit POST."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    app: Any = scope["app"]
    allow: dict[int, str] | None = getattr(app.state, _ALLOW_KEY, None)
    if allow is None:
        allow = _allow_by_handler(app)
        setattr(app.state, _ALLOW_KEY, allow)
    methods = allow.get(id(scope.get("route_handler")))
    if methods:
        MutableScopeHeaders.from_message(message)["Allow"] = methods
