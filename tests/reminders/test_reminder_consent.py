"""Messages follow the current consent: withdrawing e-mail consent stops the next e-mail, and
what did go out is in the person's subject access export, word for word."""

from __future__ import annotations

from datetime import date

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from ipm_workflow.bootstrap import Container
from ipm_workflow.services.commands import Actor
from journey import YP_EMAIL, Journey, utc

START, END = date(2026, 4, 20), date(2026, 7, 17)
pytestmark = pytest.mark.anyio


class TestConsentWithdrawal:
    """The young person withdraws e-mail consent between two document reminders."""

    async def test_withdrawing_email_consent_stops_the_next_email(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, container: Container, advisor: Actor
    ) -> None:
        """The selection and D-60 reach the young person by e-mail; after the withdrawal D-30
        stays in-app; the consent events and the sent text are in the export."""
        pid = walker.person()
        cid = walker.open(pid)
        walker.to_contracted(cid, START, END)
        await pump.until(utc(2026, 2, 21, 12))  # D-60 is 19 February
        container.privacy.record_consent(
            pid, "email", False, advisor, method="phone call", given_by="young_person"
        )
        await pump.until(utc(2026, 3, 23, 12))  # D-30 is 21 March

        rules = {r.id: r.rule_id for r in walker.reminders(cid)}
        to_them = sorted(rules[m.reminder_id] for m in smtp.received if YP_EMAIL in m.to)
        d30 = [
            (r.status, r.channel)
            for r in walker.reminders(cid)
            if r.rule_id == "documents_d30" and r.recipient == "young_person"
        ]
        export = container.privacy.export(pid, advisor)
        email_events = [
            (e["granted"], e["method"], e["given_by"])
            for e in export["consents"]
            if e["purpose"] == "email"
        ]
        [sent_d60] = [
            m for m in smtp.received if YP_EMAIL in m.to and rules[m.reminder_id] == "documents_d60"
        ]
        exported = [(m["recipients"], m["channel"]) for m in export["messages"]]
        expected = (
            ["documents_d60", "selected_to_young_person"],
            [("sent", "in_app")],
            [(True, "staff", "staff"), (False, "phone call", "young_person")],
            True,
        )
        actual = (
            to_them,
            d30,
            email_events,
            (YP_EMAIL, "email") in exported and sent_d60.subject in str(export["messages"]),
        )
        assert expected == actual
