"""Trainers' pages of the training sandbox: its clock (moved by a duration or to a date, with
what happened on the way) and its outbox (the captured messages). The API's sandbox service."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.response import Template

from ipm_workflow.domain import policy
from ipm_workflow.domain.durations import parse_duration
from ipm_workflow.domain.errors import DomainError, NotFound
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.services.sandbox import SandboxService, Travel

QUICK_MOVES = ("PT1H", "P1D", "P7D", "P14D", "P1M")


def _service(request: Request[Any, Any, Any]) -> SandboxService:
    """The sandbox's time machine; outside a sandbox these pages do not exist (404)."""
    service: SandboxService | None = getattr(request.app.state, "sandbox", None)
    if service is None:
        raise NotFound("the clock pages exist only in a training sandbox")
    return service


def _clock_page(
    request: Request[Any, Any, Any],
    container: Any,
    *,
    status_code: int = 200,
    travel: Travel | None = None,
    error: str | None = None,
) -> Template:
    return page(
        request,
        "sandbox_clock.html",
        "Sandbox clock",
        status_code=status_code,
        now=container.clock.now(),
        travel=travel,
        quick=QUICK_MOVES,
        error=error,
    )


@page_get("/app/sandbox/clock", Action.SANDBOX_CLOCK)
async def clock(request: Request[Any, Any, Any], container: ContainerDep) -> Template:
    """The sandbox's time and the forms that move it."""
    _service(request)
    return _clock_page(request, container)


@page_post("/app/sandbox/clock", Action.SANDBOX_CLOCK)
async def move_clock(request: Request[Any, Any, Any], container: ContainerDep) -> Template:
    """Move forward by a duration or to a date; list what happened on the way, in order."""
    service = _service(request)
    form = await request.form()
    try:
        if form.get("to"):
            day = datetime.fromisoformat(str(form.get("to")))
            moment = datetime.combine(
                day.date(), day.time() if "T" in str(form.get("to")) else time(9, 0)
            ).replace(tzinfo=ZoneInfo(container.settings.timezone))
            travel = await service.advance(to=moment)
        else:
            travel = await service.advance(by=parse_duration(str(form.get("by") or "")))
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        return _clock_page(request, container, status_code=422, error=message)
    return _clock_page(request, container, travel=travel)


@page_get("/app/sandbox/outbox", Action.SANDBOX_OUTBOX)
def outbox(request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep) -> Template:
    """The messages the sandbox captured instead of sending (advisors: their cases')."""
    _service(request)
    scope = policy.narrow(actor, None)
    rows = container.outbox(mission_locales=frozenset(scope) if scope is not None else None)
    return page(request, "sandbox_outbox.html", "Sandbox outbox", messages=rows)


SANDBOX_PAGES = [clock, move_clock, outbox]
