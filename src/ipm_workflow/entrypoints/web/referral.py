"""A new referral: the young person (probable duplicates warned about before saving), then the
case opened with the workflow's declared opening inputs, in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
from litestar import Request, Response
from litestar.params import FromQuery
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import DomainError
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.http.deps import ActorDep, CallDep, ContainerDep
from ipm_workflow.entrypoints.web.case_page import refusal, typed_inputs, widget
from ipm_workflow.entrypoints.web.rendering import actor_of, page
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import redirect
from ipm_workflow.services.commands import OpenCase
from ipm_workflow.services.people import Registered

PERSON_FIELDS = ("first_name", "last_name", "birth_date", "email", "phone")


def openable(container: Container, actor: Actor) -> list[CompiledWorkflow]:
    """The latest workflows whose opening roles admit the actor's role."""
    return [
        c
        for c in container.cases.registry.latest()
        if c.definition.opening is None or policy.admits(c.definition.opening.roles, actor.role)
    ]


def _chosen(container: Container, actor: Actor, name: str | None) -> CompiledWorkflow | None:
    choices = openable(container, actor)
    return next((c for c in choices if c.definition.name == name), choices[0] if choices else None)


def _person(form: Any) -> Person:
    """The person the form describes (ValueError on a malformed birth date)."""
    raw = (form.get("birth_date") or "").strip()
    return Person(
        None,
        (form.get("first_name") or "").strip(),
        (form.get("last_name") or "").strip(),
        date.fromisoformat(raw) if raw else None,
        (form.get("email") or "").strip() or None,
        (form.get("phone") or "").strip() or None,
    )


def _form_page(
    request: Request[Any, Any, Any],
    container: Container,
    actor: Actor,
    workflow: str | None,
    form: Any = None,
    *,
    status_code: int = 200,
    duplicates: Registered | None = None,
    error: str | None = None,
    reasons: list[str] | None = None,
) -> Template:
    compiled = _chosen(container, actor, workflow)
    scope = policy.reach(actor)
    given = {k: form.get(k, "") for k in form} if form is not None else {}
    inputs = compiled.opening_inputs() if compiled else []
    values = {i.field: given.get("in_" + i.field) for i in inputs if given.get("in_" + i.field)}
    return page(
        request,
        "referral.html",
        "New referral",
        status_code=status_code,
        workflows=[c.definition for c in openable(container, actor)],
        workflow=compiled.definition if compiled else None,
        inputs=inputs,
        values=values,
        given=given,
        mission_locales=[
            m for m in container.people.mission_locales() if scope is None or m.id in scope
        ],
        advisors=[
            u for u, _ in container.accounts.users() if u.role == policy.ADVISOR and u.active
        ],
        me=actor.user_id,
        duplicates=duplicates,
        error=error,
        reasons=reasons or [],
        widget=widget,
    )


@page_get("/app/referrals/new", Action.CASES_OPEN)
def referral_form(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    workflow: FromQuery[str | None] = None,
) -> Template:
    """The referral form, with the chosen workflow's opening inputs."""
    return _form_page(request, container, actor, workflow)


@page_post("/app/referrals/duplicates", Action.PEOPLE_REGISTER)
async def duplicates_check(request: Request[Any, Any, Any], container: ContainerDep) -> Template:
    """The probable duplicates of the person typed so far (htmx, before anything is saved)."""
    form = await request.form()
    actor = actor_of(request)
    assert actor is not None  # noqa: S101 - the session middleware guarantees it
    found: Registered | None = None
    try:
        person = _person(form)
        if person.last_name and (person.birth_date or person.email or person.phone):
            found = await anyio.to_thread.run_sync(
                container.people.probable_duplicates, person, actor
            )
    except (DomainError, ValueError):
        found = None
    return Template(
        template_name="_duplicates.html",
        context={"duplicates": found, **_partial_context(request)},
    )


def _partial_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What a partial template needs of the page's context (language, dates)."""
    from ipm_workflow.entrypoints.web.rendering import language, when  # noqa: PLC0415

    lang = language(request)
    timezone = request.app.state.container.settings.timezone
    return {"lang": lang, "when": lambda moment: when(moment, lang, timezone)}


@page_post("/app/referrals", Action.CASES_OPEN)
async def refer(
    request: Request[Any, Any, Any],
    call: CallDep,
) -> Response[Any]:
    """Warn about probable duplicates first (unless confirmed), then register and open."""
    form = await request.form()
    workflow = form.get("workflow") or None

    def again(status: int, **why: Any) -> Template:
        return _form_page(
            request, call.container, call.actor, workflow, form, status_code=status, **why
        )

    def work() -> Response[Any]:
        compiled = _chosen(call.container, call.actor, workflow)
        if compiled is None or compiled.definition.name != workflow:
            return again(422, error=f"unknown workflow {workflow!r}")
        try:
            person = _person(form)
            if not form.get("confirmed"):
                found = call.container.people.probable_duplicates(person, call.actor)
                if found.possible_duplicates or found.duplicate_elsewhere:
                    return again(409, duplicates=found)
            kinds = {i.field: i.type for i in compiled.opening_inputs()}
            advisor = form.get("advisor")
            _, case = call.container.referrals.refer(
                person,
                OpenCase(
                    0,
                    compiled.definition.name,
                    form.get("mission_locale") or "",
                    int(advisor) if advisor else None,
                    typed_inputs(form, kinds, "in_"),
                    None,
                    call.request_id,
                ),
                call.actor,
            )
        except (DomainError, ValueError) as exc:
            message, reasons = refusal(exc)
            return again(422, error=message, reasons=reasons)
        return redirect(f"/app/cases/{case.id}?done=opened")

    return await anyio.to_thread.run_sync(work)


REFERRAL_PAGES = [referral_form, duplicates_check, refer]
