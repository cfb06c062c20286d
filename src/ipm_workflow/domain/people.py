"""Young people, the missions locales that refer them, and the users who act on cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

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

    @property
    def actor(self) -> str:
        """Return the reference stored in history entries (an id, never a name)."""
        return f"user:{self.id}"
