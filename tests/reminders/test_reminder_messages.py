"""What a message says: dates in the reader's language, links to where the server runs,
a fallback recipient who is told why, and rendering faults that are never retried."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email import policy
from typing import Any

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from ipm_workflow.bootstrap import Container
from ipm_workflow.config import Settings
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.commands import Actor, OpenCase
from journey import ADVISOR_EMAIL, OPENING, SUPERVISOR_EMAIL, WORKFLOW, Journey

START, END = date(2026, 4, 20), date(2026, 7, 17)
DAY = timedelta(days=1)
pytestmark = pytest.mark.anyio


@pytest.fixture
def delivery_settings() -> dict[str, Any]:
    """The server runs on a host and port of its own; no IPM_PUBLIC_URL."""
    return {"host": "ipm.test", "port": 8765}


def _body(received: Any) -> str:
    parsed = email.message_from_bytes(received.raw, policy=policy.default)
    return str(parsed.get_body().get_content())  # type: ignore[union-attr]


def _one(reminders: list[Reminder], rule: str, recipient: str) -> Reminder:
    [found] = [r for r in reminders if (r.rule_id, r.recipient) == (rule, recipient)]
    return found


class TestDatesAndLinks:
    """Dates read as the language writes them; links follow the server's address."""

    @pytest.mark.parametrize(
        ("language", "written"), [("fr", "20 avril 2026"), ("en", "20 April 2026")]
    )
    def test_dates_are_written_per_language(
        self, walker: Journey, container: Container, advisor: Actor, language: str, written: str
    ) -> None:
        """The departure date in the D-60 message: no ISO date left in the text."""
        cid = walker.open(walker.person(language=language))
        walker.to_contracted(cid, START, END)
        reminder = _one(walker.reminders(cid), "documents_d60", "young_person")
        message = container.delivery.preview(reminder.id, advisor)
        assert written in message.body
        assert "2026-04-20" not in message.body

    def test_links_point_to_the_address_the_server_runs_on(
        self, walker: Journey, container: Container, advisor: Actor
    ) -> None:
        """Without IPM_PUBLIC_URL, host and port of the settings make the link."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        reminder = _one(walker.reminders(cid), "documents_d60", "advisor")
        body = container.delivery.preview(reminder.id, advisor).body
        assert f"http://ipm.test:8765/cases/{cid}" in body
        assert "127.0.0.1:8000" not in body

    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ({"public_url": "https://ipm.example.org/"}, "https://ipm.example.org"),
            ({"host": "10.1.2.3", "port": 9000}, "http://10.1.2.3:9000"),
            ({"host": "::1", "port": 9000}, "http://[::1]:9000"),
            ({}, "http://127.0.0.1:8000"),
        ],
    )
    def test_links_base(self, given: dict[str, Any], expected: str) -> None:
        """IPM_PUBLIC_URL wins; else the server's own host and port."""
        assert expected == Settings(**given).links_url


class TestFallbackRecipient:
    """A recipient who cannot be found is replaced, and everybody is told why."""

    async def test_no_advisor_assigned_goes_to_the_supervisor_and_says_why(
        self, container: Container, walker: Journey, pump: Pump, smtp: SmtpSink, advisor: Actor
    ) -> None:
        """A mission locale's referral stays unassigned; first contact overdue."""
        person = walker.person()
        referral = OpenCase(person, WORKFLOW, "ml-a", None, OPENING, referral=True)
        case = container.cases.open_case(referral, advisor)
        assert case.id is not None
        await pump.until(pump.clock.now() + 2 * DAY + DAY / 24)

        reminder = _one(walker.reminders(case.id), "first_contact_overdue", "advisor")
        assert reminder.status == Status.SENT
        assert "instead of advisor (no advisor assigned to the case)" in (reminder.outcome or "")
        [mail] = [m for m in smtp.received if m.reminder_id == reminder.id]
        assert mail.to == (SUPERVISOR_EMAIL,)
        assert "no advisor assigned to the case" in _body(mail)

    async def test_a_minor_without_guardian_contact_tells_the_advisor(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, clock: Any
    ) -> None:
        """A variant: the guardian's message reaches the case's advisor, with the reason."""
        minor = date(clock.now().year - 16, 1, 1)
        cid = walker.open(walker.person(birth_date=minor))
        walker.select(cid)
        walker.match(cid, START, END)
        walker.sign(cid, minor=True)
        reminder = _one(walker.reminders(cid), "documents_d60", "guardian")
        await pump.until(reminder.due_at)

        done = _one(walker.reminders(cid), "documents_d60", "guardian")
        assert done.status == Status.SENT
        [mail] = [m for m in smtp.received if m.reminder_id == reminder.id]
        assert mail.to == (ADVISOR_EMAIL,)
        assert "no guardian contact recorded" in _body(mail)

    async def test_an_adult_has_no_guardian_to_inform(self, walker: Journey, pump: Pump) -> None:
        """Not a missing contact: the guardian's message is skipped, on purpose, with why."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        reminder = _one(walker.reminders(cid), "documents_d60", "guardian")
        await pump.until(reminder.due_at)
        done = _one(walker.reminders(cid), "documents_d60", "guardian")
        assert (
            done.status,
            done.outcome,
        ) == (Status.SKIPPED, "no guardian to inform: the young person is an adult")


class _LineBreakSubject:
    """A renderer whose subject carries a line break, as an unchecked name would make it."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def render(self, template: str, language: str, context: Any) -> tuple[str, str]:
        subject, body = self.real.render(template, language, context)
        return f"{subject}\r\nBcc: other@example.org", body


class TestRenderingFault:
    """A message that cannot be built is dead at once, with its reason: never retried."""

    async def test_a_header_with_a_line_break_is_a_permanent_failure(
        self, container: Container, walker: Journey, pump: Pump, smtp: SmtpSink, advisor: Actor
    ) -> None:
        """The first-contact reminder with a broken subject: dead after one attempt."""
        addressing = container.delivery.addressing
        addressing.renderer = _LineBreakSubject(addressing.renderer)
        cid = walker.open(walker.person())
        await pump.until(pump.clock.now() + 2 * DAY + DAY / 24)

        reminder = _one(walker.reminders(cid), "first_contact_overdue", "advisor")
        assert (reminder.status, reminder.attempts) == (Status.DEAD, 1)
        assert "permanent failure: the subject contains a control character" in (
            reminder.outcome or ""
        )
        assert not [m for m in smtp.received if m.reminder_id == reminder.id]
