"""Errors become RFC 9457 problem details, once, here at the edge."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError

from ipm_workflow.domain.errors import (
    AlreadyExists,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    NotFound,
    SuspensionRefused,
    TransitionDenied,
    VersionConflict,
)
from ipm_workflow.domain.reminder_lifecycle import IllegalReminderMove
from ipm_workflow.domain.uploads import ScannerUnavailable
from ipm_workflow.services.upload_stages import UploadDecided

log = structlog.get_logger("ipm_workflow.http")
TYPE_BASE = "https://ipm-workflow.example.org/problems/"
MEDIA_TYPE = "application/problem+json"

# 409: the request is sound, but what it acts on refuses it as it stands now.
_CONFLICTS: dict[type[DomainError], str] = {
    AlreadyExists: "Already exists",
    VersionConflict: "Version conflict",
    InvalidTransition: "Transition not available",
    TransitionDenied: "Transition denied",
    IllegalReminderMove: "Reminder cannot move so",
    SuspensionRefused: "Suspension not applicable",
    UploadDecided: "Upload already decided",
}
_STATUS: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "Not found"),
    (Forbidden, 403, "Forbidden"),
    (InvalidInput, 422, "Invalid input"),
    (IdempotencyKeyReused, 422, "Idempotency-Key reused"),
    *((kind, 409, title) for kind, title in _CONFLICTS.items()),
    (ScannerUnavailable, 503, "Virus scanner unavailable"),
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
    # Errors raised before routing or by the authentication middleware never went through the
    # request-id middleware: give them an id here, in the header as in the body.
    request_id = request.scope.get("request_id") or uuid.uuid4().hex
    body = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": request_id,
        **extra,
    }
    return Response(
        body,
        status_code=status,
        media_type=MEDIA_TYPE,
        headers={**(headers or {}), "X-Request-ID": str(request_id)},
    )


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
    return invalid_input(request, exc.detail or "invalid request", fields)


def invalid_input(
    request: Request[Any, Any, Any], detail: str, errors: list[dict[str, str]]
) -> Response[dict[str, Any]]:
    """422 `invalid-input`, with the field and message of each fault (possibly none)."""
    return problem(
        request, 422, kind="invalid-input", title="Invalid input", detail=detail, errors=errors
    )


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Render Litestar's own HTTP errors (401, 404 route, 405…) as problem details."""
    kinds = {
        400: "bad-request",
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        412: "precondition-failed",
        429: "too-many-requests",
    }
    kind = kinds.get(exc.status_code, "http-error")
    title = kind.replace("-", " ").capitalize()
    if exc.status_code >= 500:
        log.error("http_error", path=request.url.path, status=exc.status_code, detail=exc.detail)
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


def unstorable_value(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A number out of the database's range, or a NUL character: the input's fault."""
    log.info("unstorable_value", path=request.url.path, error=type(exc).__name__)
    detail = "a value cannot be stored: a number is out of range or a text contains a NUL character"
    return invalid_input(request, detail, [])


EXCEPTION_HANDLERS: dict[Any, Any] = {
    OverflowError: unstorable_value,
    DataError: unstorable_value,
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: server_error,
}
