"""A reminder turned into a message: the template's context, the fallback note, sanity checks."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.documents import document_line
from ipm_workflow.domain.guard_fields import DocumentsPresent
from ipm_workflow.domain.guards import GuardBase
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.messages import (
    DeliveryPolicy,
    Message,
    Renderer,
    RenderingFault,
    single_line_fault,
)
from ipm_workflow.services.routing import Audience, Route

FALLBACK_NOTE = {
    "fr": "[Message destiné à : {}. Il vous est adressé à sa place.]\n\n",
    "en": "[Meant for: {}. It comes to you in their place.]\n\n",
}


def _dated(definition: Workflow, data: dict[str, Any]) -> dict[str, Any]:
    # Date fields reach templates as dates, so the renderer prints them in the reader's language.
    out = dict(data)
    for name in definition.value_names():
        raw = out.get(name)
        if definition.value_type(name) == "date" and isinstance(raw, str):
            try:
                out[name] = date.fromisoformat(raw)
            except ValueError:
                continue
    return out


def _values(audience: Audience, definition: Workflow, today: date) -> dict[str, Any]:
    # Templates read computed values (days abroad…) beside the data, under the same `data`.
    facts = audience.case.facts(today, audience.person.birth_date, definition.computed)
    return facts.values()


def _missing_documents(
    reminder: Reminder, audience: Audience, definition: Workflow, today: date, lang: str
) -> list[str]:
    # The documents this rule waits for (its `unless` document guards), not the whole list.
    rule = next((r for r in definition.reminders if r.id == reminder.rule_id), None)
    facts = audience.case.facts(today, audience.person.birth_date, definition.computed)
    lacking: dict[str, str] = {}
    waiting: list[GuardBase] = list(rule.unless if rule else [])
    while waiting:  # document guards inside any_of/all_of/not count too
        guard = waiting.pop(0)
        waiting += [child for _, child in guard.children()]
        if isinstance(guard, DocumentsPresent) and (unmet := guard.check(facts)):
            lacking.update(unmet.detail)
    # A document on file is named with what is wrong with it, never as missing.
    return [
        document_line(definition.documents[name].label, lang, problem)
        for name, problem in lacking.items()
        if name in definition.documents
    ]


def _faults(subject: str, found: Route) -> list[str]:
    faults = [single_line_fault("subject", subject)]
    faults += [single_line_fault("recipient address", to) for to in found.to]
    faults += [
        f"the recipient address {to!r} holds a list, not one address"
        for to in found.to
        if found.channel == "email" and ("," in to or ";" in to)
    ]
    return [f for f in faults if f]


def compose(
    reminder: Reminder,
    audience: Audience,
    found: Route,
    *,
    definition: Workflow,
    today: date,
    renderer: Renderer,
    policy: DeliveryPolicy,
) -> Message:
    """Render a reminder for a route; RenderingFault (permanent) when it cannot be built."""
    case, lang = audience.case, found.language
    state = definition.states[case.state]
    context = {
        "recipient": reminder.recipient,
        "first_name": audience.person.first_name,
        "case_id": case.id,
        "case_url": f"{policy.public_url.rstrip('/')}/cases/{case.id}",
        "state_label": state.label.fr if lang == "fr" else state.label.en,
        "workflow_title": definition.title.fr if lang == "fr" else definition.title.en,
        "due_date": reminder.due_at.astimezone(ZoneInfo(found.timezone)).date(),
        "rule_id": reminder.rule_id,
        "occurrence": reminder.occurrence,
        "data": _dated(definition, _values(audience, definition, today)),
        "missing_documents": _missing_documents(reminder, audience, definition, today, lang),
        "mission_locale": audience.mission_locale.name,
    }
    subject, body = renderer.render(reminder.template or "", lang, context)
    instead_of = None
    if found.instead_of is not None:
        instead_of = f"{found.instead_of} ({found.why})"
        body = FALLBACK_NOTE.get(lang, FALLBACK_NOTE["fr"]).format(instead_of) + body
    faults = _faults(subject, found)
    if faults:
        raise RenderingFault("; ".join(faults))
    return Message(
        reminder.id,
        reminder.case_id,
        found.channel,
        found.to,
        subject,
        body,
        f"<reminder-{reminder.id}@{policy.message_id_domain}>",
        lang,
        instead_of,
        found.addressee or reminder.recipient,
    )
