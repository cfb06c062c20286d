"""SMS through a fake provider on a free localhost port: `{to, text, reference}`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from reminder_kit import Pump
from reminder_sinks import SmsProvider, SmtpSink

from ipm_workflow.domain.reminders import Reminder
from journey import YP_EMAIL, Journey, paris

pytestmark = pytest.mark.anyio

START, END = date(2026, 4, 20), date(2026, 7, 17)
D60 = paris(START - timedelta(days=60))
PHONE = "+33612345678"


@pytest.fixture
def sms() -> Iterator[SmsProvider]:
    """The fake SMS provider, answering 200 unless a test says otherwise."""
    provider = SmsProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def delivery_settings(sms: SmsProvider) -> dict[str, Any]:
    """SMS enabled through the fake provider; a minute of back-off, four attempts."""
    return {
        "sms_endpoint": sms.url,
        "sms_api_key": "test-key",
        "max_attempts": 4,
        "backoff_base_seconds": 60,
    }


def _d60(walker: Journey, **contact: Any) -> Reminder:
    """Open a case of a young person reachable by SMS and plan the D-60 documents reminder."""
    cid = walker.open(walker.person(phone=PHONE, **contact))
    walker.to_contracted(cid, START, END)
    [reminder] = [
        r
        for r in walker.reminders(cid)
        if (r.rule_id, r.recipient) == ("documents_d60", "young_person")
    ]
    return reminder


def _dated(walker: Journey, sms: SmsProvider, case_id: int) -> list[dict[str, Any]]:
    """The SMS requests of the case's date-based reminders (not the selection's event message)."""
    refs = {
        f"<reminder-{r.id}@ipm-workflow.example.org>"
        for r in walker.reminders(case_id)
        if r.kind != "event"
    }
    return [r for r in sms.requests if r["reference"] in refs]


def _now(walker: Journey, reminder: Reminder) -> Reminder:
    [found] = [r for r in walker.reminders(reminder.case_id) if r.id == reminder.id]
    return found


class TestSmsDelivery:
    """A young person who prefers SMS and consented to it."""

    async def test_the_provider_receives_to_text_and_reference(
        self, walker: Journey, pump: Pump, sms: SmsProvider, smtp: SmtpSink
    ) -> None:
        """One POST with the number, the French text and the Message-ID as reference."""
        reminder = _d60(walker, preferred_channel="sms", consent_sms=True)
        await pump.until(D60 + timedelta(hours=1))

        reference = f"<reminder-{reminder.id}@ipm-workflow.example.org>"
        [request] = _dated(walker, sms, reminder.case_id)
        expected = ({"to", "text", "reference"}, PHONE, reference, ["Bearer test-key"])
        assert expected == (
            set(request),
            request["to"],
            request["reference"],
            sorted(set(sms.authorizations)),
        )
        lines = request["text"].splitlines()
        expected_lines = ["Documents à fournir avant le départ", "Bonjour Camille,"]
        assert expected_lines == lines[:2]
        sent = _now(walker, reminder)
        expected_row = ("sent", "sms", reference)
        assert expected_row == (sent.status, sent.channel, sent.message_id)
        assert YP_EMAIL not in {m.to[0] for m in smtp.received}

    async def test_without_sms_consent_the_mail_goes_by_email(
        self, walker: Journey, pump: Pump, sms: SmsProvider, smtp: SmtpSink
    ) -> None:
        """A preference for SMS without consent falls back to e-mail."""
        reminder = _d60(walker, preferred_channel="sms", consent_sms=False)
        await pump.until(D60 + timedelta(hours=1))

        expected = ([], "email", [reminder.id])
        events = {r.id for r in walker.reminders(reminder.case_id) if r.kind == "event"}
        mails = [
            m.reminder_id
            for m in smtp.received
            if m.to == (YP_EMAIL,) and m.reminder_id not in events
        ]
        assert expected == (sms.requests, _now(walker, reminder).channel, mails)


class TestSmsFailures:
    """The provider's answer decides: 4xx is final, 5xx is tried again."""

    async def test_a_4xx_dead_letters_at_once(
        self, walker: Journey, pump: Pump, sms: SmsProvider
    ) -> None:
        """A refused number is not tried again."""
        sms.status = 400
        reminder = _d60(walker, preferred_channel="sms", consent_sms=True)
        await pump.until(D60 + timedelta(hours=6))

        dead = _now(walker, reminder)
        expected = ("dead", 1, 1)
        requests = _dated(walker, sms, reminder.case_id)
        assert expected == (dead.status, dead.attempts, len(requests))
        assert dead.outcome is not None
        assert dead.outcome.startswith("permanent failure: SMS refused (400)")

    async def test_a_5xx_is_retried_until_delivered(
        self, walker: Journey, pump: Pump, sms: SmsProvider
    ) -> None:
        """A provider error backs off a minute, then the SMS goes with the same reference."""
        sms.status = 503
        reminder = _d60(walker, preferred_channel="sms", consent_sms=True)
        await pump.until(D60 + timedelta(seconds=30))
        waiting = _now(walker, reminder)
        sms.status = 200
        await pump.until(D60 + timedelta(minutes=5))

        delivered = _now(walker, reminder)
        expected = (
            ("retry", 1, D60 + timedelta(minutes=1)),
            ("sent", 2),
            [f"<reminder-{reminder.id}@ipm-workflow.example.org>"] * 2,
        )
        actual = (
            (waiting.status, waiting.attempts, waiting.next_attempt_at),
            (delivered.status, delivered.attempts),
            [r["reference"] for r in _dated(walker, sms, reminder.case_id)],
        )
        assert expected == actual
