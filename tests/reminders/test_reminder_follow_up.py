"""The follow-up and the money on the real worker: checkpoints, lost contact, finance reminders."""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from ipm_workflow.domain.money import format_cents
from journey import (
    ADVISOR_EMAIL,
    FINANCE_EMAIL,
    ML_EMAIL,
    YP_EMAIL,
    Journey,
    local_day,
    paris,
)

pytestmark = pytest.mark.anyio
DAY = timedelta(days=1)


async def _back_home(walker: Journey, pump: Pump, start: date, end: date) -> int:
    """Walk a case abroad and back, debriefed on day 16: the follow-up is open."""
    cid = walker.open(walker.person())
    walker.to_contracted(cid, start, end)
    await pump.until(pump.clock.now())
    walker.clear_for_departure(cid)
    await pump.until(paris(start, 10))
    walker.fire(cid, "confirm_arrival", {"actual_start": start})
    await pump.until(paris(end, 18))
    walker.system(cid, "confirm_return", {"actual_end": end})
    await pump.until(paris(end + 16 * DAY, 10))
    walker.debrief(cid)
    await pump.until(pump.clock.now())
    return cid


async def _unanswered(walker: Journey, pump: Pump, cid: int, first: date) -> None:
    """The survey's order at one checkpoint, none answered: SMS, then call, then e-mail."""
    for offset, channel in ((0, "sms"), (10, "call"), (20, "email")):
        await pump.until(paris(first + offset * DAY, 11))
        walker.attempt(cid, channel)


