"""The case page: the person and data, documents, diagram, timeline, actions and their forms.

Every change posts the case version the page was drawn from: a change made by someone else in
between is refused by the case store (the API's If-Match), and the page says what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.actions import InputView
from ipm_workflow.domain.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    TransitionDenied,
    VersionConflict,
)
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep, RequestIdDep
from ipm_workflow.entrypoints.web.rendering import gettext, page
from ipm_workflow.entrypoints.web.session import redirect
from ipm_workflow.services.case_sheet import CaseSheet
from ipm_workflow.services.commands import FireTrigger, Reassign, RecordDocument, UpdateData

DOCUMENT_STATUSES = ("missing", "received", "validated", "expired", "refused")
# The timeline shows its latest lines; the rest is one link away (`?timeline=all`). A long
# journey has hundreds of lines: drawing and dating them all made the page several times
# slower than the API's read of the case (bench/web.py).
TIMELINE_LINES = 30


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline: a history entry or a reminder."""

    at: datetime
    kind: str  # "history" or "reminder"
    item: Any


def _timeline(sheet: CaseSheet) -> list[TimelineItem]:
    items = [TimelineItem(e.at, "history", e) for e in sheet.history]
    items += [
        TimelineItem(r.sent_at or r.acknowledged_at or r.due_at, "reminder", r)
        for r in sheet.reminders
    ]
    return sorted(items, key=lambda i: i.at, reverse=True)


def _changes_since(container: Container, case_id: int, actor: Actor, seen: int) -> list[Any]:
    return [e for e in container.cases.history(case_id, actor) if e.seq > seen]


def case_view(
    request: Request[Any, Any, Any],
    container: Container,
    actor: Actor,
    case_id: int,
    *,
    status_code: int = 200,
    error: str | None = None,
    reasons: list[str] | None = None,
    conflict: list[Any] | None = None,
    done: str | None = None,
    whole_timeline: bool = False,
) -> Template:
    """Draw the case page (NotFound, hence the 404 page, when the actor does not see it).

    The timeline holds its TIMELINE_LINES latest lines unless `whole_timeline`.
    """
    # One read transaction for the whole page (services/case_sheet.py).
    lines = None if whole_timeline else TIMELINE_LINES
    sheet = container.cases.sheet(case_id, actor, lines)
    case, actions = sheet.case, sheet.actions
    definition = container.cases.workflow_of(case).definition
    sees_people = policy.may(actor, Action.PEOPLE_READ)
    fields = [
        (name, spec, case.data.get(name))
        for name, spec in definition.fields.items()
        if sees_people or not spec.personal
    ]
    timeline = _timeline(sheet)[:lines]
    phases: dict[str, list[tuple[str, Any]]] = {}
    for name, spec in definition.states.items():
        phases.setdefault(spec.phase, []).append((name, spec))
    spec = definition.states[case.state]
    due = case.due_at  # the state's clock (domain/clocks.py), pauses included
    title = gettext(request)("Case %(id)d") % {"id": case.id}
    return page(
        request,
        "case.html",
        title,
        status_code=status_code,
        case=case,
        definition=definition,
        state=spec,
        due=due,
        person=sheet.person,
        fields=fields,
        documents=[(t, s, case.documents.get(t)) for t, s in definition.documents.items()],
        uploads=container.uploads.of_case(case_id, actor)
        if policy.may(actor, Action.UPLOADS_READ)
        else [],
        statuses=DOCUMENT_STATUSES,
        phases=phases,
        visited=sheet.visited,
        allowed=[a for a in actions if a.allowed],
        refused=[a for a in actions if not a.allowed],
        timeline=timeline,
        timeline_total=sheet.timeline_total,
        advisor=sheet.advisor,
        advisors=sheet.advisors,
        mission_locales=sheet.mission_locales,
        may={
            "fire": policy.may(actor, Action.CASES_FIRE),
            "document": policy.may(actor, Action.CASES_DOCUMENT),
            "data": policy.may(actor, Action.CASES_DATA),
            "reassign": policy.may(actor, Action.CASES_REASSIGN),
            "export": policy.may(actor, Action.PEOPLE_EXPORT),
            "download": policy.may(actor, Action.UPLOADS_DOWNLOAD),
        },
        error=error,
        reasons=reasons or [],
        conflict=conflict,
        done=done,
        widget=widget,
    )


def widget(view: InputView) -> str:
    """The HTML input type of an action's declared input."""
    return {"date": "date", "number": "number", "email": "email", "phone": "tel"}.get(
        view.type, "text"
    )


def _value(kind: str, raw: str) -> Any:
    """A form's text as the value of a declared type (the engine checks it further)."""
    if kind == "boolean":
        return raw in ("true", "on", "yes")
    if kind == "number":
        try:
            return int(raw)
        except ValueError:
            return float(raw)
    return raw


