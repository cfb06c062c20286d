"""Who a reminder goes to: addresses, channel, language and time zone of each recipient."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
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
    # Set when the message goes to a fallback: whom it was meant for, and why not them.
    instead_of: str | None = None
    why: str | None = None


@dataclass(frozen=True)
class NotNeeded:
    """Nobody is to be reached, on purpose (not a missing contact): the reminder is skipped."""

    reason: str


@dataclass(frozen=True)
class Audience:
    """The people around a case who may receive its reminders."""

    case: Case
    person: Person
    advisor: User | None
    mission_locale: MissionLocale
    # Read only when needed (a supervisor recipient, or the last fallback): most never are.
    supervisors: Callable[[], list[User]]
    # The channel the reminder's rule tries first for the young person (the survey's order).
    channel: str | None = None


def _person_route(
    email: str | None,
    phone: str | None,
    person: Person,
    policy: DeliveryPolicy,
    channel: str | None = None,
) -> Route:
    # Consent and preference decide (a rule's channel before the person's preference); with
    # neither channel allowed the message stays in-app.
    can_sms = policy.sms_enabled and person.consent_sms and bool(phone)
    can_email = person.consent_email and bool(email)
    preferred = channel or person.preferred_channel
    if can_sms and (preferred == "sms" or not can_email):
        return Route("sms", (phone or "",), person.language, person.timezone)
    if can_email:
        return Route("email", (email or "",), person.language, person.timezone)
    return Route("in_app", (), person.language, person.timezone)


def _staff(
    emails: list[str | None], missing: str | None = None, timezone: str = "Europe/Paris"
) -> Route | str:
    # Users without an address still see the reminder in-app (their agenda); an outside
    # contact without one (`missing` says why) is not reached at all.
    found = tuple(e for e in emails if e)
    if found:
        return Route("email", found, "fr", timezone)
    return missing if missing else Route("in_app", (), "fr", timezone)


Found = Route | NotNeeded | str


def _young_person(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    # Without a contact the message still reaches the young person in-app, on their case.
    person = audience.person
    return _person_route(person.email, person.phone, person, policy, audience.channel)


def _guardian(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    person = audience.person
    if person.birth_date is not None and age_on(person.birth_date, on) >= ADULT_AGE:
        return NotNeeded("no guardian to inform: the young person is an adult")
    if not (person.guardian_email or person.guardian_phone):
        return "no guardian contact recorded"
    return _person_route(person.guardian_email, person.guardian_phone, person, policy)


def _advisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    if audience.advisor is None:
        return "no advisor assigned to the case"
    return _staff([audience.advisor.email], timezone=audience.advisor.timezone)


def _supervisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    if policy.supervisor_email:
        return _staff([policy.supervisor_email])
    supervisors = audience.supervisors()
    if not supervisors:
        return "no supervisor in the directory"
    return _staff([u.email for u in supervisors])


def _ml_advisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    return _staff([audience.mission_locale.contact_email])


def _finance(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    return _staff([policy.finance_email], "no finance address configured (IPM_FINANCE_EMAIL)")


def _host(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    contact = audience.case.data.get("host_email")
    missing = "no host e-mail (host_email) recorded on the case"
    return _staff([contact if isinstance(contact, str) else None], missing)


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
    """Return the route of a recipient on a day, a fallback's, or why nobody is to be reached.

    A recipient who cannot be found is never skipped silently: the case's advisor hears
    instead, else the supervisors; the route says whom it was meant for and why.
    """
    router = _ROUTERS.get(recipient)
    found = router(audience, on, policy) if router else f"unknown recipient '{recipient}'"
    if isinstance(found, NotNeeded):
        return found.reason
    if isinstance(found, Route):
        return found
    for fallback in ("advisor", "supervisor"):
        if fallback == recipient:
            continue
        instead = _ROUTERS[fallback](audience, on, policy)
        if isinstance(instead, Route):
            return replace(instead, instead_of=recipient, why=found)
    return f"{found}; nobody to tell instead (no advisor assigned, no supervisor)"
