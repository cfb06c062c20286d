"""Leases on claimed reminders: a worker that stops answering is taken over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.reminders import Reminder
from journey import Journey, utc

DUE = utc(2026, 1, 7)  # the advisor's first-contact reminder
LEASE = timedelta(minutes=5)  # the default IPM_WORKER_LEASE_SECONDS


@pytest.fixture
def held(walker: Journey, container: Container, clock: ManualClock) -> Reminder:
    """A case's first reminder, due now, claimed by worker-a (its lease starts now)."""
    walker.open(walker.person())
    clock.set(DUE)
    [claimed] = container.delivery.claim("worker-a")
    return claimed


class TestLeases:
    """DeliveryService.claim and the lease it takes."""

    def test_a_live_lease_keeps_other_workers_away(
        self, held: Reminder, walker: Journey, container: Container, clock: ManualClock
    ) -> None:
        """Within the lease nobody else gets the reminder; after it, another worker does."""
        clock.advance(LEASE - timedelta(seconds=1))
        during = container.delivery.claim("worker-b")
        clock.advance(timedelta(seconds=2))
        [taken] = container.delivery.claim("worker-b")

        expected = ([], held.id, 2, "worker-b")
        assert expected == (during, taken.id, taken.attempts, taken.claimed_by)

    def test_the_first_worker_cannot_record_after_a_takeover(
        self, held: Reminder, walker: Journey, container: Container, clock: ManualClock
    ) -> None:
        """Once taken over, the first worker's outcome is refused; the second one's counts."""
        delivery = container.delivery
        message = delivery.prepare(held, "worker-a")
        assert message is not None
        clock.advance(LEASE + timedelta(seconds=1))
        [taken] = delivery.claim("worker-b")
        delivery.sent(held, "worker-a", message)
        delivery.sent(taken, "worker-b", message)

        [row] = [r for r in walker.reminders(taken.case_id) if r.id == taken.id]
        expected = ("sent", 2, None)
        assert expected == (row.status, row.attempts, row.claimed_by)

    def test_a_worker_past_its_lease_does_not_send(
        self, held: Reminder, walker: Journey, container: Container, clock: ManualClock
    ) -> None:
        """A slow worker whose lease ran out gets nothing to send: the other one has it."""
        delivery = container.delivery
        clock.advance(LEASE + timedelta(seconds=1))
        delivery.claim("worker-b")

        assert delivery.prepare(held, "worker-a") is None
