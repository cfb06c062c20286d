"""When the SMTP server is down or refuses: back-off, dead letters, and retry by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from reminder_kit import Pump, attempts_of
from reminder_sinks import SmtpSink
from typer.testing import Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.reminders import Reminder
from journey import CASES, ApiJourney, Journey, utc

pytestmark = pytest.mark.anyio

DUE = utc(2026, 1, 7)  # 48 h after the referral: the advisor's first-contact reminder
SECOND = timedelta(seconds=1)


def _first_contact(walker: Journey, case_id: int) -> Reminder:
    [found] = [r for r in walker.reminders(case_id) if r.recipient == "advisor"]
    return found


class TestServerDown:
    """The SMTP server is unreachable for a while, then comes back."""

    @pytest.fixture
    def delivery_settings(self) -> dict[str, Any]:
        """Back-off from one minute, up to six attempts."""
        return {"max_attempts": 6, "backoff_base_seconds": 60, "backoff_max_seconds": 3600}

    async def test_attempts_back_off_then_all_arrive_once_it_is_back(
        self, walker: Journey, pump: Pump, smtp: SmtpSink, container: Container
    ) -> None:
        """Attempts at +0, +1, +3 min, then +7 min once the server is back; each mail once."""
        cases = [walker.open(walker.person()) for _ in range(5)]
        smtp.stop()
        await pump.until(DUE + timedelta(minutes=5))
        waiting = {
            (r.status, r.attempts, r.next_attempt_at)
            for r in (_first_contact(walker, c) for c in cases)
        }
        expected_waiting = {("retry", 3, DUE + timedelta(minutes=7))}
        assert expected_waiting == waiting
        smtp.start()
        await pump.until(DUE + timedelta(hours=1))

        reminders = [_first_contact(walker, c) for c in cases]
        tries = [
            [
                (a["attempt"], a["at"] - DUE, a["result"])
                for a in attempts_of(container.engine, r.id)
            ]
            for r in reminders
        ]
        backoff = [(1, 0, "retry"), (2, 1, "retry"), (3, 3, "retry"), (4, 7, "sent")]
        expected_tries = [[(n, timedelta(minutes=at), result) for n, at, result in backoff]] * len(
            cases
        )
        assert expected_tries == tries
        errors = {a["detail"].split(":")[0] for a in attempts_of(container.engine, reminders[0].id)}
        expected_errors = {"SMTP unreachable", "delivered by email"}
        assert expected_errors == errors
        expected_ids = sorted(f"<reminder-{r.id}@ipm-workflow.example.org>" for r in reminders)
        assert expected_ids == sorted(smtp.message_ids().elements())


class TestDeadLetter:
    """After the attempt limit a reminder is dead-lettered until someone requeues it."""

    @pytest.fixture
    def delivery_settings(self) -> dict[str, Any]:
        """Two attempts, a minute apart."""
        return {"max_attempts": 2, "backoff_base_seconds": 60}

    async def test_dead_letter_is_listed_and_requeued_by_hand(
        self,
        walker: Journey,
        pump: Pump,
        smtp: SmtpSink,
        api: ApiJourney,
        cli: Callable[..., Result],
        clock: ManualClock,
    ) -> None:
        """Dead after two attempts; GET and `reminders list` show it; `retry` delivers it."""
        cid = walker.open(walker.person())
        smtp.stop()
        await pump.until(DUE + timedelta(minutes=10))
        smtp.start()
        await pump.until(DUE + timedelta(minutes=20))
        dead = _first_contact(walker, cid)
        expected_dead = ("dead", 2, 0)
        assert expected_dead == (dead.status, dead.attempts, smtp.count())
        assert dead.outcome is not None
        assert dead.outcome.startswith("2 attempts failed: SMTP unreachable")

        listed = api.call("GET", f"{CASES}/{cid}/reminders").json()
        over_http = [(r["id"], r["status"], r["outcome"]) for r in listed if r["status"] == "dead"]
        assert [(dead.id, "dead", dead.outcome)] == over_http
        by_case = cli("reminders", "list", "--case", str(cid))
        [line] = [row for row in by_case.stdout.splitlines() if row.split()[0] == str(dead.id)]
        assert "dead" in line.split()
        assert "first_contact_overdue" in line.split()
        summary = cli("reminders", "list")
        assert "dead=1" in summary.stdout.splitlines()[0]

        retried = cli("reminders", "retry", str(dead.id))
        requeued = _first_contact(walker, cid)
        expected_requeued = (0, f"reminder {dead.id} requeued", "retry", 0)
        actual_requeued = (
            retried.exit_code,
            retried.stdout.strip(),
            requeued.status,
            requeued.attempts,
        )
        assert expected_requeued == actual_requeued
        # The CLI requeues at the real time; it may be night in Paris, so allow for the morning.
        await pump.until(max(clock.now(), requeued.next_attempt_at) + timedelta(days=1))

        delivered = _first_contact(walker, cid)
        expected_delivered = ("sent", [f"<reminder-{dead.id}@ipm-workflow.example.org>"])
        actual_ids = [m.message_id for m in smtp.received if m.reminder_id == dead.id]
        assert expected_delivered == (delivered.status, actual_ids)
        again = cli("reminders", "retry", str(dead.id))
        expected_again = 1
        assert expected_again == again.exit_code


class TestRefusals:
    """What the server answers decides: 4xx is tried again, 5xx is dead at once."""

    @pytest.fixture
    def delivery_settings(self) -> dict[str, Any]:
        """Up to six attempts, a minute apart at first."""
        return {"max_attempts": 6, "backoff_base_seconds": 60}

    @pytest.mark.parametrize(
        ("stage", "reply", "expected"),
        [
            ("data", "451 4.3.0 Try again later", ("retry", 1)),
            ("data", "554 5.6.0 Message refused", ("dead", 1)),
            ("rcpt", "550 5.1.1 No such mailbox", ("dead", 1)),
            pytest.param(
                "rcpt",
                "450 4.2.1 Mailbox busy, try later",
                ("retry", 1),
            ),
        ],
    )
    async def test_the_reply_code_decides_retry_or_dead_letter(
        self,
        walker: Journey,
        pump: Pump,
        smtp: SmtpSink,
        stage: str,
        reply: str,
        expected: tuple[str, int],
    ) -> None:
        """A refused mail is retried on a 4xx reply and dead-lettered on a 5xx reply."""
        cid = walker.open(walker.person())
        setattr(smtp, f"refuse_{stage}", reply)
        await pump.until(DUE + 30 * SECOND)

        reminder = _first_contact(walker, cid)
        assert expected == (reminder.status, reminder.attempts)
        assert reminder.outcome is not None
        assert reply.split(maxsplit=1)[0] in reminder.outcome
