"""The young person's own pages on a phone (Chromium, 390×844), in the training sandbox: the
link at the end of a reminder signs them in; an expired and a used link give their clear pages;
a minor's guardian signs in, sends the travel authorisation, and loses access on the young
person's 18th birthday (the sandbox's clock moved by the trainer). Every page: 0 serious or
critical axe violations."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from browser.conftest import Visitor, WebServer
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import ROOT, Settings
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.policy import Actor
from ipm_workflow.services.commands import OpenCase

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/my/link/[A-Za-z0-9_-]+)")
# Set to write the README's screenshot of the journey page on a phone (docs/).
DOCS_SHOT = os.environ.get("IPM_DOCS_SCREENSHOTS", "") == "1"


def _database(server: WebServer) -> str:
    return server.env["IPM_SANDBOX_DATABASE_URL"]


@pytest.fixture
def sandbox(sandbox_server: WebServer) -> Iterator[Container]:
    """The sandbox's services in this process, on the server's database and clock."""
    settings = Settings(
        sandbox=True, sandbox_database_url=_database(sandbox_server), log_format="json"
    )
    built = bootstrap(settings)
    yield built
    built.close()


@pytest.fixture
def phone(browser: Any, sandbox_server: WebServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Make phone-sized visitors of the sandbox server."""
    contexts: list[Any] = []

    def make() -> Visitor:
        context = browser.new_context(locale="fr-FR", **PHONE)
        context.set_default_timeout(60_000)
        contexts.append(context)
        name = f"{request.node.name}-{len(contexts)}"
        return Visitor(context.new_page(), sandbox_server, name)

    yield make
    for context in contexts:
        context.close()


def _move_clock(visitor: Visitor, duration: str) -> None:
    """The trainer moves the sandbox's clock on its page (the worker runs what fell due)."""
    visitor.goto("/app/sandbox/clock")
    visitor.page.get_by_label(re.compile("Durée")).fill(duration)
    visitor.page.get_by_role("button", name="Avancer l'horloge", exact=True).click()
    visitor.page.wait_for_load_state()


def _reminder_links(server: WebServer) -> list[str]:
    """Sign-in links at the end of the reminders the sandbox captured, newest first."""
    path = _database(server).removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        bodies = [
            row[0]
            for row in conn.execute(
                "SELECT body FROM sandbox_outbox WHERE reminder_id > 0 ORDER BY id DESC"
            )
        ]
    return [found.group(1) for body in bodies if (found := LINK.search(body))]


def _mint(sandbox: Container, person_id: int, guardian_id: int | None = None, **kw: Any) -> str:
    with sandbox.uow() as uow:
        url = sandbox.portal.mint(uow, person_id, guardian_id, **kw)
        uow.commit()
    found = LINK.search(url)
    assert found is not None
    return found.group(1)


def _pdf(visitor: Visitor) -> bytes:
    """A one-page PDF printed by the browser (a fictitious travel authorisation)."""
    page = visitor.page.context.new_page()
    page.set_content("<h1>Autorisation de sortie du territoire (test)</h1>")
    printed: bytes = page.pdf(width="148mm", height="105mm")
    page.close()
    return printed


def _open(visitor: Visitor, path: str) -> None:
    """Open a link and press its button, as one does from a message."""
    visitor.goto(path)
    visitor.check("link")
    visitor.page.get_by_role("button", name="Ouvrir mon espace").click()
    visitor.page.wait_for_load_state()


