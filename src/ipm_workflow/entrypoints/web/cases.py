"""My cases: the cases the policy lets the user see, filtered, due and overdue first, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from ipm_workflow.domain import policy
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.case_page import CASE_PAGE
from ipm_workflow.entrypoints.web.case_uploads import CASE_UPLOAD_PAGES
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.entrypoints.web.routes import page_get
from ipm_workflow.services.case_ports import CaseQuery, capped_total

PAGE_SIZE = 50
PHASES = ("orientation", "preparation", "departure", "abroad", "return", "follow_up", "closed")


@dataclass(frozen=True)
class Row:
    """One case of the listing, ready to show."""

    id: int
    name: str | None
    workflow: Any
    state: Any
    mission_locale: str
    advisor: str | None
    due_at: datetime | None
    overdue: bool


@page_get("/app/cases", Action.CASES_READ)
def my_cases(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    state_name: Annotated[str | None, QueryParameter(name="state")] = None,
    phase: FromQuery[str | None] = None,
    workflow: FromQuery[str | None] = None,
    mission_locale: FromQuery[str | None] = None,
    advisor: FromQuery[str | None] = None,
    overdue: FromQuery[bool] = False,
    unassigned: FromQuery[bool] = False,
    q: FromQuery[str | None] = None,
    page_number: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
) -> Template:
    """The cases the user may see; overdue first, then those with a time limit running."""
    wanted_phase = phase if phase in PHASES else None
    searchable = policy.may(actor, Action.PEOPLE_READ)
    name = (q or "").strip()[:100] or None
    query = CaseQuery(
        state=state_name or None,
        workflow=workflow or None,
        mission_locales=[mission_locale] if mission_locale else None,
        advisor_id=int(advisor) if advisor and advisor.isdigit() else None,
        unassigned=unassigned,
        name=name if searchable else None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    cases, counted = container.cases.list_cases(
        query, actor, phase=wanted_phase, overdue=overdue, due_first=True
    )
    # Past the count's cap the page says "more than 1,000 cases" and keeps a next page while
    # this one is full (capped_total: the same rule as the API's).
    total, more = capped_total(query, counted)
    names = container.people.names_in_cases(cases, actor)
    users = {u.id: u for u, _ in container.accounts.users()}
    now = container.clock.now()
    rows = []
    for case in cases:
        definition = container.cases.workflow_of(case).definition
        spec = definition.states[case.state]
        due = case.due_at  # the state's clock (domain/clocks.py), pauses included
        advisor_user = users.get(case.advisor_id) if case.advisor_id else None
        rows.append(
            Row(
                case.id or 0,
                names.get(case.person_id),
                definition.title,
                spec.label,
                case.mission_locale_id,
                advisor_user.display_name if advisor_user else None,
                due,
                bool(due and due < now),
            )
        )
    filters = {
        "state": state_name or "",
        "phase": wanted_phase or "",
        "workflow": workflow or "",
        "mission_locale": mission_locale or "",
        "advisor": int(advisor) if advisor and advisor.isdigit() else "",
        "overdue": "true" if overdue else "",
        "unassigned": "true" if unassigned else "",
        "q": name or "",
    }
    kept = {k: v for k, v in filters.items() if v}
    scope = policy.reach(actor)
    workflows = {c.definition.name: c.definition for c in container.cases.registry.all()}
    states = {name: spec.label for d in workflows.values() for name, spec in d.states.items()}
    return page(
        request,
        "cases.html",
        "My cases",
        rows=rows,
        total=total,
        more=more,
        page_number=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
        previous_url=_url(kept, page_number - 1) if page_number > 1 else None,
        next_url=_url(kept, page_number + 1)
        if page_number * PAGE_SIZE < total or (more and len(cases) == PAGE_SIZE)
        else None,
        filters=filters,
        searchable=searchable,
        phases=PHASES,
        workflows=workflows,
        states=sorted(states.items()),
        mission_locales=[
            m for m in container.people.mission_locales() if scope is None or m.id in scope
        ],
        advisors=sorted(
            (u for u in users.values() if u.role == policy.ADVISOR),
            key=lambda u: u.display_name,
        ),
    )


def _url(filters: dict[str, Any], page_number: int) -> str:
    return "/app/cases?" + urlencode({**filters, "page_number": page_number})


CASE_PAGES = [my_cases, *CASE_PAGE, *CASE_UPLOAD_PAGES]
