"""The young person's own pages: single-use sign-in links, portal sessions, who is signed in.

A link is a random token sent by e-mail or SMS; only its SHA-256 is stored, with the person
(and, for a guardian, the guardian) it is bound to, the page it opens, and its expiry. Using it
opens a portal session (a cookie, stored as a SHA-256 too), apart from staff sessions. A
guardian's link and session work only while the young person is a minor on the case clock's
day (the sandbox's clock included); links and sessions themselves expire in real time.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import structlog

from ipm_workflow.domain import policy
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.policy import Action, Actor
from ipm_workflow.services.case_store import CaseStore
from ipm_workflow.services.credentials import secret_digest
from ipm_workflow.services.messages import ChannelName, Message
from ipm_workflow.services.people import visible_person
from ipm_workflow.services.portal_links import (
    HOME,
    LINK_MESSAGE,
    LINK_PATH,
    REMINDER_LINK,
    TOKEN_MAX,
    LinkOutcome,
    PortalSession,
    Redeemed,
    minor,
    normalised_address,
    safe_target,
)
from ipm_workflow.services.portal_ports import (
    Addressee,
    LinkRecord,
    PortalSessionRecord,
)
from ipm_workflow.services.ports import Clock, UnitOfWork

log = structlog.get_logger("ipm_workflow.portal")


class PortalService:
    """Sign-in links and sessions of young people and guardians on their own pages."""

    def __init__(
        self,
        store: CaseStore,
        real_clock: Clock,
        *,
        link_lifetime: timedelta,
        reminder_link_lifetime: timedelta,
        session_lifetime: timedelta,
        public_url: str,
    ) -> None:
        self.store = store
        self.uow = store.uow
        # Links and sessions expire in real time, even in a sandbox whose clock moves forward;
        # a person's age is read on the case clock's day (store.today()).
        self.clock = real_clock
        self.link_lifetime = link_lifetime
        self.reminder_link_lifetime = reminder_link_lifetime
        self.session_lifetime = session_lifetime
        self.public_url = public_url.rstrip("/")

    def _reaches(self, uow: UnitOfWork, person_id: int, guardian_id: int | None) -> bool:
        """Whether this person (or guardian of theirs) may use the pages today."""
        try:
            person = uow.people.get(person_id)
        except NotFound:
            return False
        if person.merged_into_id is not None or person.pseudonymised_at is not None:
            return False
        if guardian_id is None:
            return True
        if not any(g.id == guardian_id for g in uow.guardians.of(person_id)):
            return False
        return minor(person.birth_date, self.store.today())

    # Links.
    def mint(
        self,
        uow: UnitOfWork,
        person_id: int,
        guardian_id: int | None = None,
        target: str = HOME,
        lifetime: timedelta | None = None,
    ) -> str:
        """Store a new single-use link inside the caller's transaction; return its URL."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        record = LinkRecord(
            secret_digest(token),
            person_id,
            guardian_id,
            safe_target(target),
            now,
            now + (self.link_lifetime if lifetime is None else lifetime),
        )
        uow.portal.add_link(record)
        return f"{self.public_url}{LINK_PATH}{token}"

    def hand_link(
        self,
        person_id: int,
        actor: Actor,
        guardian_id: int | None = None,
        lifetime: timedelta | None = None,
    ) -> str:
        """A link an advisor hands over in person (at the desk, on a phone's screen), for a
        young person they follow or a guardian of a minor; its URL. The same single-use link as
        a message's, valid a reminder link's lifetime unless told. Raises Forbidden for a role
        that does no case work, NotFound for a person the actor does not see (or a guardian
        who may not sign in: not theirs, or the young person is an adult)."""
        policy.require(actor, Action.PEOPLE_UPDATE)
        with self.uow() as uow:
            visible_person(uow, person_id, actor)
            if not self._reaches(uow, person_id, guardian_id):
                raise NotFound("no such guardian of a minor")
            url = self.mint(
                uow, person_id, guardian_id, lifetime=lifetime or self.reminder_link_lifetime
            )
            uow.commit()
        log.info("portal_link_handed", person_id=person_id, for_guardian=guardian_id is not None)
        return url

    def addressees(self, raw_address: str) -> list[Addressee]:
        """Who an e-mail address or phone number belongs to (young people, guardians of minors
        today); empty for an unknown or malformed one."""
        address = normalised_address(raw_address)
        if address is None:
            return []
        with self.uow(readonly=True) as uow:
            found = uow.portal.addressees(address)
            return [a for a in found if self._reaches(uow, a.person_id, a.guardian_id)]

    def link_message(self, addressee: Addressee, target: str = HOME) -> Message:
        """Mint a link for someone and write the message that carries it (e-mail, else SMS)."""
        with self.uow() as uow:
            url = self.mint(uow, addressee.person_id, addressee.guardian_id, target)
            case_ids = uow.people.case_ids_of(addressee.person_id)
            uow.commit()
        lang = addressee.language if addressee.language in LINK_MESSAGE else "fr"
        subject, body = LINK_MESSAGE[lang]
        minutes = int(self.link_lifetime.total_seconds() // 60)
        channel: ChannelName = "email" if addressee.email else "sms"
        to = addressee.email or addressee.phone or ""
        who = f"guardian (of person {addressee.person_id})" if addressee.guardian_id else None
        log.info("portal_link_sent", person_id=addressee.person_id, guardian=bool(who))
        return Message(
            0,
            max(case_ids, default=0),
            channel,
            (to,),
            subject,
            body.format(url=url, minutes=minutes),
            f"<portal-{secrets.token_hex(8)}@ipm-workflow>",
            lang,
            addressee=who or f"young person (person {addressee.person_id})",
        )

    def reminder_footer(
        self, uow: UnitOfWork, person_id: int, guardian_id: int | None, case_id: int, lang: str
    ) -> str:
        """The sign-in link a reminder to a young person or guardian ends with (its own link,
        valid longer than a requested one: a reminder is read hours later)."""
        url = self.mint(
            uow, person_id, guardian_id, f"{HOME}/cases/{case_id}", self.reminder_link_lifetime
        )
        return REMINDER_LINK.get(lang, REMINDER_LINK["fr"]).format(url=url)

    def _outcome(self, uow: UnitOfWork, link: LinkRecord | None, now: datetime) -> LinkOutcome:
        if link is None:
            return LinkOutcome.UNKNOWN
        if link.used_at is not None:
            return LinkOutcome.USED
        if link.expires_at <= now:
            return LinkOutcome.EXPIRED
        if not self._reaches(uow, link.person_id, link.guardian_id):
            return LinkOutcome.ENDED
        return LinkOutcome.SIGNED_IN

    def peek(self, token: str) -> LinkOutcome:
        """What opening a link would give now, without using it (SIGNED_IN: it would work)."""
        if not token or len(token) > TOKEN_MAX:
            return LinkOutcome.UNKNOWN
        with self.uow(readonly=True) as uow:
            return self._outcome(uow, uow.portal.link(secret_digest(token)), self.clock.now())

    def sign_in_footer(self, lang: str) -> str:
        """The link to ask for one's own sign-in link (a message several people share)."""
        url = f"{self.public_url}/my/sign-in?lang={lang if lang in LINK_MESSAGE else 'fr'}"
        return REMINDER_LINK.get(lang, REMINDER_LINK["fr"]).format(url=url)

    def redeem(self, token: str) -> Redeemed:
        """Open a session with a link: once, before it expires, while its holder may sign in."""
        if not token or len(token) > TOKEN_MAX:
            return Redeemed(LinkOutcome.UNKNOWN)
        now = self.clock.now()
        with self.uow() as uow:
            link = uow.portal.link(secret_digest(token))
            outcome = self._outcome(uow, link, now)
            if link is not None and outcome is LinkOutcome.SIGNED_IN:
                if not uow.portal.use_link(link.id, now):
                    log.info("portal_link_refused", outcome="used")
                    return Redeemed(LinkOutcome.USED)  # another tab used it a moment ago
                session = self._open(uow, link.person_id, link.guardian_id)
                # Links and sessions expired a day ago go (kept a day for the "used" page).
                uow.portal.forget_expired(now - timedelta(days=1))
                uow.commit()
                log.info("portal_signed_in", person_id=link.person_id, guardian=session.is_guardian)
                return Redeemed(outcome, session, link.target)
        log.info("portal_link_refused", outcome=outcome.value)
        return Redeemed(outcome)

    # Sessions.
    def _language(self, uow: UnitOfWork, person_id: int, guardian_id: int | None) -> str:
        if guardian_id is not None:
            for guardian in uow.guardians.of(person_id):
                if guardian.id == guardian_id:
                    return guardian.language
        return uow.people.get(person_id).language

    def _open(self, uow: UnitOfWork, person_id: int, guardian_id: int | None) -> PortalSession:
        cookie = secrets.token_urlsafe(32)
        now = self.clock.now()
        record = PortalSessionRecord(
            secret_digest(cookie),
            person_id,
            guardian_id,
            secrets.token_urlsafe(32),
            now,
            now + self.session_lifetime,
        )
        uow.portal.add_session(record)
        language = self._language(uow, person_id, guardian_id)
        actor = policy.portal_actor(person_id, guardian_id)
        return PortalSession(record, actor, language, cookie)

    def session(self, cookie: str) -> PortalSession | None:
        """The live session of a cookie's value, or None (unknown, expired, a guardian's once
        the young person is of age, a person merged or pseudonymised)."""
        if not cookie or len(cookie) > TOKEN_MAX:
            return None
        with self.uow(readonly=True) as uow:
            record = uow.portal.session(secret_digest(cookie))
            if record is None or record.expires_at <= self.clock.now():
                return None
            if not self._reaches(uow, record.person_id, record.guardian_id):
                return None
            language = self._language(uow, record.person_id, record.guardian_id)
        actor = policy.portal_actor(record.person_id, record.guardian_id)
        return PortalSession(record, actor, language)

    def sign_out(self, cookie: str) -> None:
        """Forget a session."""
        with self.uow() as uow:
            uow.portal.delete_session(secret_digest(cookie))
            uow.commit()
