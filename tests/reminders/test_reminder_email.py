"""The e-mail as it reaches the SMTP server: headers that identify and describe it."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import default as email_policy

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from journey import ADVISOR_EMAIL, Journey, utc

pytestmark = pytest.mark.anyio

DUE = utc(2026, 1, 7)


class TestEmailHeaders:
    """Headers written by SmtpChannel."""

    async def test_headers_identify_the_reminder(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Message-ID and X-IPM-Reminder name the reminder; From, To and Date are set."""
        walker.open(walker.person())
        await pump.until(DUE)

        [mail] = smtp.received
        headers = BytesParser(policy=email_policy).parsebytes(mail.raw)
        expected = (
            f"<reminder-{mail.reminder_id}@ipm-workflow.example.org>",
            str(mail.reminder_id),
            ADVISOR_EMAIL,
            "Ipm <no-reply@ipm.example.org>",
        )
        actual = (headers["Message-ID"], headers["X-IPM-Reminder"], headers["To"], headers["From"])
        assert expected == actual
        assert headers["Date"] is not None

    async def test_content_language_names_the_language(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """The advisor's French mail says Content-Language: fr."""
        walker.open(walker.person())
        await pump.until(DUE)

        [mail] = smtp.received
        expected = "fr"
        assert expected == mail.language
