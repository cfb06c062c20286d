"""Supervisors' pages: audit search across cases, chain verification, cohorts and their bulk
actions (a dry run first, then per-case results; the API's services and idempotency)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from litestar import Request
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.http.deps import ActorDep, CallDep, ContainerDep
from ipm_workflow.entrypoints.web.case_page import typed_inputs, widget
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.services.case_ports import AuditQuery

AUDIT_PAGE_SIZE = 100


def _day(raw: str | None, timezone: str, *, end: bool = False) -> datetime | None:
    """A date of the form as the start (or the end) of that day in the service's time zone."""
    if not raw:
        return None
    day = date.fromisoformat(raw) + (timedelta(days=1) if end else timedelta(0))
    return datetime.combine(day, time(0), ZoneInfo(timezone))


@page_get("/app/audit", Action.AUDIT)
def audit(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor_ref: FromQuery[str | None] = None,
    mission_locale: FromQuery[str | None] = None,
    trigger: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
    verify: FromQuery[bool] = False,
    case_id: FromQuery[str | None] = None,
) -> Template:
    """History entries across cases by actor, mission locale, trigger and period; the chains'
    verification when asked."""
    filters = {
        "actor_ref": (actor_ref or "").strip(),
        "mission_locale": mission_locale or "",
        "trigger": (trigger or "").strip(),
        "since": since or "",
        "until": until or "",
    }
    tz = container.settings.timezone
    error = None
    try:
        query = AuditQuery(
            actor=filters["actor_ref"] or None,
            trigger=filters["trigger"] or None,
            mission_locale_id=mission_locale or None,
            since=_day(since, tz),
            until=_day(until, tz, end=True),
            limit=AUDIT_PAGE_SIZE,
        )
        entries = container.cases.audit(query)
    except ValueError as exc:
        entries, error = [], str(exc)
    one = int(case_id) if case_id and case_id.strip().isdigit() else None
    reports = container.cases.verify([one] if one else None) if verify else None
    return page(
        request,
        "audit.html",
        "Audit",
        filters=filters,
        entries=entries,
        limit=AUDIT_PAGE_SIZE,
        mission_locales=container.people.mission_locales(),
        reports=reports,
        broken=[r for r in reports if not r.ok] if reports is not None else [],
        verified_case=one,
        error=error,
    )


def _cohort_page(
    request: Request[Any, Any, Any],
    container: Container,
    actor: Actor,
    cohort_id: int,
    *,
    status_code: int = 200,
    result: Any = None,
    form: Any = None,
    key: str | None = None,
    error: str | None = None,
    trigger: str | None = None,
) -> Template:
    cohort = container.cohorts.get(cohort_id, actor)
    members = container.cohorts.members(cohort_id, actor)
    compiled = container.cases.registry.get(cohort.workflow, None)
    definition = compiled.definition
    triggers: dict[str, Any] = {}
    for t in definition.transitions:
        triggers.setdefault(t.trigger, t.label)
    chosen = str((form or {}).get("trigger") or trigger or next(iter(triggers), ""))
    inputs = compiled.trigger_inputs(chosen)
    given = {i.field: (form or {}).get("in_" + i.field) for i in inputs}
    return page(
        request,
        "cohort.html",
        "Cohort",
        status_code=status_code,
        cohort=cohort,
        members=members,
        definition=definition,
        triggers=triggers,
        names=container.people.names_in_cases(members, actor),
        result=result,
        chosen=chosen,
        inputs=inputs,
        values={k: v for k, v in given.items() if v},
        reason=(form or {}).get("reason", ""),
        may_write=policy.may(actor, Action.COHORTS_WRITE),
        widget=widget,
        key=key,
        error=error,
    )


@page_get("/app/cohorts", Action.COHORTS_READ)
def cohorts(request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep) -> Template:
    """The cohorts the user may see."""
    return page(request, "cohorts.html", "Cohorts", cohorts=container.cohorts.all(actor))


@page_get("/app/cohorts/{cohort_id:int}", Action.COHORTS_READ)
def cohort(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    cohort_id: FromPath[int],
    trigger: FromQuery[str | None] = None,
) -> Template:
    """A cohort, its cases, and the bulk action form (a dry run first)."""
    return _cohort_page(request, container, actor, cohort_id, trigger=trigger)


@page_post("/app/cohorts/{cohort_id:int}/bulk", Action.COHORTS_WRITE)
async def bulk(
    request: Request[Any, Any, Any],
    call: CallDep,
    cohort_id: FromPath[int],
) -> Template:
    """A dry run (nothing changes; the apply form carries a fresh idempotency key), or the
    application under that key (a repeated submit replays the first result)."""
    form = await request.form()
    dry_run = form.get("mode") != "apply"
    key = None if dry_run else (form.get("key") or None)

    def work() -> Template:
        cohort = call.container.cohorts.get(cohort_id, call.actor)
        trigger = str(form.get("trigger", ""))
        compiled = call.container.cases.registry.get(cohort.workflow, None)
        kinds = {i.field: i.type for i in compiled.trigger_inputs(trigger)}
        try:
            result = call.container.cohorts.bulk_fire(
                cohort_id,
                trigger,
                call.actor,
                inputs=typed_inputs(form, kinds, "in_"),
                reason=form.get("reason") or None,
                dry_run=dry_run,
                request_id=call.request_id,
                idempotency_key=key,
            )
        except DomainError as exc:
            return _cohort_page(
                request,
                call.container,
                call.actor,
                cohort_id,
                status_code=422,
                form=form,
                error=exc.message,
            )
        return _cohort_page(
            request,
            call.container,
            call.actor,
            cohort_id,
            result=result,
            form=form,
            key=uuid.uuid4().hex if dry_run else None,
        )

    return await anyio.to_thread.run_sync(work)


SUPERVISION_PAGES = [audit, cohorts, cohort, bulk]
