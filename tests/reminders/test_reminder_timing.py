"""Reminders across time: a version migration keeps what was sent and when the state began;
after downtime one catch-up per rule and recipient, the series goes on from when it went out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from reminder_kit import Pump
from reminder_sinks import SmtpSink
from typer.testing import Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import User
from ipm_workflow.domain.reminder_lifecycle import Status
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.commands import Actor, OpenCase
from journey import ADVISOR_EMAIL, YP_EMAIL, Journey
from journey.fixtures import workflows_of

FIXTURE = Path(__file__).parent / "fixtures" / "w"
HOST_EMAIL = "host@host.example"
DAY = timedelta(days=1)
pytestmark = pytest.mark.anyio


workflows_dir, registry = workflows_of(FIXTURE)


def _open(container: Container, walker: Journey, advisor: Actor, trigger: str) -> int:
    person = walker.person()
    cmd = OpenCase(person, "w", "ml-a", advisor.user_id, {}, workflow_version=1)
    case = container.cases.open_case(cmd, advisor)
    assert case.id is not None
    walker.fire(case.id, trigger, {"host_email": HOST_EMAIL})
    return case.id


def _rows(walker: Journey, cid: int, rule: str) -> list[Reminder]:
    return [r for r in walker.reminders(cid) if r.rule_id == rule]


@pytest.fixture
async def downtime(
    container: Container, walker: Journey, advisor: Actor, pump: Pump, clock: ManualClock
) -> tuple[int, datetime]:
    """Open a case on the daily series, keep the worker down 11 days, then run it once;
    return the case and the moment the worker came back."""
    cid = _open(container, walker, advisor, "daily")
    clock.set(clock.now() + 11 * DAY)
    back = clock.now()
    await pump.worker.run_once()
    return cid, back


def _mails(smtp: SmtpSink, reminders: list[Reminder]) -> list[tuple[str, ...]]:
    ids = {r.id for r in reminders}
    return [m.to for m in smtp.received if m.reminder_id in ids]


class TestMigrationKeepsTheStay:
    """`workflows migrate w --to 2 --map WAITING=PENDING` on a case whose notice went out."""

    async def test_nothing_sent_goes_out_again_and_the_time_limit_keeps_counting(
        self,
        container: Container,
        walker: Journey,
        advisor: Actor,
        pump: Pump,
        smtp: SmtpSink,
        clock: ManualClock,
        cli: Callable[..., Result],
    ) -> None:
        """The issue's input, through the CLI and a real SMTP server."""
        cid = _open(container, walker, advisor, "wait")
        entered = walker.case(cid).state_entered_at
        await pump.until(clock.now())
        notices = _rows(walker, cid, "waiting_notice")
        assert sorted(_mails(smtp, notices)) == [(YP_EMAIL,), (HOST_EMAIL,)]
        clock.set(clock.now() + 8 * DAY)  # past WAITING's time limit of 7 days

        result = cli("workflows", "migrate", "w", "--to", "2", "--map", "WAITING=PENDING")
        assert result.exit_code == 0, result.output

        case = walker.case(cid)
        assert ("PENDING", 2, entered) == (case.state, case.workflow_version, case.state_entered_at)
        await pump.until(clock.now() + 3 * DAY)
        assert smtp.count() == 2
        after = _rows(walker, cid, "waiting_notice")
        assert [r.status for r in after] == [Status.SENT, Status.SENT]
        overdue, _ = container.cases.list_cases(CaseQuery(workflow="w"), advisor, overdue=True)
        assert [cid] == [c.id for c in overdue]

    async def test_on_the_services_clock_the_worker_sends_nothing_twice(
        self,
        container: Container,
        walker: Journey,
        advisor: Actor,
        pump: Pump,
        smtp: SmtpSink,
        clock: ManualClock,
        directory: dict[str, User],
    ) -> None:
        """A variant at the worker's own time: migrate, then run the worker again."""
        cid = _open(container, walker, advisor, "wait")
        await pump.until(clock.now())
        clock.set(clock.now() + DAY)
        supervisor = Actor.of(directory["supervisor"])

        [moved] = container.versions.migrate("w", 2, {"WAITING": "PENDING"}, supervisor)
        await pump.until(clock.now() + DAY)

        assert (moved.from_state, moved.to_state) == ("WAITING", "PENDING")
        assert smtp.count() == 2
        assert len(_rows(walker, cid, "waiting_notice")) == 2

    def test_a_changed_rule_is_planned_again_from_its_original_anchor(
        self,
        container: Container,
        walker: Journey,
        advisor: Actor,
        clock: ManualClock,
        directory: dict[str, User],
    ) -> None:
        """v2 moves daily_nudge from day 1 to day 2 after entering DAILY: the waiting one moves."""
        cid = _open(container, walker, advisor, "daily")
        entered = walker.case(cid).state_entered_at
        clock.set(clock.now() + DAY / 2)
        container.versions.migrate(
            "w", 2, {"WAITING": "PENDING"}, Actor.of(directory["supervisor"])
        )

        nudges = [r for r in _rows(walker, cid, "daily_nudge") if r.kind == "reminder"]
        assert [(0, Status.PLANNED, entered + 2 * DAY)] == [
            (r.occurrence, r.status, r.due_at) for r in nudges
        ]
        late_ok = _rows(walker, cid, "daily_late_ok")
        assert [entered + DAY] == [r.due_at for r in late_ok]


