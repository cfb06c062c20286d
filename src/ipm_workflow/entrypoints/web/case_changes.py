"""The case page's changes: an action fired, a document recorded, data edited, a reassignment.

Every change posts the case version the page was drawn from: a change made by someone else in
between is refused by the case store (the API's If-Match), and the page says what changed.
Each change is a function of the form; `change_route` gives it its route, guard and answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import VersionConflict
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.web.case_forms import (
    REFUSALS,
    differs,
    optional_date,
    refusal,
    typed_inputs,
    whole_number,
)
from ipm_workflow.entrypoints.web.case_view import Notice, Viewing, case_view
from ipm_workflow.entrypoints.web.session import redirect
from ipm_workflow.services.commands import FireTrigger, Reassign, RecordDocument, UpdateData


@dataclass(frozen=True)
class Changing:
    """Who changes which case, from which request (its path's parameters included)."""

    container: Container
    actor: Actor
    request_id: str | None
    case_id: int
    path: dict[str, Any]


# A change runs in a worker thread with the form; it returns what the page says was done.
Change = Callable[[Changing, Any], str]


async def apply(
    request: Request[Any, Any, Any],
    container: Container,
    actor: Actor,
    case_id: int,
    change: Callable[[Any], str],
) -> Response[Any]:
    """Run a change; on refusal draw the page again with the reasons or the conflict."""
    import anyio  # noqa: PLC0415 - asyncio's thread hop, as the API's sync handlers

    form = await request.form()
    viewing = Viewing(request, container, actor, case_id)
    try:
        done = await anyio.to_thread.run_sync(change, form)
    except VersionConflict:
        seen = int(form.get("seen_seq") or 0)

        def conflicted() -> Template:
            history = container.cases.history(case_id, actor)
            changes = [e for e in history if e.seq > seen]
            return case_view(viewing, Notice(409, conflict=changes))

        return await anyio.to_thread.run_sync(conflicted)
    except REFUSALS as exc:
        message, reasons = refusal(exc)
        notice = Notice(409, error=message, reasons=tuple(reasons))
        return await anyio.to_thread.run_sync(case_view, viewing, notice)
    return redirect(f"/app/cases/{case_id}?done={done}")


def change_route(path: str, right: Action, change: Change) -> HTTPRouteHandler:
    """The POST route of a change of a case (`path` holds `{case_id:int}`), guarded by `right`;
    its answer is the case page (a redirect, or the refusal drawn on the page)."""

    async def handler(
        request: Request[Any, Any, Any],
        container: ContainerDep,
        actor: ActorDep,
        request_id: RequestIdDep,
        case_id: FromPath[int],
    ) -> Response[Any]:
        changing = Changing(container, actor, request_id, case_id, dict(request.path_params))
        return await apply(request, container, actor, case_id, lambda f: change(changing, f))

    handler.__doc__ = change.__doc__
    handler.__name__ = handler.__qualname__ = change.__name__
    return post(path, include_in_schema=False, guards=[requires(right)], name=change.__name__)(
        handler
    )


def fire(c: Changing, form: Any) -> str:
    """Fire an allowed action with its inputs, at the version the page showed."""
    trigger = str(form.get("trigger", ""))
    _, actions = c.container.cases.actions(c.case_id, c.actor)
    kinds = {i.field: i.type for a in actions if a.trigger == trigger for i in a.inputs}
    inputs = typed_inputs(form, kinds, "in_")
    reason, version = form.get("reason") or None, whole_number(form.get("version"))
    cmd = FireTrigger(c.case_id, trigger, inputs, reason, version, c.request_id)
    c.container.cases.fire(cmd, c.actor)
    return trigger


def record_document(c: Changing, form: Any) -> str:
    """Record a document's status and validity."""
    cmd = RecordDocument(
        c.case_id,
        str(form.get("document", "")),
        form.get("status", "received"),
        optional_date(form.get("valid_from")),
        optional_date(form.get("valid_until")),
        whole_number(form.get("version")),
        c.request_id,
    )
    c.container.cases.record_document(cmd, c.actor)
    return "document"


def update_data(c: Changing, form: Any) -> str:
    """Change the data fields that differ from what the page showed."""
    case = c.container.cases.get(c.case_id, c.actor)
    definition = c.container.cases.workflow_of(case).definition
    kinds = {n: s.type for n, s in definition.fields.items() if "field_" + n in form}
    given = typed_inputs(form, kinds, "field_")
    changes = {k: v for k, v in given.items() if differs(case.data.get(k), v)}
    if changes:
        reason, version = form.get("reason") or None, whole_number(form.get("version"))
        cmd = UpdateData(c.case_id, changes, reason, version, c.request_id)
        c.container.cases.update_data(cmd, c.actor)
    return "data"


def reassign(c: Changing, form: Any) -> str:
    """Move the case to another mission locale or advisor."""
    cmd = Reassign(
        c.case_id,
        form.get("mission_locale") or None,
        whole_number(form.get("advisor")),
        form.get("reason") or None,
        whole_number(form.get("version")),
        c.request_id,
    )
    c.container.cases.reassign(cmd, c.actor)
    return "reassign"


CASE_CHANGES = [
    change_route("/app/cases/{case_id:int}/fire", Action.CASES_FIRE, fire),
    change_route("/app/cases/{case_id:int}/documents", Action.CASES_DOCUMENT, record_document),
    change_route("/app/cases/{case_id:int}/data", Action.CASES_DATA, update_data),
    change_route("/app/cases/{case_id:int}/reassign", Action.CASES_REASSIGN, reassign),
]
