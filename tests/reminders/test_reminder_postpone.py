"""Moving the dates a reminder hangs on: stale reminders cancelled, new ones planned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink

from journey import YP_EMAIL, Journey, paris, utc

pytestmark = pytest.mark.anyio

START, END = date(2026, 4, 20), date(2026, 7, 17)
LATER_START, LATER_END = date(2026, 6, 15), date(2026, 9, 11)
DAY = timedelta(days=1)
DATED = [
    "ceam_d21",
    "documents_d14",
    "documents_d30",
    "documents_d7",
    "ols_assessment_1_d14",
    "prefinancing_before_departure",
]
REPLANNED = sorted([*DATED, "documents_d60"])


def _young_person_mail(walker: Journey, smtp: SmtpSink, case_id: int) -> list[tuple[object, ...]]:
    # Date-based reminders only: the selection's event message does not move with the dates.
    rules = {r.id: r.rule_id for r in walker.reminders(case_id) if r.kind != "event"}
    return [
        (m.at, rules[m.reminder_id])
        for m in smtp.received
        if m.to == (YP_EMAIL,) and m.reminder_id in rules
    ]


class TestPostponement:
    """A postponed departure (postpone, then resume with new dates)."""

    async def test_postpone_cancels_stale_reminders_and_resume_plans_new_ones(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """The old D-N reminders are cancelled with a reason; the new dates are kept."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        await pump.until(utc(2026, 2, 25))
        postponed = walker.fire(
            cid,
            "postpone",
            {"planned_start": LATER_START, "planned_end": LATER_END},
            reason="the host closes for works in April",
        )
        await pump.until(utc(2026, 3, 2))
        resumed = walker.fire(cid, "resume")
        await pump.until(paris(LATER_START - DAY))

        expected_payloads = ({"cancelled": DATED}, {"planned": REPLANNED})
        actual_payloads = (
            postponed.entry.payload.get("reminders"),
            resumed.entry.payload.get("reminders"),
        )
        assert expected_payloads == actual_payloads
        expected_state = ("PREPARING", "POSTPONED")
        assert expected_state == (resumed.case.state, postponed.case.state)
        old_anchor = paris(START, 0)  # date anchors are midnight at Ipm
        stale = {
            (r.rule_id, r.status, r.outcome)
            for r in walker.reminders(cid)
            if r.anchor_at == old_anchor and r.rule_id in DATED
        }
        expected_stale = {(rule, "cancelled", "case now in POSTPONED") for rule in DATED}
        assert expected_stale == stale
        expected_mail = [
            (paris(START - 60 * DAY), "documents_d60"),
            (paris(LATER_START - 60 * DAY), "documents_d60"),
            (paris(LATER_START - 30 * DAY), "documents_d30"),
            (paris(LATER_START - 21 * DAY), "ceam_d21"),
            (paris(LATER_START - 14 * DAY), "documents_d14"),
            (paris(LATER_START - 14 * DAY), "ols_assessment_1_d14"),
            (paris(LATER_START - 7 * DAY), "documents_d7"),
        ]
        assert expected_mail == sorted(_young_person_mail(walker, smtp, cid))

    async def test_a_corrected_departure_date_replans_with_the_reason(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Correcting planned_start while preparing cancels "the date it hangs on moved"."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        await pump.until(utc(2026, 2, 25))
        walker.set(cid, planned_start=START + 7 * DAY)

        [changed] = [e for e in walker.history(cid) if e.kind == "data_changed"]
        expected = {"planned": REPLANNED, "cancelled": DATED}
        assert expected == changed.payload.get("reminders")
        reasons = {
            r.outcome
            for r in walker.reminders(cid)
            if r.status == "cancelled" and r.kind != "timeout"
        }
        expected_reasons = {"case now in CONTACTED", "the date it hangs on moved"}
        assert expected_reasons == reasons


class TestReplanningKeepsWhatDidNotMove:
    """Replanning after a date change leaves reminders hanging on other anchors alone."""

    async def test_extending_the_stay_keeps_the_weekly_check_ins(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Moving planned_end while abroad does not stop check-ins hanging on the arrival."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        await pump.until(utc(2026, 1, 6))
        walker.clear_for_departure(cid)
        arrival = paris(START, 12)
        await pump.until(arrival)
        walker.fire(cid, "confirm_arrival", {"actual_start": START})
        await pump.until(arrival + 8 * DAY)
        walker.set(cid, planned_end=END + 30 * DAY)
        await pump.until(arrival + 30 * DAY)

        weekly = sorted(
            (r.occurrence, r.status, r.due_at)
            for r in walker.reminders(cid)
            if (r.rule_id, r.recipient) == ("check_in_first_month", "advisor")
        )
        expected = [(n, "sent", arrival + 7 * (n + 1) * DAY) for n in range(4)]
        assert expected == weekly
