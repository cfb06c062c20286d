"""Consent to be contacted: dated on the person, and one event per change (what, granted or
withdrawn, when, how, by whom). Every consent change — staff pages and API, the CLI, the young
person's and guardians' own pages, registration — goes through `consent_events`; the flags on
the person stay what routing reads, so messages follow the current consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.input_errors import invalid_field
from ipm_workflow.domain.people import Guardian, Person
from ipm_workflow.domain.privacy import (
    CONSENT_GIVERS,
    METHOD_PORTAL,
    METHOD_STAFF,
    ConsentEvent,
)
from ipm_workflow.services.commands import Actor


def stamp_consent(person: Person, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Date a change of consent (now, unless a date was given) so each channel says since when."""
    for channel in ("email", "sms"):
        flag, at = f"consent_{channel}", f"consent_{channel}_at"
        if flag in changes and changes[flag] != getattr(person, flag) and at not in changes:
            changes[at] = now
    return changes


# Who gave a consent and which guardian: said alongside a consent change, never stored on the
# person (the consents table keeps them).
CONSENT_META = ("consent_given_by", "consent_guardian_id")


def consent_events(  # noqa: PLR0917 - the change and its context, in the order they are read
    person_id: int,
    before: Person | Guardian,
    changes: Mapping[str, Any],
    now: datetime,
    actor: Actor,
    meta: Mapping[str, Any] | None = None,
) -> list[ConsentEvent]:
    """The consent events of a change of a person's or a guardian's flags: what moved, when,
    how (its source, else the portal or staff entry) and by whom (else the young person on
    their own pages, staff otherwise). Every consent change goes through here."""
    guardian, meta = isinstance(before, Guardian), meta or {}
    # On their own pages the young person or a guardian gives it; elsewhere staff record it.
    own_pages = policy.on_own_pages(actor)
    default_by = actor.role if own_pages else "staff"
    given_by = "guardian" if guardian else meta.get("consent_given_by") or default_by
    if given_by not in CONSENT_GIVERS:
        raise InvalidInput(
            "unknown consent giver",
            [{"field": "consent_given_by", "message": f"one of {', '.join(CONSENT_GIVERS)}"}],
        )
    guardian_id = (
        before.id
        if isinstance(before, Guardian)
        else meta.get("consent_guardian_id") or (actor.guardian_id if own_pages else None)
    )
    if given_by == "guardian" and guardian_id is None:
        raise invalid_field("which guardian", "consent_guardian_id", "name the guardian")
    default_method = METHOD_PORTAL if own_pages else METHOD_STAFF
    events = []
    for channel in ("email", "sms"):
        flag = f"consent_{channel}"
        if flag not in changes or changes[flag] == getattr(before, flag):
            continue
        at_key, source_key = (
            ("consent_at", "consent_source")
            if guardian
            else (f"consent_{channel}_at", f"consent_{channel}_source")
        )
        events.append(
            ConsentEvent(
                person_id,
                channel,
                bool(changes[flag]),
                changes.get(at_key) or now,
                # The person's own pages write their role as the source (issue 17): the
                # event's method is then the pages, its giver the role.
                (
                    default_method
                    if changes.get(source_key) in (None, "", *policy.PORTAL_ROLES)
                    else changes[source_key]
                ),
                given_by,
                actor.id,
                now,
                guardian_id,
            )
        )
    return events
