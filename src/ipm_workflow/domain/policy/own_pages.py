"""The young person's own pages: who acts there (the person or a guardian), what they may change
about themselves, which reminders they answer and which documents they send."""

from __future__ import annotations

from collections.abc import Collection

from ipm_workflow.domain.policy.rights import (
    GUARDIAN,
    PORTAL_ROLES,
    YOUNG_PERSON,
    Action,
    Actor,
    may,
    require,
)

# What a person may change about themselves (their own pages): how and whether to be reached.
PREFERENCE_FIELDS = frozenset(
    {
        "preferred_channel",
        "language",
        "consent_email",
        "consent_sms",
        "consent_email_source",
        "consent_sms_source",
    }
)
CONSENT_FIELDS = frozenset({"consent_email", "consent_sms"})
# What a guardian may change about themselves: whether and how they are reached.
GUARDIAN_PREFERENCE_FIELDS = frozenset({"consent_email", "consent_sms", "consent_source"})


def portal_actor(person_id: int, guardian_id: int | None = None) -> Actor:
    """The young person on their own pages, or one of their guardians; they reach no mission
    locale, only the person's own cases (`see_case` with the case's person)."""
    if guardian_id is None:
        return Actor(f"{YOUNG_PERSON}:{person_id}", YOUNG_PERSON, frozenset(), None, person_id)
    return Actor(f"{GUARDIAN}:{guardian_id}", GUARDIAN, frozenset(), None, person_id, guardian_id)


def on_own_pages(actor: Actor) -> bool:
    """Tell whether the actor is a young person or a guardian on the young person's pages."""
    return actor.role in PORTAL_ROLES


def is_guardian(actor: Actor) -> bool:
    """Tell whether the actor is a guardian on the young person's pages."""
    return actor.role == GUARDIAN


def answers_reminder(actor: Actor, recipient: str) -> bool:
    """On their own pages a young person or guardian answers only the reminders addressed to
    the young person or the guardians; staff answer any they see."""
    return actor.person_id is None or recipient in PORTAL_ROLES


def gives_consent(actor: Actor, minor: bool) -> bool:
    """Whether the actor may give or withdraw the person's consent to be reached: for a minor,
    only a guardian (or staff recording it); an adult gives their own."""
    return not (minor and actor.role == YOUNG_PERSON)


def require_person_change(actor: Actor, fields: Collection[str]) -> None:
    """Raise Forbidden unless the actor may change these fields of a person: preferences alone
    are the person's own (PEOPLE_PREFERENCES), anything else needs PEOPLE_UPDATE."""
    if set(fields) <= PREFERENCE_FIELDS and may(actor, Action.PEOPLE_PREFERENCES):
        return
    require(actor, Action.PEOPLE_UPDATE)


def require_guardian_change(actor: Actor, guardian_id: int, fields: Collection[str]) -> None:
    """Raise Forbidden unless the actor may change these fields of a guardian: a guardian their
    own consents on the young person's pages; anything else needs PEOPLE_UPDATE."""
    if actor.guardian_id == guardian_id and set(fields) <= GUARDIAN_PREFERENCE_FIELDS:
        return
    require(actor, Action.PEOPLE_UPDATE)


def provides(actor: Actor, providers: Collection[str]) -> bool:
    """Whether the actor may send a document the checklist says `providers` provide.

    Staff may send any document on someone's behalf; the young person and a guardian only
    the documents the workflow declares theirs.
    """
    return actor.role not in PORTAL_ROLES or actor.role in providers