class TestCatchUpAfterDowntime:
    """The worker is down for ten days while a daily series falls due."""

    async def test_one_catch_up_per_rule_and_recipient_then_the_series_goes_on(
        self, downtime: tuple[int, datetime], walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Five missed repetitions make one e-mail; the next is a day after it went out."""
        cid, back = downtime

        nudges = _rows(walker, cid, "daily_nudge")
        sent = [r for r in nudges if r.kind == "reminder" and r.status is Status.SENT]
        assert _mails(smtp, sent) == [(YP_EMAIL,)]
        [following] = [r for r in nudges if r.kind == "reminder" and r.occurrence == 1]
        assert (Status.PLANNED, back + DAY) == (following.status, following.due_at)

        # The series goes on day by day from the catch-up, up to its five occurrences.
        await pump.until(back + 10 * DAY)
        young = [m for m in _mails(smtp, _rows(walker, cid, "daily_nudge")) if m == (YP_EMAIL,)]
        assert len(young) == 5

    async def test_a_skipped_late_occurrence_never_ends_its_series(
        self, downtime: tuple[int, datetime], walker: Journey, pump: Pump
    ) -> None:
        """With max_lateness P1D the late occurrence is skipped, and the next is planned."""
        cid, back = downtime

        rows = sorted(_rows(walker, cid, "daily_late_ok"), key=lambda r: r.occurrence)
        assert rows[0].status == Status.SKIPPED
        assert (rows[0].outcome or "").startswith("too late")
        assert (1, Status.PLANNED, back + DAY) == (
            rows[1].occurrence,
            rows[1].status,
            rows[1].due_at,
        )
        await pump.until(back + DAY)
        assert _rows(walker, cid, "daily_late_ok")[1].status == Status.SENT

    async def test_escalation_and_timeout_wait_their_delay_after_the_late_reminder(
        self, downtime: tuple[int, datetime], walker: Journey, pump: Pump, smtp: SmtpSink
    ) -> None:
        """Nobody is escalated, and the case is not closed, in the second the reminder goes out."""
        cid, back = downtime

        by_kind: dict[str, Any] = {r.kind: r for r in _rows(walker, cid, "daily_nudge")}
        assert (Status.PLANNED, back + 2 * DAY) == (
            by_kind["escalation"].status,
            by_kind["escalation"].next_attempt_at,
        )
        assert (Status.PLANNED, back + 8 * DAY) == (
            by_kind["timeout"].status,
            by_kind["timeout"].next_attempt_at,
        )
        assert walker.case(cid).state == "DAILY"
        assert ADVISOR_EMAIL not in {m.to[0] for m in smtp.received}
        await pump.until(back + 2 * DAY)
        assert ADVISOR_EMAIL in {m.to[0] for m in smtp.received}
        await pump.until(back + 8 * DAY)
        assert walker.case(cid).state == "LOST"