class TestLostContactRule:
    """An unanswered checkpoint is recorded unknown and the next one is still tried; lost
    contact comes only when the declared rule (3 unanswered attempts over 30 days at +12) is met."""

    async def test_no_answer_at_m6_still_tries_m12_then_loses_contact(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """+6 unanswered: unknown when +12 opens; +12 surveyed; lost contact at +12 + 30 days."""
        start, end = date(2026, 2, 16), date(2026, 3, 27)
        cid = await _back_home(walker, pump, start, end)
        m3, m6, m12 = end + 91 * DAY, end + 182 * DAY, end + 365 * DAY
        await pump.until(paris(m3, 12))
        walker.outcome(cid, "m3", "job_seeking", "mission_locale")
        await _unanswered(walker, pump, cid, m6)
        await pump.until(paris(m6 + 60 * DAY, 12))

        waiting = walker.case(cid)
        expected_waiting = ("FOLLOW_UP", None, None)
        assert expected_waiting == (
            waiting.state,
            waiting.data.get("outcome_m6"),
            waiting.data.get("lost_contact_due"),
        )
        await pump.until(paris(m12, 10))
        opened = walker.case(cid)
        expected_opened = ("FOLLOW_UP", "unknown", m12.isoformat(), "job_seeking")
        assert expected_opened == (
            opened.state,
            opened.data["outcome_m6"],
            opened.data["outcome_m6_date"],
            opened.data["outcome_m3"],
        )
        await _unanswered(walker, pump, cid, m12)
        await pump.until(paris(m12 + 29 * DAY, 12))
        assert walker.state(cid) == "FOLLOW_UP"
        await pump.until(paris(m12 + 31 * DAY, 12))

        lost = walker.case(cid)
        expected_lost = ("LOST_CONTACT", "unknown", "unknown", "unknown", "job_seeking")
        assert expected_lost == (
            lost.state,
            lost.data["outcome_m12"],
            lost.data["final_outcome"],
            lost.data["outcome_m6"],
            lost.data["outcome_m3"],
        )
        [entry] = [e for e in walker.history(cid) if e.trigger == "lose_contact"]
        expected_entry = ("system", paris(m12 + 30 * DAY, 9))
        assert expected_entry == (entry.actor, entry.at)
        rows = {r.id: r for r in walker.reminders(cid)}
        surveyed = sorted(
            (local_day(m.at), rows[m.reminder_id].rule_id, m.to[0])
            for m in smtp.received
            if rows[m.reminder_id].rule_id.startswith(("outcome_m6", "outcome_m12"))
        )
        expected_surveys = sorted(
            (day + offset * DAY, f"{rule}{suffix}", to)
            for rule, day in (("outcome_m6", m6), ("outcome_m12", m12))
            for offset, suffix, to in (
                (0, "", YP_EMAIL),
                (0, "", ML_EMAIL),
                (10, "_call", ADVISOR_EMAIL),
                (20, "_email", YP_EMAIL),
            )
        )
        assert expected_surveys == surveyed
        view = walker.follow_up(cid)
        expected_view = [
            ("m3", "recorded", "mission_locale", 0),
            ("m6", "unknown", None, 3),
            ("m12", "unknown", None, 3),
            ("final", "unknown", None, 0),
        ]
        assert expected_view == [(c.id, c.status, c.source, c.attempts) for c in view.checkpoints]

    async def test_an_answer_at_m12_keeps_the_follow_up_open(
        self, walker: Journey, pump: Pump
    ) -> None:
        """Two unanswered tries and one answered call at +12: the rule is never met."""
        start, end = date(2026, 2, 16), date(2026, 3, 27)
        cid = await _back_home(walker, pump, start, end)
        m12 = end + 365 * DAY
        for offset, answered in ((0, False), (10, True), (20, False), (25, False)):
            await pump.until(paris(m12 + offset * DAY, 11))
            walker.attempt(cid, "call", answered)
        await pump.until(paris(m12 + 90 * DAY, 12))

        case = walker.case(cid)
        expected = ("FOLLOW_UP", None, "unknown", "unknown")
        assert expected == (
            case.state,
            case.data.get("lost_contact_due"),
            case.data["outcome_m3"],
            case.data["outcome_m6"],
        )


class TestFinanceReminders:
    """Money reminders go to the finance address on their due dates."""

    async def test_prefinancing_balance_and_final_report_dates(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Pre-financing on its due date, balance at report + 45 days, final report at grant
        end + 60 days; finance reads the amounts in euros."""
        start, end = date(2026, 2, 16), date(2026, 3, 27)
        cid = walker.open(walker.person())
        walker.select(cid, grant_end=date(2026, 6, 30))
        walker.match(cid, start, end)
        walker.sign(cid)
        walker.set(
            cid, grant_agreed=123456, prefinancing_amount=98765, prefinancing_due="2026-01-20"
        )
        await pump.until(paris(date(2026, 1, 20), 12))
        walker.set(cid, prefinancing_paid=True)
        walker.clear_for_departure(cid)
        await pump.until(paris(start, 10))
        walker.fire(cid, "confirm_arrival", {"actual_start": start})
        await pump.until(paris(end, 18))
        walker.system(cid, "confirm_return", {"actual_end": end})
        walker.set(cid, participant_report_submitted_on="2026-04-02")
        planned = (
            walker.planned_days(cid, "balance_due"),
            walker.planned_days(cid, "final_report_due"),
        )
        assert ({date(2026, 5, 17)}, {date(2026, 8, 29)}) == planned
        await pump.until(paris(date(2026, 5, 18), 12))

        rows = {r.id: r for r in walker.reminders(cid)}
        money = sorted(
            (local_day(m.at), rows[m.reminder_id].rule_id, m.to)
            for m in smtp.received
            if rows[m.reminder_id].rule_id in ("prefinancing_due_date", "balance_due")
        )
        expected = [
            (date(2026, 1, 20), "prefinancing_due_date", (FINANCE_EMAIL,)),
            (date(2026, 5, 17), "balance_due", (FINANCE_EMAIL,)),
        ]
        assert expected == money
        [balance] = [m for m in smtp.received if rows[m.reminder_id].rule_id == "balance_due"]
        body = message_from_bytes(balance.raw, policy=default).get_body()
        assert body is not None
        text = body.get_content()  # type: ignore[attr-defined]
        assert f"Subvention convenue : {format_cents(123456, 'fr')}" in text
        assert format_cents(123456, "fr") == "1\u202f234,56\xa0€"
