"""The case page's routes: the page (its head, case_view.py), its parts (the timeline, the
uploaded documents, the reassignment's choices: htmx fragments, or pages of their own without
JavaScript) and its changes (case_changes.py).

The parts ask the access policy and the services what the whole page used to: the same reads
(services/case_sheet.py, the uploads service), only later.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.case_changes import CASE_CHANGES
from ipm_workflow.entrypoints.web.case_forms import refusal, typed_inputs, widget
from ipm_workflow.entrypoints.web.case_view import (
    case_view,
    data_fields,
    merged,
    part,
    phases,
    rights,
)
from ipm_workflow.services.case_sheet import read_reassignment, read_states, read_timeline

__all__ = ["CASE_PAGE", "case_view", "refusal", "typed_inputs", "widget"]

# The timeline part shows its latest lines; the rest is one link away (`?lines=all`). A long
# journey has hundreds of lines: drawing and dating them all made the page several times
# slower than the API's read of the case (bench/web.py).
TIMELINE_LINES = 30
_timeline = merged  # the name the scale tests know


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


@get(
    "/app/cases/{case_id:int}/timeline",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.CASES_READ)],
)
def case_timeline(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    case_id: FromPath[int],
    lines: FromQuery[str | None] = None,
) -> Template:
    """The case's timeline: its latest TIMELINE_LINES lines, or all with `lines=all`."""
    whole = lines == "all"
    read = read_timeline(container.cases.store, case_id, actor, None if whole else TIMELINE_LINES)
    shown = merged(read)[: None if whole else TIMELINE_LINES]
    definition = container.cases.workflow_of(read.case).definition
    return part(
        request,
        "_case_timeline.html",
        "Timeline",
        read.case,
        definition=definition,
        timeline=shown,
        timeline_total=read.total,
        sees_person=read.sees_person,
    )


@get(
    "/app/cases/{case_id:int}/uploads",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.UPLOADS_READ)],
)
def case_uploads(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    case_id: FromPath[int],
) -> Template:
    """The documents sent for the case, newest first, with their validate and refuse forms."""
    case = container.cases.get(case_id, actor)
    return part(
        request,
        "_case_uploads.html",
        "Uploaded documents",
        case,
        definition=container.cases.workflow_of(case).definition,
        uploads=container.uploads.of_case(case_id, actor),
        may=rights(actor),
    )


@get(
    "/app/cases/{case_id:int}/reassignment",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.CASES_REASSIGN)],
)
def case_reassignment(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    case_id: FromPath[int],
) -> Template:
    """The reassignment form: the missions locales and the active advisors to choose from."""
    read = read_reassignment(container.cases.store, case_id, actor)
    return part(
        request,
        "_case_reassign.html",
        "Reassign",
        read.case,
        advisors=read.advisors,
        mission_locales=read.mission_locales,
    )


@get(
    "/app/cases/{case_id:int}/data",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.CASES_DATA)],
)
def case_data(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    case_id: FromPath[int],
) -> Template:
    """The data form: every field the user may see, as it is now (fetched when unfolded)."""
    case = container.cases.get(case_id, actor)
    definition = container.cases.workflow_of(case).definition
    return part(
        request,
        "_case_data_form.html",
        "Change the data",
        case,
        fields=data_fields(case, definition, actor),
        may=rights(actor),
    )


@get(
    "/app/cases/{case_id:int}/diagram",
    include_in_schema=False,
    sync_to_thread=True,
    guards=[requires(Action.CASES_READ)],
)
def case_diagram(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    case_id: FromPath[int],
) -> Template:
    """The workflow's states by phase: the case's current one highlighted, those passed marked."""
    case, visited = read_states(container.cases.store, case_id, actor)
    definition = container.cases.workflow_of(case).definition
    return part(
        request,
        "_case_diagram.html",
        "The journey's states",
        case,
        phases=phases(definition),
        visited=visited,
    )


CASE_PARTS = [case_diagram, case_timeline, case_uploads, case_reassignment, case_data]
CASE_PAGE = [case_page, *CASE_PARTS, *CASE_CHANGES]
