"""Errors become RFC 9457 problem details, once, here at the edge."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from ipm_workflow.domain.errors import (
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    NotFound,
    TransitionDenied,
    VersionConflict,
)

log = structlog.get_logger("ipm_workflow.http")
TYPE_BASE = "https://ipm-workflow.example.org/problems/"
MEDIA_TYPE = "application/problem+json"

_STATUS: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "Not found"),
    (Forbidden, 403, "Forbidden"),
    (InvalidInput, 422, "Invalid input"),
    (IdempotencyKeyReused, 422, "Idempotency-Key reused"),
    (VersionConflict, 409, "Version conflict"),
    (InvalidTransition, 409, "Transition not available"),
    (TransitionDenied, 409, "Transition denied"),
]


def problem(
    request: Request[Any, Any, Any],
    status: int,
    *,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """Build a problem-details response with a stable `type` per kind of error."""
    body = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": request.scope.get("request_id"),
        **extra,
    }
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    """Translate a domain error into its problem detail."""
    status, title = 500, "Error"
    for cls, code, name in _STATUS:
        if isinstance(exc, cls):
            status, title = code, name
            break
    extra = {k: v for k, v in exc.context.items() if k not in ("errors",)}
    if isinstance(exc, InvalidInput):
        extra["errors"] = exc.errors
    headers = {"ETag": f'"{exc.current}"'} if isinstance(exc, VersionConflict) else None
    return problem(
        request, status, kind=exc.kind, title=title, detail=exc.message, headers=headers, **extra
    )


def validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    """Report malformed requests with the path of each faulty field."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    fields = [
        {"field": e.get("key", ""), "message": e.get("message", "")}
        for e in errors
        if isinstance(e, dict)
    ]
    return problem(
        request,
        422,
        kind="invalid-input",
        title="Invalid input",
        detail=exc.detail or "invalid request",
        errors=fields,
    )


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Render Litestar's own HTTP errors (401, 404 route, 405…) as problem details."""
    kinds = {
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        429: "too-many-requests",
    }
    kind = kinds.get(exc.status_code, "http-error")
    title = kind.replace("-", " ").capitalize()
    return problem(
        request, exc.status_code, kind=kind, title=title, detail=exc.detail, headers=exc.headers
    )


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Log the crash with its request id and answer without internals."""
    log.exception("unhandled_error", path=request.url.path, error=type(exc).__name__)
    return problem(
        request,
        500,
        kind="internal-error",
        title="Internal error",
        detail="an unexpected error occurred; quote the request id to support",
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: server_error,
}
