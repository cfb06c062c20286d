"""Acknowledging a reminder stops its repetitions, its escalation and its timeout."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from reminder_kit import Pump, abroad, in_follow_up
from reminder_sinks import SmtpSink

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.commands import Actor
from journey import (
    ADVISOR_EMAIL,
    CASES,
    HOST_EMAIL,
    SUPERVISOR_EMAIL,
    ApiJourney,
    Journey,
    paris,
    utc,
)

pytestmark = pytest.mark.anyio

START, END = date(2026, 2, 16), date(2026, 5, 15)
DAY = timedelta(days=1)
OPENED = utc(2026, 1, 5)


def _one(reminders: list[Reminder], rule: str, recipient: str, occurrence: int = 0) -> Reminder:
    [found] = [
        r
        for r in reminders
        if (r.rule_id, r.recipient, r.occurrence, r.kind)
        == (rule, recipient, occurrence, "reminder")
    ]
    return found


def _mail(walker: Journey, smtp: SmtpSink, case_id: int) -> list[tuple[object, ...]]:
    rows = {r.id: r for r in walker.reminders(case_id)}
    return sorted(
        (m.to[0], rows[m.reminder_id].rule_id, rows[m.reminder_id].occurrence)
        for m in smtp.received
    )


class TestAcknowledgeService:
    """ReminderService.acknowledge, as an advisor calls it."""

    async def test_an_acknowledged_reminder_is_not_escalated(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, advisor: Actor, container: Container
    ) -> None:
        """The 48 h first-contact reminder, acknowledged, never reaches the supervisor."""
        cid = walker.open(walker.person())
        await pump.until(OPENED + 2 * DAY + DAY / 24)
        reminder = _one(walker.reminders(cid), "first_contact_overdue", "advisor")
        acknowledged = container.reminders.acknowledge(cid, reminder.id, advisor)
        await pump.until(OPENED + 6 * DAY)

        expected_mail = [(ADVISOR_EMAIL, "first_contact_overdue", 0)]
        assert expected_mail == _mail(walker, smtp, cid)
        [escalation] = [r for r in walker.reminders(cid) if r.kind == "escalation"]
        expected = ("acknowledged", "acknowledged", OPENED + 2 * DAY + DAY / 24)
        assert expected == (escalation.status, escalation.outcome, acknowledged.acknowledged_at)
        [entry] = [e for e in walker.history(cid) if e.kind == "reminder_acknowledged"]
        expected_payload = {"reminder_id": reminder.id, "rule_id": reminder.rule_id, "stopped": 1}
        assert expected_payload == dict(entry.payload)

    async def test_an_acknowledged_check_in_is_not_repeated(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, advisor: Actor, container: Container
    ) -> None:
        """The weekly check-in stops for everyone; the fortnightly one still comes."""
        cid = await abroad(walker, pump, START, END, host_email=HOST_EMAIL)
        arrival = paris(START, 12)
        await pump.until(arrival + 8 * DAY)
        first = _one(walker.reminders(cid), "check_in_first_month", "advisor")
        container.reminders.acknowledge(cid, first.id, advisor)
        await pump.until(arrival + 36 * DAY)

        expected = sorted(
            (who, rule, 0)
            for who in (ADVISOR_EMAIL, HOST_EMAIL)
            for rule in ("check_in_first_month", "check_in_fortnightly")
        )
        assert expected == [m for m in _mail(walker, smtp, cid) if m[1].startswith("check_in")]

    async def test_recording_the_m6_answer_stops_the_call_and_the_email(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, advisor: Actor, container: Container
    ) -> None:
        """Once the advisor has the M+6 answer in hand, the later survey steps are not sent."""
        cid = await in_follow_up(walker, pump, START, END)
        m6 = paris(END + 182 * DAY)
        await pump.until(m6 + DAY)
        walker.outcome(cid, "m6", "cdi")
        await pump.until(m6 + 45 * DAY)

        m6_rows = sorted(
            (r.rule_id, r.kind, r.recipient, r.status)
            for r in walker.reminders(cid)
            if r.rule_id.startswith("outcome_m6")
        )
        expected = [
            ("outcome_m6", "reminder", "ml_advisor", "sent"),
            ("outcome_m6", "reminder", "young_person", "sent"),
            ("outcome_m6", "timeout", "system", "sent"),
            ("outcome_m6_call", "reminder", "advisor", "skipped"),
            ("outcome_m6_email", "reminder", "young_person", "skipped"),
        ]
        assert expected == m6_rows
        expected_state = "FOLLOW_UP"
        assert expected_state == walker.case(cid).state

    def test_a_reminder_acknowledged_while_being_sent_is_not_repeated(
        self, walker: Journey, advisor: Actor, container: Container, clock: ManualClock
    ) -> None:
        """The advisor acknowledges while the worker holds the check-in: no next occurrence."""
        cid = walker.open(walker.person())
        walker.to_contracted(cid, START, END)
        walker.system(cid, "start_preparation")
        walker.clear_for_departure(cid)
        clock.set(paris(START, 12))
        walker.fire(cid, "confirm_arrival", {"actual_start": START})
        clock.set(paris(START, 12) + 7 * DAY)
        delivery = container.delivery
        claimed = delivery.claim("worker-1")
        held = _one(claimed, "check_in_first_month", "advisor")
        message = delivery.prepare(held, "worker-1")
        assert message is not None
        container.reminders.acknowledge(cid, held.id, advisor)
        delivery.sent(held, "worker-1", message)

        pending = [
            r.occurrence
            for r in walker.reminders(cid)
            if r.rule_id == "check_in_first_month" and r.status == "planned"
        ]
        expected: list[int] = []
        assert expected == pending


class TestAcknowledgeHttp:
    """POST /api/v1/cases/{id}/reminders/{id}/acknowledge."""

    async def test_post_acknowledge_stops_the_escalation(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, api: ApiJourney
    ) -> None:
        """The advisor acknowledges over HTTP; the supervisor hears nothing."""
        cid = walker.open(walker.person())
        await pump.until(OPENED + 2 * DAY + DAY / 24)
        reminder = _one(walker.reminders(cid), "first_contact_overdue", "advisor")
        response = api.call("POST", f"{CASES}/{cid}/reminders/{reminder.id}/acknowledge")
        await pump.until(OPENED + 6 * DAY)

        expected = (200, OPENED + 2 * DAY + DAY / 24, "sent")
        body = response.json()
        actual = (
            response.status_code,
            datetime.fromisoformat(body["acknowledged_at"]),
            body["status"],
        )
        assert expected == actual
        assert SUPERVISOR_EMAIL not in {m.to[0] for m in smtp.received}
        listed = api.call("GET", f"{CASES}/{cid}/reminders").json()
        escalation = {(r["kind"], r["status"], r["outcome"]) for r in listed}
        assert ("escalation", "acknowledged", "acknowledged") in escalation

    async def test_post_acknowledge_stops_the_repetition(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, api: ApiJourney
    ) -> None:
        """A weekly check-in acknowledged over HTTP is not sent again."""
        cid = await abroad(walker, pump, START, END, host_email=HOST_EMAIL)
        arrival = paris(START, 12)
        await pump.until(arrival + 8 * DAY)
        first = _one(walker.reminders(cid), "check_in_first_month", "host")
        response = api.call("POST", f"{CASES}/{cid}/reminders/{first.id}/acknowledge")
        await pump.until(arrival + 30 * DAY)

        weekly = [m for m in _mail(walker, smtp, cid) if m[1] == "check_in_first_month"]
        expected = (
            200,
            [(ADVISOR_EMAIL, "check_in_first_month", 0), (HOST_EMAIL, "check_in_first_month", 0)],
        )
        assert expected == (response.status_code, weekly)

    def test_acknowledge_refuses_another_case_and_other_roles(
        self, walker: Journey, api: ApiJourney
    ) -> None:
        """A reminder is acknowledged through its own case, by an advisor of that case."""
        first, second = walker.open(walker.person()), walker.open(walker.person())
        reminder = _one(walker.reminders(first), "first_contact_overdue", "advisor")
        url = CASES + "/{}/reminders/{}/acknowledge"
        codes = (
            api.call("POST", url.format(second, reminder.id)).status_code,
            api.call("POST", url.format(first, reminder.id), "advisor_b").status_code,
            api.call("POST", url.format(first, reminder.id), "supervisor").status_code,
        )
        expected = (404, 404, 403)
        assert expected == codes
