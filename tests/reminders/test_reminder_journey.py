"""A year of variant-B journey replayed on a manual clock, with the real worker and SMTP."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from reminder_kit import Pump, attempts_of
from reminder_sinks import SmtpSink

from ipm_workflow.adapters.clock import ManualClock
from journey import (
    ADVISOR_EMAIL,
    FINANCE_EMAIL,
    GUARDIAN_EMAIL,
    HOST_EMAIL,
    ML_EMAIL,
    SUBJECTS,
    SUPERVISOR_EMAIL,
    YP_EMAIL,
    Journey,
    paris,
    utc,
)

pytestmark = pytest.mark.anyio

MINOR = date(2008, 9, 1)  # 17 when leaving in April 2026
START, END = date(2026, 4, 20), date(2026, 7, 17)
SIGNED_AT = utc(2026, 1, 15, 10)
ABROAD_AT = utc(2026, 4, 24, 10)  # arrival confirmed late, after the D+2 and D+4 alerts
RETURN_AT = utc(2026, 7, 17, 16)
DEBRIEF_AT = utc(2026, 8, 3, 9)
OPENED_AT = utc(2026, 1, 5, 9)
DAY = timedelta(days=1)

Sent = tuple[datetime, str, str, str, int, str]


def _mail(at: datetime, to: str, rule: str, template: str = "", occurrence: int = 0) -> Sent:
    template = template or rule
    subject = SUBJECTS[template]
    if occurrence and template == "outcome_survey":
        subject = "Relance – " + subject
    return (at, to, rule, "reminder", occurrence, subject)


def _event(at: datetime, to: str, rule: str, template: str) -> Sent:
    return (at, to, rule, "event", 0, SUBJECTS[template])


def _alert(at: datetime, to: str, rule: str, template: str) -> Sent:
    return (at, to, rule, "escalation", 0, SUBJECTS[template])


def _d(days: int) -> datetime:
    """09:00 in Paris, some days from the planned start."""
    return paris(START + days * DAY)


def _e(days: int) -> datetime:
    """09:00 in Paris, some days from the (planned and actual) end."""
    return paris(END + days * DAY)


def _variant_b_schedule(case_id: int) -> list[Sent]:
    """Every e-mail DOMAIN.md §3 promises on this journey, from the dates alone."""
    yp, guardian, advisor, sup = YP_EMAIL, GUARDIAN_EMAIL, ADVISOR_EMAIL, SUPERVISOR_EMAIL
    host, ml, signed = HOST_EMAIL, ML_EMAIL, SIGNED_AT.date()
    plan = [
        # Referral + 48 h to the advisor, the supervisor at 72 h.
        _mail(OPENED_AT + 2 * DAY, advisor, "first_contact_overdue"),
        _alert(OPENED_AT + 3 * DAY, sup, "first_contact_overdue", "first_contact_escalation"),
        # Selected: the young person hears at once (an event message).
        _event(utc(2026, 1, 12), yp, "selected_to_young_person", "selected"),
        # Signature + 30 days to finance and the advisor, the supervisor a week later.
        _mail(paris(signed + 30 * DAY), FINANCE_EMAIL, "prefinancing_due"),
        _mail(paris(signed + 30 * DAY), advisor, "prefinancing_due"),
        _alert(paris(signed + 37 * DAY), sup, "prefinancing_due", "prefinancing_escalation"),
        # D-60/-30/-14/-7 documents to the young person, the guardian (a minor) and the advisor.
        *[
            _mail(_d(-n), who, f"documents_d{n}", "documents_missing")
            for n in (60, 30, 14, 7)
            for who in (yp, guardian, advisor)
        ],
        _alert(_d(-7), sup, "documents_d7", "documents_missing_escalation"),
        # D-21 CEAM, D-14 OLS, each escalated to the advisor three days later.
        _mail(_d(-21), yp, "ceam_d21", "ceam_missing"),
        _alert(_d(-18), advisor, "ceam_d21", "ceam_missing_escalation"),
        _mail(_d(-14), yp, "ols_assessment_1_d14", "ols_assessment_due"),
        _alert(_d(-11), advisor, "ols_assessment_1_d14", "ols_assessment_escalation"),
        # D-2 departure pack, D+2 arrival check (advisor alerted), D+4 supervisor.
        _mail(_d(-2), yp, "departure_pack_d2", "departure_pack"),
        _mail(_d(-2), host, "departure_pack_d2", "departure_pack"),
        _mail(_d(2), yp, "arrival_check_d2", "arrival_check"),
        _mail(_d(2), host, "arrival_check_d2", "arrival_check"),
        _alert(_d(2), advisor, "arrival_check_d2", "arrival_unconfirmed"),
        _mail(_d(4), sup, "arrival_unconfirmed_d4", "arrival_unconfirmed"),
        # Check-ins: weekly in the first month, then every two weeks until the return.
        *[
            _mail(ABROAD_AT + days * DAY, who, rule, "check_in", n)
            for rule, first, every, count in (
                ("check_in_first_month", 7, 7, 4),
                ("check_in_fortnightly", 35, 14, 4),
            )
            for n, days in enumerate(range(first, first + every * count, every))
            for who in (advisor, host)
        ],
        # End date - 7 return logistics; end date; report request and reminder; debrief.
        _mail(_e(-7), yp, "return_logistics"),
        _mail(_e(0), yp, "return_confirmation"),
        _mail(_e(0), advisor, "return_confirmation"),
        _mail(RETURN_AT, yp, "participant_report_request"),
        _mail(_e(14), yp, "participant_report_reminder"),
        _mail(_e(15), advisor, "debrief_due"),
        _mail(_e(15), ml, "debrief_due"),
        # Return + 3, 6, 12 months, in the survey's order: an SMS (e-mail without a phone) to
        # the young person and the ML, a call for the advisor 10 days on, an e-mail 10 days later.
        *[
            # 09:00 in Paris across the October change of time.
            step
            for rule, days in (("outcome_m3", 91), ("outcome_m6", 182), ("outcome_m12", 365))
            for step in (
                _mail(_e(days), yp, rule, "outcome_survey"),
                _mail(_e(days), ml, rule, "outcome_survey"),
                _mail(_e(days + 10), advisor, f"{rule}_call", "outcome_call_due"),
                _mail(_e(days + 20), yp, f"{rule}_email", "outcome_survey"),
            )
        ],
    ]
    return sorted(
        (at, to, rule, kind, n, s.format(case=case_id)) for at, to, rule, kind, n, s in plan
    )


def _delivered(walker: Journey, smtp: SmtpSink, case_id: int) -> list[Sent]:
    rows = {r.id: r for r in walker.reminders(case_id)}
    return sorted(
        (m.at, *m.to, row.rule_id, row.kind, row.occurrence, m.subject)
        for m in smtp.received
        for row in [rows[m.reminder_id]]
    )


def _assert_nothing_twice(smtp: SmtpSink) -> None:
    twice = {mid: n for mid, n in smtp.message_ids().items() if n > 1}
    expected: dict[str, int] = {}
    assert expected == twice


class TestVariantBReplay:
    """The whole long-internship journey, a year and a half of reminders in seconds."""

    async def test_every_declared_reminder_goes_out_on_its_date(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Each §3 reminder reaches its recipient on its date, once; the timeouts move the case."""
        person = walker.person(MINOR, phone="+33600000001", guardian_email=GUARDIAN_EMAIL)
        cid = walker.open(person)
        await pump.until(utc(2026, 1, 8, 12))
        walker.fire(cid, "log_first_contact", {"first_contact_date": date(2026, 1, 8)})
        await pump.until(utc(2026, 1, 12))
        walker.fire(cid, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
        walker.fire(cid, "apply", {"duplicate_check_passed": True})
        walker.fire(cid, "select", {"grant_project_code": "G-1", "grant_project_end": "2028-12-31"})
        await pump.until(utc(2026, 1, 14))
        walker.match(cid, START, END, host_email=HOST_EMAIL)
        await pump.until(SIGNED_AT)
        walker.sign(cid, minor=True)
        await pump.until(SIGNED_AT)
        expected_state = "PREPARING"
        assert expected_state == walker.case(cid).state
        await pump.until(utc(2026, 2, 22))
        walker.set(cid, prefinancing_paid=True)
        await pump.until(utc(2026, 4, 14))
        walker.clear_for_departure(cid, minor=True)
        await pump.until(ABROAD_AT)
        walker.fire(cid, "confirm_arrival", {"actual_start": START})
        await pump.until(RETURN_AT)
        walker.system(cid, "confirm_return", {"actual_end": END})
        await pump.until(DEBRIEF_AT)
        walker.debrief(cid)
        await pump.until(DEBRIEF_AT)
        expected_state = "FOLLOW_UP"
        assert expected_state == walker.case(cid).state
        await pump.until(utc(2026, 11, 6))
        walker.outcome(cid, "m3", "job_seeking")
        await pump.until(utc(2027, 2, 5))
        walker.outcome(cid, "m6", "cdd_6m_plus")
        await pump.until(utc(2027, 8, 7))
        walker.outcome(cid, "m12", "cdi")
        walker.fire(cid, "close", {"final_outcome": "cdi"})
        await pump.until(utc(2027, 10, 1))

        assert _variant_b_schedule(cid) == _delivered(walker, smtp, cid)
        _assert_nothing_twice(smtp)
        recorded = {r.message_id for r in walker.reminders(cid) if r.channel == "email"}
        assert recorded == set(smtp.message_ids())
        timeouts = [
            (e.trigger, e.from_state, e.to_state, e.at, e.actor)
            for e in walker.history(cid)
            if (e.request_id or "").startswith("reminder-")
        ]
        expected_timeouts = [
            ("start_preparation", "CONTRACTED", "PREPARING", SIGNED_AT, "system"),
            ("start_follow_up", "DEBRIEFED", "FOLLOW_UP", DEBRIEF_AT, "system"),
            # Opening +6 and +12 settles the checkpoint before (here already answered).
            ("open_checkpoint", "FOLLOW_UP", "FOLLOW_UP", _e(182), "system"),
            ("open_checkpoint", "FOLLOW_UP", "FOLLOW_UP", _e(365), "system"),
        ]
        assert expected_timeouts == timeouts
        timeout_rows = sorted(
            (r.rule_id, r.status, r.outcome) for r in walker.reminders(cid) if r.kind == "timeout"
        )
        expected_rows = [
            ("open_follow_up", "sent", "fired 'start_follow_up': DEBRIEFED -> FOLLOW_UP"),
            ("open_preparation", "sent", "fired 'start_preparation': CONTRACTED -> PREPARING"),
            ("outcome_m12", "sent", "fired 'open_checkpoint': FOLLOW_UP -> FOLLOW_UP"),
            ("outcome_m6", "sent", "fired 'open_checkpoint': FOLLOW_UP -> FOLLOW_UP"),
        ]
        assert expected_rows == timeout_rows

    async def test_what_was_not_sent_says_why(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Unsent reminders say why: state left, condition cleared, nobody to reach."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        await pump.until(utc(2026, 2, 20))
        for name in ("identity", "insurance", "ceam"):
            walker.doc(cid, name, valid_until=date(2027, 12, 31))
        await pump.until(utc(2026, 3, 25))
        walker.clear_for_departure(cid)

        unsent = sorted(
            (r.rule_id, r.kind, r.recipient, r.status, r.outcome)
            for r in walker.reminders(cid)
            if r.status not in ("sent", "planned")
        )
        left, ready = "case now in CONTACTED", "case now in READY"
        cleared = "nothing left to remind: the condition has cleared"
        adult = "no guardian to inform: the young person is an adult"
        expected = sorted([
            ("first_contact_overdue", "reminder", "advisor", "cancelled", left),
            ("first_contact_overdue", "escalation", "supervisor", "cancelled", left),
            ("documents_d60", "reminder", "guardian", "skipped", adult),
            ("guardian_missing", "reminder", "advisor", "skipped", cleared),
            *[("documents_d30", "reminder", who, "skipped", cleared)
              for who in ("young_person", "guardian", "advisor")],
            *[("documents_d14", "reminder", who, "cancelled", ready)
              for who in ("young_person", "guardian", "advisor")],
            *[("documents_d7", "reminder", who, "cancelled", ready)
              for who in ("young_person", "guardian", "advisor")],
            ("documents_d7", "escalation", "supervisor", "cancelled", ready),
            ("ceam_d21", "reminder", "young_person", "cancelled", ready),
            ("ceam_d21", "escalation", "advisor", "cancelled", ready),
            ("ols_assessment_1_d14", "reminder", "young_person", "cancelled", ready),
            ("ols_assessment_1_d14", "escalation", "advisor", "cancelled", ready),
        ])  # fmt: skip
        assert expected == unsent
        _assert_nothing_twice(smtp)


class TestPrefinancing:
    """The pre-financing reminder: signature + 30 days, and never after departure."""

    async def test_a_late_signature_is_reminded_before_departure(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Signed 21 days before leaving: finance hears about it by the departure day."""
        start = date(2026, 1, 26)
        cid = walker.open(walker.person())
        walker.to_contracted(cid, start, start + 60 * DAY)
        await pump.until(utc(2026, 1, 6))
        walker.clear_for_departure(cid)
        await pump.until(paris(start, 12))
        walker.fire(cid, "confirm_arrival", {"actual_start": start})
        await pump.until(paris(start + 30 * DAY))

        by_departure = [
            m.at for m in smtp.received if m.to == (FINANCE_EMAIL,) and m.at <= paris(start, 12)
        ]
        assert len(by_departure) >= 1


class TestQuietHours:
    """Quiet hours are the recipient's own night, not Ipm's."""

    @pytest.fixture
    def delivery_settings(self) -> dict[str, Any]:
        """Quiet from 21:00 to 08:00, each recipient in their own time zone."""
        return {"quiet_hours_start": time(21), "quiet_hours_end": time(8)}

    async def test_young_people_hear_from_us_after_eight_in_their_time_zone(
        self, walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """The D-60 mail leaves at 09:00 in Paris, and waits for 08:00 in Montreal."""
        zones = {"paris@young.example": "Europe/Paris", "qc@young.example": "America/Montreal"}
        languages = {"paris@young.example": "fr", "qc@young.example": "en"}
        cases = {}
        for email, zone in zones.items():
            person = walker.person(email=email, timezone=zone, language=languages[email])
            cases[email] = walker.open(person)
            walker.to_contracted(cases[email], START, END)
        d60 = paris(START - 60 * DAY)
        await pump.until(d60 + timedelta(hours=1))
        [held] = [
            r
            for r in walker.reminders(cases["qc@young.example"])
            if (r.rule_id, r.recipient) == ("documents_d60", "young_person")
        ]
        expected_held: tuple[Any, ...] = (
            "planned",
            utc(2026, 2, 19, 13),
            0,
            "held back for quiet hours in America/Montreal",
            [],
        )
        actual_held = (
            held.status,
            held.next_attempt_at,
            held.attempts,
            held.outcome,
            attempts_of(walker.container.engine, held.id),
        )
        assert expected_held == actual_held
        await pump.until(d60 + timedelta(hours=12))

        local = {
            m.to[0]: (m.at.astimezone(ZoneInfo(zones[m.to[0]])).strftime("%H:%M"), m.subject)
            for m in smtp.received
            if m.to[0] in zones
        }
        expected = {
            "paris@young.example": ("09:00", "Documents à fournir avant le départ"),
            "qc@young.example": ("08:00", "Documents needed before departure"),
        }
        assert expected == local
        _assert_nothing_twice(smtp)

    async def test_a_staff_reminder_due_at_night_waits_for_the_morning(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, clock: ManualClock
    ) -> None:
        """A referral logged at 22:30 in Paris is chased 48 h later at 08:00, not at 22:30."""
        clock.set(utc(2026, 1, 5, 21, 30))
        cid = walker.open(walker.person())
        await pump.until(utc(2026, 1, 10))

        sent = [(m.to[0], m.at) for m in smtp.received]
        expected = [
            (ADVISOR_EMAIL, paris(date(2026, 1, 8), 8)),
            (SUPERVISOR_EMAIL, paris(date(2026, 1, 9), 8)),
        ]
        assert expected == sent
        statuses = Counter(r.status for r in walker.reminders(cid))
        expected_statuses = Counter({"sent": 2})
        assert expected_statuses == statuses
