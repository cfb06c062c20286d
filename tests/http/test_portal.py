"""The young person's own pages over HTTP: links, sessions apart from staff's, 404 for others."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Actor
from journey.pages import csrf_of, sign_in
from journey.service import Journey

TOKEN = re.compile(r"/my/link/([A-Za-z0-9_-]+)")


def link_for(container: Container, person_id: int, guardian_id: int | None = None) -> str:
    """A fresh sign-in link's path, minted as a message would carry it."""
    with container.uow() as uow:
        url = container.portal.mint(uow, person_id, guardian_id)
        uow.commit()
    found = TOKEN.search(url)
    assert found is not None
    return found.group(0)


def sign_in_with(client: TestClient[Litestar], path: str) -> None:
    """Open a link's page and press its button."""
    page = client.get(path)
    assert page.status_code == 200
    answer = client.post(path, data={"_csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303


class TestSession:
    """A link opens the person's own pages, and nothing else."""

    def test_link_opens_the_journey_and_only_it(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """Signed in by link: own case 200; another person's case 404; staff pages and API
        refused; the link cannot be used twice."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        mine = journey.person(date(2004, 3, 1), email="alix@example.org")
        other = journey.person(date(2004, 3, 1), first_name="Sacha", email="sacha@example.org")
        my_case, other_case = journey.open(mine), journey.open(other)
        path = link_for(container, mine)
        sign_in_with(client, path)
        mine_page = client.get(f"/my/cases/{my_case}")
        assert (mine_page.status_code, mine_page.headers["cache-control"]) == (200, "no-store")
        assert client.get(f"/my/cases/{other_case}").status_code == 404
        staff = client.get("/app/cases", follow_redirects=False)
        assert (
            staff.status_code,
            staff.headers["location"],
        ) == (303, "/app/sign-in?next=/app/cases")
        assert client.get(f"/api/v1/cases/{my_case}").status_code == 401
        again = client.get(path)
        assert again.status_code == 410
        assert "déjà servi" in again.text


MINOR_BIRTH = date(2008, 3, 1)  # 18 on 1 March 2026; the tests' clock starts on 5 January 2026


def _form_token(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


class TestLinks:
    """A link works once, for a while; its clear pages; the brake on asking for links."""

    def test_expired_link_answers_a_clear_page(
        self,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
        clock: ManualClock,
    ) -> None:
        """31 minutes later (30 by default) the link's page says it expired, in French."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        path = link_for(container, journey.person(email="alix@example.org"))
        clock.advance(timedelta(minutes=31))
        page = client.get(path)
        assert (page.status_code, "Ce lien a expiré" in page.text) == (410, True)
        assert "/my/sign-in" in page.text
        pressed = client.post(path, data={"_csrf": client.cookies["ipm_portal_csrf"]})
        assert (pressed.status_code, "ipm_portal" in client.cookies) == (410, False)

    def test_unknown_link_and_english_page(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """A made-up token is a clear 404 page; an English speaker's used link says so in
        English."""
        assert client.get("/my/link/not-a-real-token").status_code == 404
        journey = Journey(container, Actor.of(users["advisor_a"]))
        path = link_for(container, journey.person(email="sam@example.org", language="en"))
        sign_in_with(client, path)
        again = client.get(path)
        assert (again.status_code, "This link was already used" in again.text) == (410, True)

    def test_link_requests_are_braked(
        self, client: TestClient[Litestar], users: dict[str, User]
    ) -> None:
        """Three requests a quarter of an hour per client and address; the fourth is a 429."""
        token = csrf_of(client.get("/my/sign-in").text)
        codes = [
            client.post("/my/sign-in", data={"_csrf": token, "address": a}).status_code
            for a in ("a@example.org", "b@example.org", "c@example.org", "d@example.org")
        ]
        assert codes == [200, 200, 200, 429]

    def test_staff_session_opens_no_portal_page(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """A signed-in advisor has no portal session: /my leads to the portal's sign-in."""
        sign_in(client, container, users["advisor_a"])
        answer = client.get("/my/journey", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/my/sign-in")


class TestGuardian:
    """A minor's guardian signs in the same way, until the young person turns 18."""

    def test_guardian_access_ends_at_18(
        self,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
        clock: ManualClock,
    ) -> None:
        """Before the birthday the guardian sees the journey; on it, the open session no
        longer works and a new link answers the 'access ended' page."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        pid = journey.person(MINOR_BIRTH, email="alix@example.org")
        gid = journey.guardian(pid, email="parent@example.org")
        cid = journey.open(pid)
        container.portal.session_lifetime = timedelta(days=400)
        sign_in_with(client, link_for(container, pid, gid))
        page = client.get(f"/my/cases/{cid}")
        assert (page.status_code, "Vous suivez le parcours de Alix" in page.text) == (200, True)
        clock.set(datetime(2026, 2, 28, 22, 59, tzinfo=UTC))  # 23:59 in Paris: still 17
        assert client.get(f"/my/cases/{cid}").status_code == 200
        clock.set(datetime(2026, 2, 28, 23, 0, tzinfo=UTC))  # midnight in Paris: 18
        ended = client.get(f"/my/cases/{cid}", follow_redirects=False)
        assert (ended.status_code, ended.headers["location"]) == (303, "/my/sign-in")
        refused = client.get(link_for(container, pid, gid))
        assert (refused.status_code, "Cet accès est terminé" in refused.text) == (403, True)
        assert client.get(link_for(container, pid)).status_code == 200  # the young person's own

    def test_consent_of_a_minor_is_the_guardians(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """The minor may not give consent (403); the guardian does, and their own, recorded as
        the guardian's."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        pid = journey.person(MINOR_BIRTH, email="alix@example.org", phone="+33612345678")
        gid = journey.guardian(pid, email="parent@example.org")
        cid = journey.open(pid)
        sign_in_with(client, link_for(container, pid))
        token = _form_token(client.get("/my/preferences").text)
        refused = client.post(
            "/my/preferences",
            data={"_csrf": token, "consents": "email,sms", "consent_email": "yes"},
        )
        assert refused.status_code == 403
        client.cookies.clear()
        sign_in_with(client, link_for(container, pid, gid))
        token = _form_token(client.get("/my/preferences").text)
        saved = client.post(
            "/my/preferences",
            data={
                "_csrf": token,
                "consents": "email,sms",
                "consent_email": "yes",
                "consent_sms": "yes",
                "guardian_consent_email": "yes",
                "guardian_consent_sms": "yes",
            },
        )
        assert saved.status_code == 200
        person = container.people.get(pid)
        assert (person.consent_sms, person.consent_sms_source) == (True, "guardian")
        [guardian] = container.person_records.guardians_of(pid)
        assert (guardian.consent_sms, guardian.consent_source) == (True, "guardian")
        expected = [
            ("guardian_changed", f"guardian:{gid}", "guardian"),
            ("person_changed", f"guardian:{gid}", "guardian"),
        ]
        assert expected == [(e.kind, e.actor, e.role) for e in journey.history(cid)[-2:]]
        # The consent records name the guardian as the giver, through their pages (e-mail
        # consent was given at registration already: only SMS moved).
        events = container.privacy.consents(pid, Actor.of(users["advisor_a"]))
        given = {
            (e.purpose, e.granted, e.method, e.given_by, e.guardian_id)
            for e in events
            if e.recorded_by == f"guardian:{gid}"
        }
        assert {("sms", True, "portal", "guardian", gid)} == given


class TestPreferences:
    """An adult changes their own channel, language and consent."""

    def test_preferences_are_recorded_as_the_young_persons(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """SMS preferred, English, SMS consent given: stored with source young_person, in the
        case's history with the actor young_person; the page now speaks English."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        pid = journey.person(date(2004, 3, 1), email="alix@example.org", phone="+33612345678")
        cid = journey.open(pid)
        sign_in_with(client, link_for(container, pid))
        token = _form_token(client.get("/my/preferences").text)
        client.post(
            "/my/preferences",
            data={
                "_csrf": token,
                "preferred_channel": "sms",
                "language": "en",
                "consents": "email,sms",
                "consent_email": "yes",
                "consent_sms": "yes",
            },
        )
        person = container.people.get(pid)
        expected = ("sms", "en", True, "young_person", True)
        actual = (
            person.preferred_channel,
            person.language,
            person.consent_sms,
            person.consent_sms_source,
            person.consent_email,
        )
        assert expected == actual
        entry = journey.history(cid)[-1]
        assert ("person_changed", f"young_person:{pid}", "young_person") == (
            entry.kind,
            entry.actor,
            entry.role,
        )
        assert "How to reach you" in client.get("/my/preferences").text
