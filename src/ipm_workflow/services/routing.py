"""Who a reminder goes to: addresses, channel, language and time zone of each recipient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from ipm_workflow.domain.cases import ADULT_AGE, Case, age_on
from ipm_workflow.domain.people import Guardian, MissionLocale, Person, User
from ipm_workflow.domain.reminder_rules import FIELD_RECIPIENT
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
    # Who receives it, named for people (staff by name and role, a young person by reference):
    # shown in the reminder list, the preview and the sandbox outbox, in-app messages included.
    addressee: str = ""


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
    guardians: Sequence[Guardian] = ()
    # The channel the reminder's rule tries first for the young person (the survey's order).
    channel: str | None = None


def _person_route(
    email: str | None,
    phone: str | None,
    person: Person | Guardian,
    policy: DeliveryPolicy,
    *,
    named: str,
    channel: str | None = None,
) -> Route:
    # Consent and preference decide (a rule's channel before the person's preference); with
    # neither channel allowed the message stays in-app.
    can_sms = policy.sms_enabled and person.consent_sms and bool(phone)
    can_email = person.consent_email and bool(email)
    lang, tz = person.language, getattr(person, "timezone", "Europe/Paris")
    preferred = channel or person.preferred_channel
    if can_sms and (preferred == "sms" or not can_email):
        return Route("sms", (phone or "",), lang, tz, addressee=named)
    if can_email:
        return Route("email", (email or "",), lang, tz, addressee=named)
    return Route("in_app", (), lang, tz, addressee=named)


def _staff(
    emails: list[str | None],
    named: str,
    missing: str | None = None,
    timezone: str = "Europe/Paris",
) -> Route | str:
    # Staff get e-mail where they have an address; users without one still see the reminder
    # in-app (their agenda); an outside contact without one (`missing` says why) is not reached.
    found = tuple(e for e in emails if e)
    if found:
        return Route("email", found, "fr", timezone, addressee=named)
    return missing if missing else Route("in_app", (), "fr", timezone, addressee=named)


Found = Route | NotNeeded | str


def _young_person(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    # Without a contact the message still reaches the young person in-app, on their case.
    person = audience.person
    named = f"young person (person {person.id})"
    return _person_route(
        person.email, person.phone, person, policy, named=named, channel=audience.channel
    )


def _guardian(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    # The guardians speak for the young person while a minor on the day the message goes out;
    # those with parental authority come first, and all who share their channel are reached.
    person = audience.person
    if person.birth_date is not None and age_on(person.birth_date, on) >= ADULT_AGE:
        return NotNeeded("no guardian to inform: the young person is an adult")
    if not audience.guardians:
        return "no guardian contact recorded"
    routes = [
        _person_route(g.email, g.phone, g, policy, named=f"guardian (of person {person.id})")
        for g in sorted(audience.guardians, key=lambda g: not g.parental_authority)
    ]
    reachable = [r for r in routes if r.to]
    if not reachable:
        return "no guardian may be reached (no consent for any channel with a contact)"
    first = reachable[0]
    to = tuple(dict.fromkeys(a for r in reachable if r.channel == first.channel for a in r.to))
    return replace(first, to=to, timezone=person.timezone)


def _advisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    if audience.advisor is None:
        return "no advisor assigned to the case"
    advisor = audience.advisor
    return _staff([advisor.email], f"{advisor.display_name} (advisor)", timezone=advisor.timezone)


def _supervisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    if policy.supervisor_email:
        return _staff([policy.supervisor_email], "supervisors (shared address)")
    supervisors = audience.supervisors()
    if not supervisors:
        return "no supervisor in the directory"
    named = ", ".join(u.display_name for u in supervisors) + " (supervisor)"
    return _staff([u.email for u in supervisors], named)


def _ml_advisor(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    ml = audience.mission_locale
    if audience.case.ml_contact_email:
        # The mission locale's own advisor on the case receives what is meant for the ML.
        named = f"{ml.name} (the mission locale's advisor on the case)"
        return _staff([audience.case.ml_contact_email], named)
    return _staff([ml.contact_email], f"{ml.name} (mission locale contact)")


def _finance(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    missing = "no finance address configured (IPM_FINANCE_EMAIL)"
    return _staff([policy.finance_email], "finance", missing)


def _host(audience: Audience, on: date, policy: DeliveryPolicy) -> Found:
    contact = audience.case.data.get("host_email")
    missing = "no host e-mail (host_email) recorded on the case"
    named = f"host (of case {audience.case.id})"
    return _staff([contact if isinstance(contact, str) else None], named, missing)


# Recipients taken from the case's data (`recipients: [{field: host_contact_email}]`): an
# accompanying person, an external operator, a host contact. The lint lets only e-mail and
# phone fields be named; like an outside contact, one without a value is not reached.
def _from_case_data(name: str, audience: Audience, policy: DeliveryPolicy) -> Found:
    value = audience.case.data.get(name)
    if not isinstance(value, str) or not value.strip():
        return f"no {name} recorded on the case"
    if "@" in value:
        return Route("email", (value,), "fr", "Europe/Paris")
    if policy.sms_enabled:
        return Route("sms", (value,), "fr", "Europe/Paris")
    return f"{name} is a phone number and SMS is not enabled"


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
    if recipient.startswith(FIELD_RECIPIENT):
        found: Found = _from_case_data(recipient.removeprefix(FIELD_RECIPIENT), audience, policy)
    else:
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
