"""The case page's routes: the page (its head, case_view.py), its parts (the diagram, the
timeline, the uploaded documents, the reassignment and data forms: htmx fragments, or pages of
their own without JavaScript) and its changes (case_changes.py).

The parts ask the access policy and the services what the whole page used to: the same reads
(services/case_sheet.py, the cases and uploads services), only later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Template

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.auth import requires
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.case_changes import CASE_CHANGES
from ipm_workflow.entrypoints.web.case_forms import refusal, typed_inputs, widget
from ipm_workflow.entrypoints.web.case_view import (
    Notice,
    Viewing,
    case_view,
    data_fields,
    merged,
    part,
    phases,
    rights,
)
from ipm_workflow.entrypoints.web.i18n import translator
from ipm_workflow.entrypoints.web.rendering import language
from ipm_workflow.services.case_sheet import (
    read_parts,
    read_reassignment,
    read_states,
    read_timeline,
)

__all__ = ["CASE_PAGE", "case_view", "refusal", "typed_inputs", "widget"]

# The timeline part shows its latest lines; the rest is one link away (`?lines=all`). A long
# journey has hundreds of lines: drawing and dating them all made the page several times
# slower than the API's read of the case (bench/web.py).
TIMELINE_LINES = 30
_timeline = merged  # the name the scale tests know


def case_route(name: str, right: Action, draw: Callable[[Viewing], Template]) -> HTTPRouteHandler:
    """The GET route of the case page (`name` empty) or of one of its parts,
    `/app/cases/{case_id}/<name>`, guarded by `right` (NotFound, hence the 404 page, when the
    actor does not see the case)."""

    def handler(
        request: Request[Any, Any, Any],
        container: ContainerDep,
        actor: ActorDep,
        case_id: FromPath[int],
    ) -> Template:
        return draw(Viewing(request, container, actor, case_id))

    handler.__doc__ = draw.__doc__
    handler.__name__ = handler.__qualname__ = f"case_{name or 'page'}"
    path = "/app/cases/{case_id:int}" + (f"/{name}" if name else "")
    guards = [requires(right)]
    return get(path, include_in_schema=False, sync_to_thread=True, guards=guards)(handler)


def head(v: Viewing) -> Template:
    """One case: its head at once, its parts fetched once drawn (`done`: what was just saved;
    `timeline=all`: the timeline part holds every line)."""
    query = v.request.query_params
    whole = query.get("timeline") == "all"
    return case_view(v, Notice(done=query.get("done")), whole_timeline=whole)


def diagram(v: Viewing) -> Template:
    """The workflow's states by phase: the case's current one highlighted, those passed marked."""
    case, visited = read_states(v.container.cases.store, v.case_id, v.actor)
    definition = v.container.cases.workflow_of(case).definition
    drawn = {"phases": phases(definition), "visited": visited}
    return part(v, "_case_diagram.html", "The journey's states", case, **drawn)


def timeline(v: Viewing) -> Template:
    """The case's timeline: its latest TIMELINE_LINES lines, or all with `lines=all`."""
    lines = None if v.request.query_params.get("lines") == "all" else TIMELINE_LINES
    read = read_timeline(v.container.cases.store, v.case_id, v.actor, lines)
    return part(
        v,
        "_case_timeline.html",
        "Timeline",
        read.case,
        definition=v.container.cases.workflow_of(read.case).definition,
        timeline=merged(read)[:lines],
        timeline_total=read.total,
        sees_person=read.sees_person,
        translated=translator(language(v.request)),
    )


def uploads(v: Viewing) -> Template:
    """The documents sent for the case, newest first, with their validate and refuse forms."""
    case = v.container.cases.get(v.case_id, v.actor)
    sent = v.container.uploads.of_case(v.case_id, v.actor)
    definition = v.container.cases.workflow_of(case).definition
    shown = {"uploads": sent, "definition": definition, "may": rights(v.actor)}
    return part(v, "_case_uploads.html", "Uploaded documents", case, **shown)


def reassignment(v: Viewing) -> Template:
    """The reassignment form: the missions locales and the active advisors to choose from."""
    read = read_reassignment(v.container.cases.store, v.case_id, v.actor)
    choices = {"advisors": read.advisors, "mission_locales": read.mission_locales}
    return part(v, "_case_reassign.html", "Reassign", read.case, **choices)


def parts(v: Viewing) -> Template:
    """The parts the page fetches once drawn, in one answer and one read: the diagram, the
    timeline (`lines=all`: every line), and with their rights the uploaded documents and the
    reassignment form; for htmx each swapped into its place (out-of-band), else one page."""
    lines = None if v.request.query_params.get("lines") == "all" else TIMELINE_LINES
    read = read_parts(v.container.cases.store, v.case_id, v.actor, lines)
    case = read.timeline.case
    definition = v.container.cases.workflow_of(case).definition
    return part(
        v,
        "_case_parts.html",
        "The case's parts",
        case,
        definition=definition,
        phases=phases(definition),
        visited=read.visited,
        timeline=merged(read.timeline)[:lines],
        timeline_total=read.timeline.total,
        sees_person=read.timeline.sees_person,
        translated=translator(language(v.request)),
        uploads=read.uploads,
        reassignment=read.reassignment,
        may=rights(v.actor),
    )


def data(v: Viewing) -> Template:
    """The data form: every field the user may see, as it is now (fetched when unfolded)."""
    case = v.container.cases.get(v.case_id, v.actor)
    definition = v.container.cases.workflow_of(case).definition
    fields = data_fields(case, definition, v.actor)
    return part(v, "_case_data_form.html", "Change the data", case, fields=fields)


CASE_PARTS = [
    case_route("parts", Action.CASES_READ, parts),
    case_route("diagram", Action.CASES_READ, diagram),
    case_route("timeline", Action.CASES_READ, timeline),
    case_route("uploads", Action.UPLOADS_READ, uploads),
    case_route("reassignment", Action.CASES_REASSIGN, reassignment),
    case_route("data", Action.CASES_DATA, data),
]
CASE_PAGE = [case_route("", Action.CASES_READ, head), *CASE_PARTS, *CASE_CHANGES]
