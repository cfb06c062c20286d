"""The lifecycle in the database: a concurrent move never overwrites, an illegal one is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from typer.testing import Result

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.reminder_lifecycle import IllegalReminderMove, Mover, Status
from journey import Journey

DAY = timedelta(days=1)


def _first_contact(walker: Journey) -> tuple[int, int]:
    cid = walker.open(walker.person())
    [reminder] = [
        r
        for r in walker.reminders(cid)
        if (r.rule_id, r.kind) == ("first_contact_overdue", "reminder")
    ]
    return cid, reminder.id


class TestGuardedUpdates:
    """Every store update names the statuses it may move from."""

    def test_a_case_change_does_not_cancel_what_a_worker_has_claimed(
        self, container: Container, walker: Journey, clock: ManualClock
    ) -> None:
        """The worker claimed the reminder first: the cancel finds nothing to move."""
        cid, rid = _first_contact(walker)
        clock.set(clock.now() + 3 * DAY)
        claimed = container.delivery.claim("w1")
        assert rid in {r.id for r in claimed}
        with container.uow() as uow:
            moved = uow.reminders.set_status(
                [rid], Status.CANCELLED, Mover.CASE_CHANGE, "case moved", clock.now()
            )
            uow.commit()
        assert moved == 0
        [held] = [r for r in walker.reminders(cid) if r.id == rid]
        assert (held.status, held.claimed_by) == (Status.SENDING, "w1")

    def test_nobody_but_a_worker_marks_a_reminder_sent(
        self, container: Container, walker: Journey, clock: ManualClock
    ) -> None:
        """An undeclared move is an error before any row is touched."""
        cid, rid = _first_contact(walker)
        with container.uow() as uow:
            with pytest.raises(IllegalReminderMove):
                uow.reminders.set_status([rid], Status.SENT, Mover.ADVISOR, "x", clock.now())
            uow.commit()
        [row] = [r for r in walker.reminders(cid) if r.id == rid]
        assert row.status == Status.PLANNED

    def test_requeueing_a_planned_reminder_is_refused_with_a_clear_line(
        self, walker: Journey, cli: Callable[..., Result]
    ) -> None:
        """`reminders retry ID` on a reminder that is not dead nor skipped: exit 1, no traceback."""
        _, rid = _first_contact(walker)
        result = cli("reminders", "retry", str(rid))
        assert result.exit_code == 1
        assert "cannot go from planned to retry by supervisor" in result.output
        assert "Traceback" not in result.output
