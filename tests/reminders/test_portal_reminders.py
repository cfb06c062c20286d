"""The young person's own pages from a reminder: the link it ends with signs them in, the
journey shows what is expected, and "I need help" stops the repeats and tells the advisor."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import date
from email import policy
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.entrypoints.http.app import create_app
from journey import ADVISOR_EMAIL, YP_EMAIL, Journey, kept_logging, utc
from journey.pages import csrf_of

pytestmark = pytest.mark.anyio
START, END = date(2026, 4, 20), date(2026, 7, 17)
LINK = re.compile(r"http://ipm\.test:8765(/my/link/[A-Za-z0-9_-]+)")


@pytest.fixture
def delivery_settings() -> dict[str, Any]:
    """Links in messages point at the server's own address."""
    return {"host": "ipm.test", "port": 8765}


@pytest.fixture
def client(container: Container, restore_logging: None) -> Iterator[TestClient[Litestar]]:
    """The pages on the test container."""
    with kept_logging(), TestClient(create_app(container.settings, container=container)) as c:
        yield c


def _body(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    return str(parsed.get_body().get_content())  # type: ignore[union-attr]


def _open(client: TestClient[Litestar], path: str) -> Any:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"_csrf": csrf_of(page.text)})


class TestReminderLink:
    """From the D-60 documents reminder to the journey page and back to the advisor."""

    async def test_link_signs_in_and_help_reaches_the_advisor(
        self,
        walker: Journey,
        pump: Pump,
        smtp: SmtpSink,
        container: Container,
        client: TestClient[Litestar],
    ) -> None:
        """The young person's e-mail ends with a link; it opens their journey listing the
        missing documents; "I need help" acknowledges the reminder (history: young_person)
        and the advisor receives the help message."""
        pid = walker.person()
        cid = walker.open(pid)
        walker.to_contracted(cid, START, END)
        # D-60 before 20 April 2026 is 19 February 2026.
        await pump.until(utc(2026, 2, 19, 12))
        mail = [m for m in smtp.received if m.to == (YP_EMAIL,)][-1]
        assert "Documents à fournir" in mail.subject
        found = LINK.search(_body(mail.raw))
        assert found is not None
        page = _open(client, found.group(1))
        assert page.url.path == f"/my/cases/{cid}"
        assert "Pièce d&#39;identité" in page.text
        assert "Documents à fournir avant le départ" in page.text
        [reminder] = [
            r
            for r in walker.reminders(cid)
            if (r.rule_id, r.recipient, r.status) == ("documents_d60", "young_person", Status.SENT)
        ]
        form = re.search(r'name="_csrf" value="([^"]+)"', page.text)
        assert form is not None
        answer = client.post(
            f"/my/cases/{cid}/reminders/{reminder.id}",
            data={"_csrf": form.group(1), "answer": "help"},
        )
        assert answer.status_code == 200
        assert "va te recontacter" in answer.text
        acknowledged = [
            r.acknowledged_at is not None
            for r in walker.reminders(cid)
            if (r.rule_id, r.recipient) == ("documents_d60", "young_person")
        ]
        assert all(acknowledged)
        entry = walker.history(cid)[-1]
        expected = ("reminder_acknowledged", f"young_person:{pid}", "young_person", True)
        assert expected == (entry.kind, entry.actor, entry.role, entry.payload["help_requested"])
        await pump.until(utc(2026, 2, 19, 13))
        helped = [m for m in smtp.received if m.to == (ADVISOR_EMAIL,) and "aide" in m.subject]
        assert len(helped) == 1
        assert "Camille" in helped[0].subject

    async def test_a_requested_link_arrives_by_email(
        self, walker: Journey, smtp: SmtpSink, client: TestClient[Litestar]
    ) -> None:
        """The sign-in page sends a link to a known address, and says the same for any."""
        walker.open(walker.person())
        form = client.get("/my/sign-in")
        for address in (YP_EMAIL, "nobody@example.org"):
            answer = client.post(
                "/my/sign-in", data={"_csrf": csrf_of(form.text), "address": address}
            )
            assert answer.status_code == 200
            assert "Regarde tes messages" in answer.text
        [mail] = smtp.received
        assert mail.to == (YP_EMAIL,)
        found = LINK.search(_body(mail.raw))
        assert found is not None
        assert _open(client, found.group(1)).url.path.startswith("/my/cases/")

    async def test_a_guardians_reminder_signs_the_guardian_in(
        self,
        walker: Journey,
        pump: Pump,
        smtp: SmtpSink,
        client: TestClient[Litestar],
    ) -> None:
        """A minor's guardian receives the D-60 reminder too; its link is the guardian's own."""
        pid = walker.person(date(2009, 1, 1), guardian_email="parent@example.org")
        cid = walker.open(pid)
        walker.select(cid)
        walker.match(cid, START, END)
        walker.sign(cid, minor=True)
        await pump.until(utc(2026, 2, 19, 12))
        mail = [m for m in smtp.received if m.to == ("parent@example.org",)][-1]
        found = LINK.search(_body(mail.raw))
        assert found is not None
        page = _open(client, found.group(1))
        assert page.url.path == f"/my/cases/{cid}"
        assert "Vous suivez le parcours de Camille" in page.text
