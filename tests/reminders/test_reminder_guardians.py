"""Messages addressed to the guardian: they reach the guardians while the young person is a
minor on the day they go out, and never vanish when nobody is on file."""

from __future__ import annotations

from datetime import date

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.reminder_lifecycle import Status
from journey import ADVISOR_EMAIL, GUARDIAN_EMAIL, Journey, utc

START, END = date(2026, 4, 20), date(2026, 7, 17)
# Eighteen on the day of the D-14 reminder (6 April 2026), after those of D-60 and D-30.
COMES_OF_AGE = date(2026, 4, 6)
BORN = date(2008, 4, 6)
DOCUMENT_RULES = ("documents_d60", "documents_d30", "documents_d14", "documents_d7")
pytestmark = pytest.mark.anyio


def _guardian_rows(walker: Journey, case_id: int) -> list[tuple[str, str, str | None]]:
    return sorted(
        (r.rule_id, r.status, r.outcome)
        for r in walker.reminders(case_id)
        if r.recipient == "guardian" and r.rule_id in DOCUMENT_RULES
    )


class TestGuardianUntilEighteen:
    """The document reminders (identity, insurance, travel authorisation) of a minor."""

    async def test_the_guardian_hears_until_the_young_person_turns_eighteen(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """D-60 and D-30 reach the guardian; from the 18th birthday (D-14) on, nobody is meant."""
        person = walker.person(BORN)
        walker.guardian(person, email=GUARDIAN_EMAIL, link="father")
        cid = walker.open(person)
        walker.to_contracted(cid, START, END)
        await pump.until(utc(2026, 4, 14, 12))

        to_guardian = sorted((m.reminder_id, m.to) for m in smtp.received if GUARDIAN_EMAIL in m.to)
        sent_ids = {r.id: r.rule_id for r in walker.reminders(cid)}
        adult = "no guardian to inform: the young person is an adult"
        expected = (
            ["documents_d30", "documents_d60"],
            [
                ("documents_d14", Status.SKIPPED, adult),
                ("documents_d30", Status.SENT, "delivered by email"),
                ("documents_d60", Status.SENT, "delivered by email"),
                ("documents_d7", Status.SKIPPED, adult),
            ],
        )
        actual = (
            sorted(sent_ids[rid] for rid, _ in to_guardian),
            _guardian_rows(walker, cid),
        )
        assert expected == actual

    async def test_every_guardian_with_parental_authority_on_the_same_channel(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Two guardians by e-mail both receive the message; one without consent does not."""
        person = walker.person(date(2010, 1, 1))
        walker.guardian(person, email=GUARDIAN_EMAIL)
        walker.guardian(person, name="Claude Témoin", link="father", email="pere@example.org")
        walker.guardian(
            person, name="Sam Témoin", link="other", email="no@example.org", consent_email=False
        )
        cid = walker.open(person)
        walker.select(cid)
        walker.match(cid, START, END)
        walker.sign(cid, minor=True)
        await pump.until(utc(2026, 2, 20, 12))
        [mail] = [m for m in smtp.received if GUARDIAN_EMAIL in m.to]
        assert mail.to == (GUARDIAN_EMAIL, "pere@example.org")


class TestMinorWithoutGuardian:
    """No guardian on file: flagged, and each message goes to a declared fallback with why."""

    async def test_flagged_and_nothing_silently_skipped(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, container: Container
    ) -> None:
        """Each guardian message reaches the advisor, saying why; the person is flagged."""
        person = walker.person(date(2010, 1, 1))
        cid = walker.open(person)
        walker.select(cid)
        walker.match(cid, START, END)
        walker.sign(cid, minor=True)
        flagged = container.person_records.minors_without_guardian([person], walker.today())
        await pump.until(utc(2026, 3, 22, 12))

        due = [r for r in _guardian_rows(walker, cid) if r[0] in ("documents_d60", "documents_d30")]
        sent = {r.id for r in walker.reminders(cid) if r.recipient == "guardian"}
        mails = [m for m in smtp.received if m.reminder_id in sent]
        why = "instead of guardian (no guardian contact recorded)"
        expected = ({person}, [(Status.SENT, True)] * 2, [(ADVISOR_EMAIL,)] * 2)
        actual = (
            flagged,
            [(status, why in (outcome or "")) for _, status, outcome in due],
            [m.to for m in mails],
        )
        assert expected == actual

    async def test_the_advisor_is_reminded_weekly_until_a_guardian_is_recorded(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """The day after the first contact, then a week later; a guardian ends the series."""
        person = walker.person(date(2010, 1, 1))
        cid = walker.open(person)
        walker.fire(cid, "log_first_contact", {"first_contact_date": walker.today()})
        await pump.until(utc(2026, 1, 14, 12))
        walker.guardian(person, email=GUARDIAN_EMAIL)
        await pump.until(utc(2026, 1, 28, 12))

        rows = sorted(
            (r.occurrence, r.status, r.outcome or "")
            for r in walker.reminders(cid)
            if r.rule_id == "guardian_missing"
        )
        sent = {r.id for r in walker.reminders(cid) if r.rule_id == "guardian_missing"}
        to = [m.to for m in smtp.received if m.reminder_id in sent]
        cleared = "nothing left to remind: the condition has cleared"
        expected = (
            [
                (0, Status.SENT, "delivered by email"),
                (1, Status.SENT, "delivered by email"),
                (2, Status.SKIPPED, cleared),
            ],
            [(ADVISOR_EMAIL,), (ADVISOR_EMAIL,)],
        )
        assert expected == (rows, to)