def typed_inputs(form: Any, views: Mapping[str, str], prefix: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind in views.items():
        raw = form.get(prefix + name)
        if kind == "boolean":
            # A ticked box sends "true" after its hidden "false" (an unticked one only "false").
            sent = form.getall(prefix + name, [])
            if sent:
                values[name] = any(_value(kind, v) for v in sent)
        elif raw not in (None, ""):
            values[name] = _value(kind, raw.strip())
    return values


def _differs(current: Any, given: Any) -> bool:
    """Whether a field's posted value changes it (an unset box left unticked does not)."""
    if current is None:
        return given not in (False, "")
    return str(current) != str(given)


REFUSALS = (TransitionDenied, InvalidTransition, InvalidInput, ValueError)


def refusal(exc: Exception) -> tuple[str, list[str]]:
    """A refused change as a message and its reasons (unmet guards, invalid inputs)."""
    reasons = [u["message"] for u in getattr(exc, "context", {}).get("unmet", [])]
    reasons += [f"{e.get('field', '')}: {e.get('message', '')}" for e in getattr(exc, "errors", [])]
    return (exc.message if isinstance(exc, DomainError) else str(exc)), reasons


def _optional_date(raw: Any) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _int(raw: Any) -> int | None:
    return int(raw) if raw not in (None, "") else None


async def _apply(
    request: Request[Any, Any, Any],
    container: Container,
    actor: Actor,
    case_id: int,
    change: Any,
) -> Response[Any]:
    """Run a change; on refusal draw the page again with the reasons or the conflict."""
    import anyio  # noqa: PLC0415 - asyncio's thread hop, as the API's sync handlers

    form = await request.form()
    _ = gettext(request)
    try:
        done = await anyio.to_thread.run_sync(change, form)
    except VersionConflict:
        seen = int(form.get("seen_seq") or 0)

        def conflicted() -> Template:
            changes = _changes_since(container, case_id, actor, seen)
            return case_view(request, container, actor, case_id, status_code=409, conflict=changes)

        return await anyio.to_thread.run_sync(conflicted)
    except REFUSALS as exc:
        message, reasons = refusal(exc)

        def refused() -> Template:
            return case_view(
                request, container, actor, case_id, status_code=409, error=message, reasons=reasons
            )

        return await anyio.to_thread.run_sync(refused)
    return redirect(f"/app/cases/{case_id}?done={done}")


@get(
    "/app/cases/{case_id:int}",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.CASES_READ)],
)
def case_page(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    case_id: FromPath[int],
    done: FromQuery[str | None] = None,
    timeline: FromQuery[str | None] = None,
) -> Template:
    """One case (a 404 page when the user's missions locales do not include it)."""
    return case_view(
        request, container, actor, case_id, done=done, whole_timeline=timeline == "all"
    )


@post(
    "/app/cases/{case_id:int}/fire", include_in_schema=False, guards=[requires(Action.CASES_FIRE)]
)
async def fire(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    request_id: RequestIdDep,
    case_id: FromPath[int],
) -> Response[Any]:
    """Fire an allowed action with its inputs, at the version the page showed."""

    def change(form: Any) -> str:
        trigger = str(form.get("trigger", ""))
        _, actions = container.cases.actions(case_id, actor)
        kinds = {i.field: i.type for a in actions if a.trigger == trigger for i in a.inputs}
        container.cases.fire(
            FireTrigger(
                case_id,
                trigger,
                typed_inputs(form, kinds, "in_"),
                form.get("reason") or None,
                _int(form.get("version")),
                request_id,
            ),
            actor,
        )
        return trigger

    return await _apply(request, container, actor, case_id, change)


@post(
    "/app/cases/{case_id:int}/documents",
    include_in_schema=False,
    guards=[requires(Action.CASES_DOCUMENT)],
)
async def record_document(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    request_id: RequestIdDep,
    case_id: FromPath[int],
) -> Response[Any]:
    """Record a document's status and validity."""

    def change(form: Any) -> str:
        document = str(form.get("document", ""))
        container.cases.record_document(
            RecordDocument(
                case_id,
                document,
                form.get("status", "received"),
                _optional_date(form.get("valid_from")),
                _optional_date(form.get("valid_until")),
                _int(form.get("version")),
                request_id,
            ),
            actor,
        )
        return "document"

    return await _apply(request, container, actor, case_id, change)


@post(
    "/app/cases/{case_id:int}/data", include_in_schema=False, guards=[requires(Action.CASES_DATA)]
)
async def update_data(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    request_id: RequestIdDep,
    case_id: FromPath[int],
) -> Response[Any]:
    """Change the data fields that differ from what the page showed."""

    def change(form: Any) -> str:
        case = container.cases.get(case_id, actor)
        definition = container.cases.workflow_of(case).definition
        kinds = {n: s.type for n, s in definition.fields.items() if "field_" + n in form}
        given = typed_inputs(form, kinds, "field_")
        changes = {k: v for k, v in given.items() if _differs(case.data.get(k), v)}
        if changes:
            container.cases.update_data(
                UpdateData(
                    case_id,
                    changes,
                    form.get("reason") or None,
                    _int(form.get("version")),
                    request_id,
                ),
                actor,
            )
        return "data"

    return await _apply(request, container, actor, case_id, change)


@post(
    "/app/cases/{case_id:int}/reassign",
    include_in_schema=False,
    guards=[requires(Action.CASES_REASSIGN)],
)
async def reassign(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    request_id: RequestIdDep,
    case_id: FromPath[int],
) -> Response[Any]:
    """Move the case to another mission locale or advisor."""

    def change(form: Any) -> str:
        container.cases.reassign(
            Reassign(
                case_id,
                form.get("mission_locale") or None,
                _int(form.get("advisor")),
                form.get("reason") or None,
                _int(form.get("version")),
                request_id,
            ),
            actor,
        )
        return "reassign"

    return await _apply(request, container, actor, case_id, change)


CASE_PAGE = [case_page, fire, record_document, update_data, reassign]
