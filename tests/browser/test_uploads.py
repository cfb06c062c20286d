"""A document from a phone: the young person sends it, the advisor validates it, the case's
checklist and the departure's guard change."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from browser.conftest import Visitor, WebServer
from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container, bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.policy import OPERATOR_ACTOR, Actor
from journey.service import Journey

PHONE = {"width": 390, "height": 844}
DRAW_JPEG = """() => {
  const canvas = document.createElement('canvas');
  canvas.width = 240; canvas.height = 150;
  const c = canvas.getContext('2d');
  c.fillStyle = '#dfe8f5'; c.fillRect(0, 0, 240, 150);
  c.fillStyle = '#123'; c.font = '16px sans-serif';
  c.fillText('ATTESTATION (TEST)', 20, 40);
  return canvas.toDataURL('image/jpeg', 0.8).split(',')[1];
}"""


@pytest.fixture
def services(web_server: WebServer) -> Iterator[Container]:
    """The services on the server's own database, to set a case up as the advisor would."""
    settings = Settings(database_url=web_server.env["IPM_DATABASE_URL"], log_format="json")
    # The walk takes weeks: it starts in the past, so every step is behind the server's clock.
    clock = ManualClock(datetime.now(UTC) - timedelta(days=60))
    container = bootstrap(settings, clock=clock)
    yield container
    container.close()


def _preparing_case(server: WebServer, container: Container) -> int:
    """A demo advisor's unassigned case walked to PREPARING, documents still to send."""
    case_id = server.new_case()
    [advisor] = [u for u, _ in container.accounts.users() if u.username == "demo.advisor1"]
    assert isinstance(container.clock, ManualClock)
    Journey(container, Actor.of(advisor), container.clock).walk_to(case_id, "PREPARING")
    return case_id


def _generated_files(page: Any) -> tuple[bytes, bytes]:
    """A one-page PDF printed by the browser and a JPEG drawn on its canvas."""
    page.set_content("<h1>Carte d'identité (test)</h1><p>Lou Navigateur</p>")
    pdf = page.pdf(width="85mm", height="55mm")
    jpeg = base64.b64decode(page.evaluate(DRAW_JPEG))
    return pdf, jpeg


def _unmet_documents(server: WebServer, case_id: int) -> set[str]:
    """The documents the departure (confirm_ready) still waits for, by the guard's own words."""
    with server.api("demo.advisor1") as api:
        actions = api.get(f"/api/v1/cases/{case_id}/actions").json()
    ready = next(a for a in actions["actions"] if a["trigger"] == "confirm_ready")
    return {doc for u in ready["unmet"] if u["code"] == "documents_missing" for doc in u["detail"]}


def test_a_document_from_a_phone_counts_once_validated(
    browser: Any, web_server: WebServer, services: Container
) -> None:
    """Send an identity PDF and an insurance JPEG from a phone; validate both on the case page;
    the checklist says validated and the departure no longer waits for them."""
    case_id = _preparing_case(web_server, services)
    person_id = services.cases.get(case_id, OPERATOR_ACTOR).person_id
    with services.uow() as uow:
        link = services.portal.mint(uow, person_id, lifetime=timedelta(days=90))
        uow.commit()
    before = _unmet_documents(web_server, case_id)
    assert {"identity", "insurance"} == before

    phone_context = browser.new_context(
        locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone_context.set_default_timeout(60_000)
    young = Visitor(phone_context.new_page(), web_server, "uploads-phone")
    pdf, jpeg = _generated_files(young.page)
    young.goto(re.sub(r"^https?://[^/]+", "", link))
    young.page.get_by_role("button", name="Ouvrir mon espace").click()
    young.page.wait_for_load_state()
    young.page.get_by_role("link", name="Envoyer mes documents").click()
    young.page.wait_for_url(re.compile(f"/my/cases/{case_id}/documents"))
    young.check("documents-to-send")
    for document, name, content, mime in (
        ("identity", "carte.pdf", pdf, "application/pdf"),
        ("insurance", "assurance.jpg", jpeg, "image/jpeg"),
    ):
        card = young.page.locator(f"section[aria-labelledby='doc-{document}']")
        card.get_by_label("Photo ou PDF").set_input_files(
            {"name": name, "mimeType": mime, "buffer": content}
        )
        card.get_by_label("Valable à partir du").fill("2025-01-01")
        card.get_by_label("Valable jusqu'au").fill("2031-12-31")
        card.get_by_role("button", name="Envoyer").click()
        young.page.wait_for_load_state()
        assert young.page.get_by_role("status").inner_text().startswith("Merci")
    young.check("documents-sent")

    desk_context = browser.new_context(locale="fr-FR")
    desk_context.set_default_timeout(60_000)
    advisor = Visitor(desk_context.new_page(), web_server, "uploads-advisor")
    advisor.sign_in("demo.advisor1")
    advisor.goto(f"/app/cases/{case_id}")
    received = advisor.page.locator("li.upload[data-status='received']")
    received.first.wait_for()  # the uploads are a part the page fetches once drawn (htmx)
    assert received.count() == 2
    assert "reçu, à valider" in received.first.inner_text()
    advisor.check("case-uploads-to-validate")
    for _ in range(2):
        advisor.page.locator("li.upload[data-status='received']").first.get_by_role(
            "button", name="Valider le document"
        ).click()
        advisor.page.wait_for_load_state()
    validated = advisor.page.locator("li.upload[data-status='validated']")
    validated.first.wait_for()
    assert validated.count() == 2
    checklist = advisor.page.get_by_role("table", name="Liste des pièces")
    identity_row = checklist.get_by_role("row").filter(has_text="Pièce d'identité").first
    assert "validé" in identity_row.inner_text()
    advisor.check("case-uploads-validated")
    after = _unmet_documents(web_server, case_id)
    assert set() == after
    young.goto(f"/my/cases/{case_id}/documents")
    stages = [
        young.page.locator(f"section[aria-labelledby='doc-{d}'] .doc-stage").get_attribute(
            "data-stage"
        )
        for d in ("identity", "insurance")
    ]
    assert stages == ["validated", "validated"]
    young.screenshot("documents-validated")
    phone_context.close()
    desk_context.close()
