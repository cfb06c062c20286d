"""Who a reminder goes to: addresses, channel, language and time zone of each recipient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ipm_workflow.domain.cases import ADULT_AGE, Case, age_on
from ipm_workflow.domain.people import MissionLocale, Person, User
from ipm_workflow.services.messages import ChannelName, DeliveryPolicy


@dataclass(frozen=True)
class Route:
    """Where one message goes."""

    channel: ChannelName
    to: tuple[str, ...]
    language: str
    timezone: str


@dataclass(frozen=True)
class Audience:
    """The people around a case who may receive its reminders."""

    case: Case
    person: Person
    advisor: User | None
    mission_locale: MissionLocale
    supervisors: list[User]


def _person_route(
    email: str | None, phone: str | None, person: Person, policy: DeliveryPolicy
) -> Route:
    # Consent and preference decide; with neither channel allowed the message stays in-app.
    can_sms = policy.sms_enabled and person.consent_sms and bool(phone)
    can_email = person.consent_email and bool(email)
    if can_sms and (person.preferred_channel == "sms" or not can_email):
        return Route("sms", (phone or "",), person.language, person.timezone)
    if can_email:
        return Route("email", (email or "",), person.language, person.timezone)
    return Route("in_app", (), person.language, person.timezone)


def _staff(emails: list[str | None], timezone: str = "Europe/Paris") -> Route:
    found = tuple(e for e in emails if e)
    return Route("email", found, "fr", timezone) if found else Route("in_app", (), "fr", timezone)


def _young_person(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    person = audience.person
    return _person_route(person.email, person.phone, person, policy)


def _guardian(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    person = audience.person
    if person.birth_date is not None and age_on(person.birth_date, on) >= ADULT_AGE:
        return "no guardian to inform: the young person is an adult"
    if not (person.guardian_email or person.guardian_phone):
        return "no guardian contact recorded"
    return _person_route(person.guardian_email, person.guardian_phone, person, policy)


def _advisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    if audience.advisor is None:
        return "no advisor assigned to the case"
    return _staff([audience.advisor.email], audience.advisor.timezone)


def _supervisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    if policy.supervisor_email:
        return _staff([policy.supervisor_email])
    return _staff([u.email for u in audience.supervisors])


def _ml_advisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    return _staff([audience.mission_locale.contact_email])


def _finance(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    if not policy.finance_email:
        return "no finance address configured (IPM_FINANCE_EMAIL)"
    return _staff([policy.finance_email])


def _host(audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    contact = audience.case.data.get("host_email")
    return _staff([contact if isinstance(contact, str) else None])


_ROUTERS = {
    "young_person": _young_person,
    "guardian": _guardian,
    "advisor": _advisor,
    "supervisor": _supervisor,
    "ml_advisor": _ml_advisor,
    "finance": _finance,
    "host": _host,
}


def route(recipient: str, audience: Audience, on: date, policy: DeliveryPolicy) -> Route | str:
    """Return the route of a recipient on a day, or why nobody is to be reached."""
    router = _ROUTERS.get(recipient)
    if router is None:
        return f"unknown recipient '{recipient}'"
    return router(audience, on, policy)
