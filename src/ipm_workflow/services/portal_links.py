"""What the young person's sign-in links and sessions are made of: the texts that carry a
link, the digest kept of a token or cookie, the pages a link may open, and what opening one gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ipm_workflow.domain import text
from ipm_workflow.domain.cases import ADULT_AGE, age_on
from ipm_workflow.domain.policy import Actor
from ipm_workflow.services.portal_ports import PortalSessionRecord

HOME = "/my"
LINK_PATH = "/my/link/"
TOKEN_MAX = 100

LINK_MESSAGE = {
    "fr": (
        "Ton lien pour ouvrir ton espace Ipm",
        "Bonjour,\n\nVoici ton lien pour ouvrir ton espace Ipm (ton parcours, ce qu'on attend "
        "de toi, tes rappels) :\n{url}\n\nIl marche une seule fois, pendant {minutes} minutes. "
        "Si tu n'as rien demandé, ignore ce message.\nL'équipe Ipm",
    ),
    "en": (
        "Your link to open your Ipm page",
        "Hello,\n\nHere is your link to open your Ipm page (your journey, what we expect from "
        "you, your reminders):\n{url}\n\nIt works once, for {minutes} minutes. If you did not "
        "ask for it, ignore this message.\nThe Ipm team",
    ),
}
REMINDER_LINK = {
    "fr": "\n\nVoir ton parcours et répondre à ce rappel : {url}\n",
    "en": "\n\nSee your journey and answer this reminder: {url}\n",
}


def minor(birth_date: date | None, today: date) -> bool:
    """A guardian acts on the young person's pages only while the young person is a minor
    (an unknown birth date gives no guardian access: nobody can tell they are a minor)."""
    return birth_date is not None and age_on(birth_date, today) < ADULT_AGE


class LinkOutcome(StrEnum):
    """What opening a sign-in link gave."""

    SIGNED_IN = "signed_in"
    USED = "used"  # opened before: a link works once
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    ENDED = "ended"  # a guardian's link after the young person came of age


@dataclass(frozen=True)
class PortalSession:
    """A young person or guardian signed in on their own pages (`cookie`: just opened only).

    `actor` is what every service call and history entry of the pages is made with: role
    `young_person` or `guardian`, bound to the person (policy.portal_actor).
    """

    record: PortalSessionRecord
    actor: Actor
    language: str
    cookie: str | None = None

    @property
    def person_id(self) -> int:
        """The young person whose pages these are."""
        return self.record.person_id

    @property
    def guardian_id(self) -> int | None:
        """The guardian signed in, if it is a guardian."""
        return self.record.guardian_id

    @property
    def is_guardian(self) -> bool:
        """Whether a guardian (not the young person) is signed in."""
        return self.record.guardian_id is not None

    @property
    def csrf_token(self) -> str:
        """The token every form of this session must send back."""
        return self.record.csrf_token


@dataclass(frozen=True)
class Redeemed:
    """The outcome of opening a link, with the session and the page to open when signed in."""

    outcome: LinkOutcome
    session: PortalSession | None = None
    target: str = HOME


def normalised_address(raw: str) -> str | None:
    """An e-mail address or phone number in the form it is stored in, or None if neither."""
    try:
        return text.email_address(raw) if "@" in raw else text.phone_number(raw)
    except ValueError:
        return None


def safe_target(target: str | None) -> str:
    """A page of the young person's own pages only (no open redirect, no staff page)."""
    if target and (target == HOME or target.startswith(HOME + "/")) and "\\" not in target:
        return target
    return HOME
