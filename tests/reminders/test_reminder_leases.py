"""Leases on claimed reminders: a worker that stops answering is taken over."""

from __future__ import annotations

from datetime import timedelta

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from journey import Journey, utc

DUE = utc(2026, 1, 7)  # the advisor's first-contact reminder
LEASE = timedelta(minutes=5)  # the default IPM_WORKER_LEASE_SECONDS


class TestLeases:
    """DeliveryService.claim and the lease it takes."""

    def test_a_live_lease_keeps_other_workers_away(
        self, walker: Journey, container: Container, clock: ManualClock
    ) -> None:
        """Within the lease nobody else gets the reminder; after it, another worker does."""
        walker.open(walker.person())
        clock.set(DUE)
        [held] = container.delivery.claim("worker-a")
        clock.advance(LEASE - timedelta(seconds=1))
        during = container.delivery.claim("worker-b")
        clock.advance(timedelta(seconds=2))
        [taken] = container.delivery.claim("worker-b")

        expected = ([], held.id, 2, "worker-b")
        assert expected == (during, taken.id, taken.attempts, taken.claimed_by)

    def test_the_first_worker_cannot_record_after_a_takeover(
        self, walker: Journey, container: Container, clock: ManualClock
    ) -> None:
        """Once taken over, the first worker's outcome is refused; the second one's counts."""
        walker.open(walker.person())
        clock.set(DUE)
        delivery = container.delivery
        [held] = delivery.claim("worker-a")
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
        self, walker: Journey, container: Container, clock: ManualClock
    ) -> None:
        """A slow worker whose lease ran out gets nothing to send: the other one has it."""
        walker.open(walker.person())
        clock.set(DUE)
        delivery = container.delivery
        [held] = delivery.claim("worker-a")
        clock.advance(LEASE + timedelta(seconds=1))
        delivery.claim("worker-b")

        assert delivery.prepare(held, "worker-a") is None
