"""Young people, the missions locales that refer them, and the users who act on cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ipm_workflow.domain import profile, text
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
    # Consent per channel: when it was given or withdrawn, and how we know (form, phone call…).
    consent_email_at: datetime | None = None
    consent_email_source: str | None = None
    consent_sms_at: datetime | None = None
    consent_sms_source: str | None = None
    # The profile at entry (domain/profile.py says which funder asks for each).
    gender: str | None = None
    commune_insee: str | None = None
    departement: str | None = None
    qpv: str = "unknown"
    rural: str = "unknown"
    education_level: str | None = None
    situation_at_entry: str | None = None
    imilo_id: str | None = None
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


@dataclass
class Guardian:
    """A legal guardian of a young person: reached while the young person is a minor."""

    id: int | None
    person_id: int
    name: str
    link: str = "legal_guardian"  # profile.GuardianLink
    parental_authority: bool = True
    email: str | None = None
    phone: str | None = None
    language: str = "fr"
    preferred_channel: str = "email"
    consent_email: bool = True
    consent_sms: bool = False
    consent_at: datetime | None = None
    consent_source: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


CHANNELS = ("email", "sms")
CONSENT_SOURCE_MAX = 100


def _channel(value: str) -> str:
    if value not in CHANNELS:
        raise ValueError(f"expected one of {', '.join(CHANNELS)}")
    return value


def _consent_source(value: str) -> str:
    return text.single_line(value, CONSENT_SOURCE_MAX)


def _departement(value: str) -> str:
    code = text.single_line(value, 3).upper()
    if not (len(code) == 2 and (code.isdigit() or code in ("2A", "2B"))) and not (
        len(code) == 3 and code.startswith("97") and code.isdigit()
    ):
        raise ValueError("expected a département code, such as '75', '2A' or '974'")
    return code


def _enum(values: type[StrEnum]) -> Callable[[str], str]:
    def rule(value: str) -> str:
        if value not in {v.value for v in values}:
            raise ValueError(f"expected one of {', '.join(v.value for v in values)}")
        return value

    return rule


# Names, contacts and profile of a person, each with its rule (see domain/text.py).
PERSON_RULES: dict[str, Callable[[str], str]] = {
    "first_name": text.name,
    "last_name": text.name,
    "email": text.email_address,
    "phone": text.phone_number,
    "language": text.language_code,
    "timezone": text.timezone_name,
    "preferred_channel": _channel,
    "consent_email_source": _consent_source,
    "consent_sms_source": _consent_source,
    "gender": _enum(profile.Gender),
    "commune_insee": text.insee_code,
    "departement": _departement,
    "qpv": _enum(profile.Territory),
    "rural": _enum(profile.Territory),
    "education_level": _enum(profile.EducationLevel),
    "situation_at_entry": _enum(profile.SituationAtEntry),
    "imilo_id": text.imilo_id,
}
GUARDIAN_RULES: dict[str, Callable[[str], str]] = {
    "name": text.name,
    "link": _enum(profile.GuardianLink),
    "email": text.email_address,
    "phone": text.phone_number,
    "language": text.language_code,
    "preferred_channel": _channel,
    "consent_source": _consent_source,
}
# What a person's profile holds (recorded at referral, correctable with history).
PROFILE_FIELDS = (
    "gender",
    "commune_insee",
    "departement",
    "qpv",
    "rural",
    "education_level",
    "situation_at_entry",
    "imilo_id",
)
CONTACT_FIELDS = (
    "email",
    "phone",
    "language",
    "timezone",
    "preferred_channel",
    "consent_email",
    "consent_email_at",
    "consent_email_source",
    "consent_sms",
    "consent_sms_at",
    "consent_sms_source",
)
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


def checked_guardian_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise a guardian's fields; InvalidInput naming each faulty one."""
    missing = []
    if "name" in values and values["name"] is None:
        missing.append({"field": "name", "message": "must not be empty"})
    if not (values.get("email") or values.get("phone")) and "name" in values:
        missing.append({"field": "email", "message": "a guardian needs an e-mail or a phone"})
    return text.check(GUARDIAN_RULES, values, missing)
