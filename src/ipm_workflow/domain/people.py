"""Young people, the missions locales that refer them, and the users who act on cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ipm_workflow.domain import text
from ipm_workflow.domain.policy import UserRole


@dataclass
class Person:
    """A young person (personal data: never logged, never in hashed history fields)."""

    id: int | None
    first_name: str
    last_name: str
    birth_date: date | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "fr"
    timezone: str = "Europe/Paris"
    preferred_channel: str = "email"
    consent_email: bool = True
    consent_sms: bool = False
    guardian_email: str | None = None
    guardian_phone: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    pseudonymised_at: datetime | None = None
    merged_into_id: int | None = None
    registered_by: str | None = None  # the registering actor's reference


@dataclass(frozen=True)
class Cohort:
    """A group of young people leaving together on one workflow."""

    id: int | None
    code: str
    label: str
    workflow: str
    planned_start: date | None = None
    planned_end: date | None = None
    created_by: str | None = None  # the creating actor's reference


@dataclass(frozen=True)
class MissionLocale:
    """A local youth-employment agency that refers young people."""

    id: str
    name: str
    departement: str | None = None
    contact_email: str | None = None


@dataclass(frozen=True)
class User:
    """An advisor, supervisor or admin, with the missions locales they work for."""

    id: int
    username: str
    display_name: str
    role: UserRole
    mission_locales: frozenset[str] = field(default_factory=frozenset)
    active: bool = True
    email: str | None = None
    timezone: str = "Europe/Paris"
    language: str = "fr"  # of the web pages

    @property
    def actor(self) -> str:
        """Return the reference stored in history entries (an id, never a name)."""
        return f"user:{self.id}"


# Names and contacts of a person, each with its rule (see domain/text.py).
PERSON_RULES = {
    "first_name": text.name,
    "last_name": text.name,
    "email": text.email_address,
    "phone": text.phone_number,
    "guardian_email": text.email_address,
    "guardian_phone": text.phone_number,
}
_REQUIRED = ("first_name", "last_name")


def checked_person_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise a person's names and contacts (others pass through); InvalidInput
    naming each faulty field, including a name set to None."""
    missing = [
        {"field": k, "message": "must not be empty"}
        for k in _REQUIRED
        if k in values and values[k] is None
    ]
    return text.check(PERSON_RULES, values, missing)


def checked_person(person: Person) -> Person:
    """Return the person with names and contacts checked and normalised (InvalidInput if not)."""
    fields = checked_person_fields({k: getattr(person, k) for k in PERSON_RULES})
    for key, value in fields.items():
        setattr(person, key, value)
    return person
