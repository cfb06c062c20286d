"""Drawing the case page: its head at once, its other parts apart (htmx, or a page each).

The head holds what an advisor acts on: where the journey stands, the person, the actions
(refused ones with their reasons, each allowed one with its form), the documents checklist and
its form, the data, what was saved, refused or in conflict. The diagram, the timeline, the
uploaded documents and the reassignment form are parts the page fetches once drawn, the data
form a part fetched when unfolded (htmx); without JavaScript each is a link to a page of its
own. Reading and drawing them all in one answer made the page over three times slower than
the API's read of the case (bench/web.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.response import Template

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain import policy
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.entrypoints.web.case_forms import widget
from ipm_workflow.entrypoints.web.i18n import translator
from ipm_workflow.entrypoints.web.rendering import language, page, when
from ipm_workflow.entrypoints.web.session import current_session
from ipm_workflow.services.case_sheet import CaseSheet, Timeline, read_sheet

DOCUMENT_STATUSES = ("missing", "received", "validated", "expired", "refused")


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline: a history entry or a reminder."""

    at: datetime
    kind: str  # "history" or "reminder"
    item: Any


def merged(lines: CaseSheet | Timeline) -> list[TimelineItem]:
    """History entries and reminders as one timeline, latest first."""
    items = [TimelineItem(e.at, "history", e) for e in lines.history]
    items += [
        TimelineItem(r.sent_at or r.acknowledged_at or r.due_at, "reminder", r)
        for r in lines.reminders
    ]
    return sorted(items, key=lambda i: i.at, reverse=True)


def rights(actor: Actor) -> dict[str, bool]:
    """What the page offers the actor, as the access policy answers."""
    return {
        "fire": policy.may(actor, Action.CASES_FIRE),
        "document": policy.may(actor, Action.CASES_DOCUMENT),
        "data": policy.may(actor, Action.CASES_DATA),
        "reassign": policy.may(actor, Action.CASES_REASSIGN),
        "export": policy.may(actor, Action.PEOPLE_EXPORT),
        "download": policy.may(actor, Action.UPLOADS_DOWNLOAD),
        "uploads": policy.may(actor, Action.UPLOADS_READ),
        "reminders": policy.may(actor, Action.REMINDERS_READ),
    }


# The diagram's states by phase, per workflow version (the definitions are immutable and live
# as long as the registry: each is kept here with its grouping, so its id stays its own).
_PHASES: dict[int, tuple[Workflow, dict[str, list[tuple[str, Any]]]]] = {}


def phases(definition: Workflow) -> dict[str, list[tuple[str, Any]]]:
    """The diagram: a workflow version's states by phase, in declared order (grouped once)."""
    known = _PHASES.get(id(definition))
    if known is not None and known[0] is definition:
        return known[1]
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for name, spec in definition.states.items():
        grouped.setdefault(spec.phase, []).append((name, spec))
    _PHASES[id(definition)] = (definition, grouped)
    return grouped


def data_fields(case: Case, definition: Workflow, actor: Actor) -> list[tuple[str, Any, Any]]:
    """The case's data fields as (name, spec, value), personal ones only for those who read
    people."""
    sees_people = policy.may(actor, Action.PEOPLE_READ)
    return [
        (name, spec, case.data.get(name))
        for name, spec in definition.fields.items()
        if sees_people or not spec.personal
    ]


@dataclass(frozen=True)
class ChecklistLine:
    """A line of the documents checklist, its texts in the page's language (drawn as is: a
    call from the template per label, status and date was a visible share of its time)."""

    document: str  # the checklist's key
    label: str
    status: str
    valid_from: str = ""
    valid_until: str = ""


def checklist(case: Case, definition: Workflow, lang: str, timezone: str) -> list[ChecklistLine]:
    """The case's documents checklist, every declared document with its status and validity."""
    translate = translator(lang)
    lines = []
    for name, spec in definition.documents.items():
        doc = case.documents.get(name)
        label = getattr(spec.label, lang) if spec.label else ""
        if doc is None:
            lines.append(ChecklistLine(name, label, translate("missing")))
            continue
        valid = (when(doc.valid_from, lang, timezone), when(doc.valid_until, lang, timezone))
        lines.append(ChecklistLine(name, label, translate(doc.status), *valid))
    return lines


def facts(case: Case, definition: Workflow, actor: Actor, lang: str) -> list[tuple[str, str, Any]]:
    """The case's data the head shows: (label in the page's language, type, value) of each
    field with a value, personal ones only for those who read people."""
    return [
        (getattr(spec.label, lang) if spec.label else "", spec.type, value)
        for _, spec, value in data_fields(case, definition, actor)
        if value is not None and value != ""
    ]


@dataclass(frozen=True)
class Viewing:
    """Who looks at which case, from which request."""

    request: Request[Any, Any, Any]
    container: Container
    actor: Actor
    case_id: int


@dataclass(frozen=True)
class Notice:
    """What the page says above the case: a change saved, refused with its reasons, or the
    changes that made it a conflict; with the answer's status."""

    status_code: int = 200
    error: str | None = None
    reasons: tuple[str, ...] = ()
    conflict: list[Any] | None = None
    done: str | None = None


def case_view(v: Viewing, notice: Notice = Notice(), *, whole_timeline: bool = False) -> Template:
    """Draw the case page's head (NotFound, hence the 404 page, when the actor does not see it).

    `whole_timeline`: the timeline part it fetches holds every line, not only the latest.
    """
    actor = v.actor
    # One transaction; the signed-in user, held by the session, is not read again as advisor.
    session = current_session(v.request)
    signed_in = session.user if session is not None else None
    sheet = read_sheet(v.container.cases.store, v.case_id, actor, whole=False, known=signed_in)
    case = sheet.case
    definition = v.container.cases.workflow_of(case).definition
    lang = language(v.request)
    timezone = v.container.settings.timezone
    translate = translator(lang)
    title = translate("Case %(id)d") % {"id": case.id}
    return page(
        v.request,
        "case.html",
        title,
        status_code=notice.status_code,
        case=case,
        definition=definition,
        state=definition.states[case.state],
        due=case.due_at,  # the state's clock (domain/clocks.py), pauses included
        person=sheet.person,
        facts=facts(case, definition, actor, lang),
        documents=checklist(case, definition, lang, timezone),
        statuses=[(status, translate(status)) for status in DOCUMENT_STATUSES],
        allowed=[a for a in sheet.actions if a.allowed],
        refused=[a for a in sheet.actions if not a.allowed],
        whole_timeline=whole_timeline,
        advisor=sheet.advisor,
        may=rights(actor),
        notice=notice,
        widget=widget,
    )


def part(v: Viewing, template: str, title: str, case: Case, **context: Any) -> Template:
    """A part of the case page: the fragment alone for htmx, else a page of its own linking
    back to the case (`title`: an English message id).

    Its forms post the version (and last history line) of the page that links to it, given
    in the query (`version`, `seen_seq`): a change made in between is the page's conflict.
    """
    query = v.request.query_params
    fragment = v.request.headers.get("HX-Request") == "true"
    return page(
        v.request,
        template if fragment else "case_part.html",
        title,
        part=template,
        case=case,
        seen_version=_number(query.get("version"), case.version),
        seen_seq=_number(query.get("seen_seq"), case.history_seq),
        fragment=fragment,
        **context,
    )


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw is not None and raw.isdigit() else default
