"""Documents on the pages: the young person sends them from their own pages, the advisor
validates them from the case page."""

from __future__ import annotations

import re
from datetime import date

from litestar import Litestar
from litestar.testing import TestClient

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.policy import Actor
from ipm_workflow.services.commands import DecideUpload
from journey.pages import csrf_of, sign_in
from journey.service import Journey
from journey.uploads import small_pdf

TOKEN = re.compile(r"/my/link/[A-Za-z0-9_-]+")


def _sign_in_by_link(
    client: TestClient[Litestar],
    container: Container,
    person_id: int,
    guardian_id: int | None = None,
) -> None:
    with container.uow() as uow:
        url = container.portal.mint(uow, person_id, guardian_id)
        uow.commit()
    found = TOKEN.search(url)
    assert found is not None
    page = client.get(found.group(0))
    client.post(found.group(0), data={"_csrf": csrf_of(page.text)}, follow_redirects=False)


def _send(
    client: TestClient[Litestar], case_id: int, content: bytes, document: str = "identity"
) -> tuple[int, str]:
    path = f"/my/cases/{case_id}/documents"
    answer = client.post(
        path,
        data={"_csrf": csrf_of(client.get(path).text), "document": document},
        files={"file": ("photo.pdf", content)},
        follow_redirects=False,
    )
    return answer.status_code, answer.text


class TestDocumentsPages:
    """From the phone to the checklist."""

    def test_the_young_person_sends_and_the_advisor_validates(
        self,
        app: Litestar,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
    ) -> None:
        """Received on the case page; validated from there; the young person sees it."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        mine = journey.person(date(2004, 3, 1), email="alix@example.org")
        other = journey.person(date(2004, 3, 1), first_name="Sacha", email="sacha@example.org")
        case_id, other_case = journey.open(mine), journey.open(other)
        _sign_in_by_link(client, container, mine)
        refused = _send(client, case_id, b"MZ\x90\x00 not a photo")
        sent = _send(client, case_id, small_pdf())
        mine_page = client.get(f"/my/cases/{case_id}/documents").text
        assert (refused[0], sent[0]) == (422, 303)
        assert "ni une photo (JPEG, PNG) ni un PDF" in refused[1]
        assert 'data-stage="received"' in mine_page
        assert client.get(f"/my/cases/{other_case}/documents").status_code == 404
        with TestClient(app) as staff:
            sign_in(staff, container, users["advisor_a"])
            # The case page fetches its uploaded documents with its other parts, in one request
            # (htmx); without JavaScript they are a page of their own.
            parts = f"/app/cases/{case_id}/parts"
            assert f'hx-get="{parts}?version=' in staff.get(f"/app/cases/{case_id}").text
            assert 'id="part-uploads"' in staff.get(parts, headers={"HX-Request": "true"}).text
            part = f"/app/cases/{case_id}/uploads"
            page = staff.get(part).text
            assert "reçu, à valider" in page
            [upload_id] = re.findall(r'data-upload="(\d+)" data-status="received"', page)
            form = re.search(
                rf'action="/app/cases/{case_id}/uploads/{upload_id}/validate".*?</form>', page, re.S
            )
            assert form is not None
            version = re.search(r'name="version" value="(\d+)"', form.group(0))
            assert version is not None
            answer = staff.post(
                f"/app/cases/{case_id}/uploads/{upload_id}/validate",
                data={
                    "_csrf": csrf_of(page),
                    "version": version.group(1),
                    "valid_until": "2031-05-31",
                },
                follow_redirects=False,
            )
            file = staff.get(f"/app/uploads/{upload_id}/file")
        identity = journey.case(case_id).documents["identity"]
        expected = (303, "validated", date(2031, 5, 31), small_pdf())
        assert expected == (answer.status_code, identity.status, identity.valid_until, file.content)
        assert 'data-stage="validated"' in client.get(f"/my/cases/{case_id}/documents").text

    def test_the_documents_waiting_across_the_advisor_s_cases(
        self,
        app: Litestar,
        client: TestClient[Litestar],
        container: Container,
        users: dict[str, User],
    ) -> None:
        """A document sent is on the advisor's "to validate" page with a link to its case; not on
        another mission locale's advisor's; gone once validated."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        mine = journey.person(date(2004, 3, 1), email="alix@example.org")
        case_id = journey.open(mine)
        _sign_in_by_link(client, container, mine)
        assert _send(client, case_id, small_pdf())[0] == 303
        [upload] = container.uploads.of_case(case_id, Actor.of(users["advisor_a"]))
        with TestClient(app) as staff, TestClient(app) as elsewhere:
            sign_in(staff, container, users["advisor_a"])
            sign_in(elsewhere, container, users["advisor_b"])
            waiting = staff.get("/app/uploads").text
            theirs = elsewhere.get("/app/uploads").text
            container.uploads.validate(
                DecideUpload(upload.id or 0, None, None, None, journey.case(case_id).version),
                Actor.of(users["advisor_a"]),
            )
            after = staff.get("/app/uploads").text
        row = f'<tr data-upload="{upload.id}">'
        assert (row in waiting, f'href="/app/cases/{case_id}#h-uploads"' in waiting) == (True, True)
        assert ("1 document à valider" in waiting, row in theirs, row in after) == (
            True,
            False,
            False,
        )
        assert "Aucun document en attente." in after

    def test_a_guardian_sends_the_guardian_s_documents(
        self, client: TestClient[Litestar], container: Container, users: dict[str, User]
    ) -> None:
        """A minor's guardian is offered the travel authorisation and their own ID, not the
        young person's identity; what they send is theirs in the history."""
        journey = Journey(container, Actor.of(users["advisor_a"]))
        minor = journey.person(date(2010, 3, 1), email="alix@example.org")
        guardian_id = journey.guardian(minor, email="parent@example.org")
        case_id = journey.open(minor)
        _sign_in_by_link(client, container, minor, guardian_id)
        page = client.get(f"/my/cases/{case_id}/documents").text
        offered = re.findall(r'<section class="card[^"]*" aria-labelledby="doc-(\w+)"', page)
        sent = _send(client, case_id, small_pdf(), "ast")
        refused = _send(client, case_id, small_pdf(), "identity")
        last = journey.history(case_id)[-1]
        expected = (
            ["guardian_consent", "ast", "guardian_id"],
            303,
            403,
            ("document_uploaded", f"guardian:{guardian_id}", "guardian"),
        )
        assert expected == (offered, sent[0], refused[0], (last.kind, last.actor, last.role))
