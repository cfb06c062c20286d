"""Data protection on the pages: the subject access export (printable HTML or JSON), the
sensitive-read audit for supervisors and the record of processing."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ipm_workflow.domain.policy import Action
from ipm_workflow.domain.privacy import ReadQuery
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web import i18n
from ipm_workflow.entrypoints.web.rendering import language, page
from ipm_workflow.entrypoints.web.routes import page_get
from ipm_workflow.entrypoints.web.supervision import _day
from ipm_workflow.services.processing_register import Register

_CASE_PARTS = ("data", "documents", "history", "contact_attempts")
# The export's keys as a reader names them (English message ids, translated when rendered);
# a key without a label shows as it is stored.
LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "birth_date": "Birth date",
    "email": "E-mail",
    "phone": "Phone",
    "language": "Language",
    "timezone": "Time zone",
    "preferred_channel": "Preferred channel",
    "consent_email": "Consent to e-mail",
    "consent_sms": "Consent to SMS",
    "gender": "Gender",
    "commune_insee": "Commune (INSEE)",
    "departement": "Département",
    "qpv": "QPV",
    "rural": "Rural area",
    "education_level": "Education level",
    "situation_at_entry": "Situation at entry",
    "imilo_id": "i-milo id",
    "created_at": "Created",
    "updated_at": "Updated",
    "name": "Name",
    "link": "Link",
    "parental_authority": "Parental authority",
    "at": "When",
    "channel": "Channel",
    "subject": "Subject",
    "body": "Message",
    "recipient": "Recipient",
    "recipients": "Recipients",
    "role": "Role",
    "actor": "Actor",
    "case_id": "Case",
    "format": "Format",
    "decision": "Decision",
    "reason": "Reason",
    "purpose": "Purpose",
    "granted": "Granted",
    "method": "Method",
    "given_by": "Given by",
    "guardian_id": "Guardian",
    "recorded_by": "Recorded by",
    "received_on": "Received",
    "requester": "Requester",
    "decided_at": "Decided",
    "carried_out_at": "Carried out",
    "entry_point": "Entry point",
    "allowed": "Allowed",
    "state": "State",
    "workflow": "Workflow",
    "opened_at": "Opened",
    "closed_at": "Closed",
    "mission_locale_id": "Mission locale",
    "note": "Note",
    "answered": "Answered",
    "checkpoint": "Checkpoint",
    "by": "Actor",
    "kind": "Kind",
    "trigger": "Trigger",
    "from_state": "From",
    "to_state": "To",
    "payload": "Details",
    "seq": "Entry",
}


@cache
def _documents() -> Environment:
    # Standalone documents (no page layout): the same templates folder and catalogues.
    from ipm_workflow.entrypoints.web.app import TEMPLATES  # noqa: PLC0415 - app imports us

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    i18n.install(environment)
    return environment


def export_html(export: dict[str, Any], lang: str) -> str:
    """The subject access export as a printable HTML document in French or English."""
    summaries = [{k: v for k, v in c.items() if k not in _CASE_PARTS} for c in export["cases"]]
    template = _documents().get_template("export.html")
    return template.render(
        export=export, summaries=summaries, labels=LABELS, lang=i18n.language_of(lang)
    )


def export_json(export: dict[str, Any]) -> str:
    """The subject access export as indented JSON."""
    return json.dumps(export, indent=2, ensure_ascii=False)


def register_html(register: Register, lang: str) -> str:
    """The record of processing as a printable HTML document."""
    template = _documents().get_template("processing_register.html")
    return template.render(register=asdict(register), lang=i18n.language_of(lang))


def export_response(body: str, fmt: str, person_id: int) -> Response[Any]:
    """The export as a download (JSON) or a page to print (HTML)."""
    if fmt == "json":
        name = f"person-{person_id}-export.json"
        return Response(
            body,
            media_type="application/json",
            headers=attachment(name),
        )
    return Response(body, media_type="text/html")


@page_get("/app/people/{person_id:int}/export", Action.PEOPLE_EXPORT)
def export_page(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    person_id: FromPath[int],
    format: FromQuery[str] = "html",
) -> Response[str]:
    """Everything held on a person, printable (HTML) or as a file (JSON); recorded."""
    export = container.privacy.export(person_id, actor, format, entry_point="page:person export")
    body = export_json(export) if format == "json" else export_html(export, language(request))
    return export_response(body, format, person_id)


@page_get("/app/privacy/reads", Action.AUDIT)
def reads_page(
    request: Request[Any, Any, Any],
    container: ContainerDep,
    actor: ActorDep,
    person_id: FromQuery[str | None] = None,
    actor_ref: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
) -> Template:
    """Who read (or was refused) sensitive data: by person, by user, by period."""
    tz = container.settings.timezone
    filters = {
        "person_id": (person_id or "").strip(),
        "actor_ref": (actor_ref or "").strip(),
        "since": since or "",
        "until": until or "",
    }
    error = None
    try:
        query = ReadQuery(
            person_id=int(filters["person_id"]) if filters["person_id"] else None,
            actor=filters["actor_ref"] or None,
            since=_day(since, tz),
            until=_day(until, tz, end=True),
        )
        reads = container.privacy.reads(query, actor)
    except ValueError as exc:
        reads, error = [], str(exc)
    return page(
        request,
        "privacy_reads.html",
        "Sensitive data reads",
        filters=filters,
        reads=reads,
        error=error,
    )


@page_get("/app/privacy/register", Action.PRIVACY_REGISTER)
def register_page(
    request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep
) -> Template:
    """The record of processing, generated from the configuration and the workflow files."""
    register = container.privacy.register(actor)
    return page(request, "processing_register_page.html", "Record of processing", register=register)


PRIVACY_PAGES = [export_page, reads_page, register_page]