class TestPortalOnAPhone:
    """From a message to the journey page, on a phone."""

    def test_reminder_link_signs_in_and_shows_the_journey(
        self, phone: Any, visit_trainer: Visitor, sandbox_server: WebServer
    ) -> None:
        """Two weeks on, the reminders to young people end with a link; it opens the journey
        in plain words (no state name); used again, it says so."""
        _move_clock(visit_trainer, "P14D")
        links = _reminder_links(sandbox_server)
        assert links, "no reminder with a link in the sandbox's outbox"
        young = phone()
        _open(young, links[0])
        assert "/my/cases/" in young.page.url
        assert young.page.get_by_role("heading", name="Où tu en es").is_visible()
        text = young.page.locator("main").inner_text()
        assert not re.search(r"\b(REFERRED|CONTACTED|ASSESSED|SELECTED|CONTRACTED)\b", text)
        shot = young.screenshot("journey", full_page=True)
        young.check("journey")
        if DOCS_SHOT:
            shutil.copy(shot, ROOT / "docs" / "portal-journey-phone.png")
        again = phone()
        again.goto(links[0])
        assert again.page.get_by_role("heading", name="Ce lien a déjà servi").is_visible()
        again.check("used")

    def test_expired_link_has_its_clear_page(
        self, phone: Any, sandbox: Container, sandbox_server: WebServer
    ) -> None:
        """A link past its time answers a page that says so and offers a new one."""
        person = sandbox.people.get(1)
        assert person.id is not None
        visitor = phone()
        visitor.goto(_mint(sandbox, person.id, lifetime=timedelta(0)))
        assert visitor.page.get_by_role("heading", name="Ce lien a expiré").is_visible()
        assert visitor.page.get_by_role("link", name="Demander un nouveau lien").is_visible()
        visitor.check("expired")

    def test_guardian_until_the_18th_birthday(
        self, phone: Any, visit_trainer: Visitor, sandbox: Container
    ) -> None:
        """A guardian of a minor signs in and sees the journey; the trainer moves the clock past
        the birthday: the guardian's page ends and a new link says the access has ended."""
        today = sandbox.cases.today()
        birth = date(today.year - 18, today.month, today.day) + timedelta(days=10)
        advisor = Actor.of(sandbox.people.user_by_name("demo.advisor1"))
        person = sandbox.people.register(
            Person(None, "Noa", "Mineur", birth, "noa.mineur@example.org"), advisor
        ).person
        assert person.id is not None
        guardian = sandbox.person_records.add_guardian(
            person.id, {"name": "Dominique Mineur", "email": "parent@example.org"}, advisor
        )
        opening = {"cv_attached": True, "privacy_notice_given": True}
        case = sandbox.cases.open_case(
            OpenCase(person.id, "erasmus_vet_long", "ml-saint-etienne", advisor.user_id, opening),
            advisor,
        )
        parent = phone()
        _open(parent, _mint(sandbox, person.id, guardian.id))
        assert "Vous suivez le parcours de Noa" in parent.page.locator("main").inner_text()
        parent.check("guardian-journey")
        # The guardian sends the travel authorisation (AST) a minor needs: theirs to provide.
        parent.goto(f"/my/cases/{case.id}/documents")
        card = parent.page.locator("section[aria-labelledby='doc-ast']")
        card.get_by_label("Photo ou PDF").set_input_files(
            {"name": "ast.pdf", "mimeType": "application/pdf", "buffer": _pdf(parent)}
        )
        card.get_by_role("button", name="Envoyer").click()
        parent.page.wait_for_load_state()
        assert parent.page.get_by_role("status").inner_text().startswith("Merci")
        parent.check("guardian-upload")
        [upload] = sandbox.uploads.files_of_person(person.id)
        assert (upload.document, upload.uploaded_role) == ("ast", "guardian")
        _move_clock(visit_trainer, "P11D")
        parent.page.reload()
        parent.page.wait_for_load_state()
        assert parent.page.url.endswith("/my/sign-in")
        parent.goto(_mint(sandbox, person.id, guardian.id))
        assert parent.page.get_by_role("heading", name="Cet accès est terminé").is_visible()
        parent.check("guardian-ended")


@pytest.fixture
def visit_trainer(browser: Any, sandbox_server: WebServer) -> Iterator[Visitor]:
    """The trainer, signed in on the sandbox (desktop-sized)."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(60_000)
    trainer = Visitor(context.new_page(), sandbox_server, "trainer")
    trainer.sign_in("demo.trainer")
    yield trainer
    context.close()
