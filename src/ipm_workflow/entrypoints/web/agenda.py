"""The agenda: what falls due in the next days across the user's cases, grouped by day; a
reminder acknowledged from there (the API's services: agenda and acknowledge)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.entrypoints.http.deps import ActorDep, CallDep, ContainerDep
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.entrypoints.web.routes import page_get, page_post
from ipm_workflow.entrypoints.web.session import redirect

DAY_CHOICES = (1, 7, 14, 30, 90)


@dataclass(frozen=True)
class Due:
    """One reminder of the agenda, with its case's young person when the user may see them."""

    reminder: Reminder
    name: str | None


def by_day(items: Iterable[Due], timezone: str) -> list[tuple[date, list[Due]]]:
    """Group the agenda's items by their due day in the service's time zone, in order."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[Due]] = {}
    for item in items:
        days.setdefault(item.reminder.due_at.astimezone(zone).date(), []).append(item)
    return sorted(days.items())


def items_of(container: Container, actor: Actor, reminders: list[Reminder]) -> list[Due]:
    """Reminders with their case's young person (for those who may see them)."""
    cases = {}
    for case_id in sorted({r.case_id for r in reminders}):
        cases[case_id] = container.cases.get(case_id, actor)
    names = container.people.names_in_cases(list(cases.values()), actor)
    return [Due(r, names.get(cases[r.case_id].person_id)) for r in reminders]


@page_get("/app/agenda", Action.REMINDERS_READ)
def agenda(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    days: Annotated[int, QueryParameter(ge=1, le=366)] = 14,
    done: FromQuery[str | None] = None,
) -> Template:
    """Pending reminders due within `days` days across the user's cases, grouped by day."""
    found = container.reminders.agenda(actor, days)
    items = items_of(container, actor, found.reminders)
    return page(
        request,
        "agenda.html",
        "Agenda",
        days=days,
        day_choices=sorted({*DAY_CHOICES, days}),
        until=found.until,
        groups=by_day(items, container.settings.timezone),
        count=len(items),
        may_acknowledge=policy.may(actor, Action.REMINDERS_ACKNOWLEDGE),
        done=done,
    )


@page_post("/app/agenda/{case_id:int}/{reminder_id:int}/acknowledge", Action.REMINDERS_ACKNOWLEDGE)
def acknowledge(
    request: Request[Any, Any, Any],
    call: CallDep,
    case_id: FromPath[int],
    reminder_id: FromPath[int],
) -> Response[Any]:
    """Acknowledge a reminder (the API's service); htmx gets the updated row, others a redirect."""
    reminder = call.container.reminders.acknowledge(
        case_id, reminder_id, call.actor, call.request_id
    )
    if request.headers.get("hx-request") != "true":
        return redirect("/app/agenda?done=acknowledged")
    item = items_of(call.container, call.actor, [reminder])[0]
    return page(request, "_agenda_item.html", "Agenda", item=item, may_acknowledge=True)


AGENDA_PAGES = [agenda, acknowledge]
