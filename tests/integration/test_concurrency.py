"""Optimistic concurrency: one case, several advisors firing at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import DomainError, InvalidTransition, VersionConflict
from ipm_workflow.services.commands import FireTrigger, RecordDocument, UpdateData
from ipm_workflow.services.handlers import Fired
from journey import Journey

Outcome = Fired | DomainError


def _race(threads: int, attempt: Callable[[], Fired]) -> list[Outcome]:
    """Run the same attempt in several threads released together; collect results and errors."""
    barrier = threading.Barrier(threads)

    def run(_: int) -> Outcome:
        barrier.wait(timeout=30)
        try:
            return attempt()
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


def _first_contacts(journey: Journey, case_id: int) -> int:
    return sum(1 for e in journey.history(case_id) if e.trigger == "log_first_contact")


class TestSameTriggerAtOnce:
    """Several advisors fire the same trigger on the same case at the same time."""

    @pytest.mark.parametrize("threads", [2, 10])
    def test_same_expected_version_one_wins(
        self, journey: Journey, case_id: int, threads: int
    ) -> None:
        """Exactly one succeeds; every other one gets a VersionConflict naming the new version."""
        cmd = FireTrigger(
            case_id, "log_first_contact", {"first_contact_date": "2026-01-05"}, expected_version=1
        )
        results = _race(threads, lambda: journey.cases.fire(cmd, journey.advisor))
        wins = [r for r in results if isinstance(r, Fired)]
        conflicts = [(r.expected, r.current) for r in results if isinstance(r, VersionConflict)]
        expected = (1, [(1, 2)] * (threads - 1))
        assert expected == (len(wins), conflicts)
        case = journey.case(case_id)
        expected_case = ("CONTACTED", 2, 2)
        assert expected_case == (case.state, case.version, len(journey.history(case_id)))
        expected_entries = 1
        assert expected_entries == _first_contacts(journey, case_id)

    @pytest.mark.parametrize("threads", [2, 10])
    def test_without_expected_version_the_state_decides(
        self, container: Container, journey: Journey, case_id: int, threads: int
    ) -> None:
        """Without a version, losers are judged on the moved state, never on a version."""
        cmd = FireTrigger(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
        results = _race(threads, lambda: journey.cases.fire(cmd, journey.advisor))
        wins = [r for r in results if isinstance(r, Fired)]
        losers = [type(r) for r in results if not isinstance(r, Fired)]
        expected_wins = 1
        assert expected_wins == len(wins)
        assert set(losers) <= {InvalidTransition}
        expected_losers = threads - 1
        assert expected_losers == len(losers)
        expected = (2, 1)
        assert expected == (journey.case(case_id).version, _first_contacts(journey, case_id))
        [report] = container.cases.verify([case_id])
        assert report.ok


class TestStaleVersion:
    """A command based on an old read of the case is refused, whatever it does."""

    def _case_at_version_3(self, journey: Journey, case_id: int) -> None:
        journey.fire(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
        journey.set(case_id, programme="erasmus_vet")
        expected = 3
        assert expected == journey.case(case_id).version

    def test_stale_fire_carries_the_current_version(self, journey: Journey, case_id: int) -> None:
        """Firing with version 1 when the case is at 3 says so, and changes nothing."""
        self._case_at_version_3(journey, case_id)
        cmd = FireTrigger(
            case_id,
            "assess",
            {"programme": "erasmus_vet", "eligibility_checked": True},
            expected_version=1,
        )
        with pytest.raises(VersionConflict) as caught:
            journey.cases.fire(cmd, journey.advisor)
        expected = (case_id, 1, 3)
        error = caught.value
        assert expected == (error.case_id, error.expected, error.current)
        assert f"case {case_id} is at version 3, not 1" in error.message
        after = journey.case(case_id)
        expected_case = ("CONTACTED", 3, 3)
        assert expected_case == (after.state, after.version, len(journey.history(case_id)))

    def test_stale_data_change_is_refused(self, journey: Journey, case_id: int) -> None:
        """A data change on an old version is a VersionConflict too."""
        self._case_at_version_3(journey, case_id)
        cmd = UpdateData(case_id, {"travel_booked": True}, expected_version=2)
        with pytest.raises(VersionConflict) as caught:
            journey.cases.update_data(cmd, journey.advisor)
        expected = (2, 3)
        assert expected == (caught.value.expected, caught.value.current)
        assert "travel_booked" not in journey.case(case_id).data

    def test_stale_document_is_refused(self, journey: Journey, case_id: int) -> None:
        """Recording a document on an old version is a VersionConflict too."""
        self._case_at_version_3(journey, case_id)
        cmd = RecordDocument(case_id, "identity", "received", expected_version=2)
        with pytest.raises(VersionConflict) as caught:
            journey.cases.record_document(cmd, journey.advisor)
        expected = (2, 3, "missing")
        status = journey.case(case_id).documents["identity"].status
        assert expected == (caught.value.expected, caught.value.current, status)

    def test_current_version_is_accepted(self, journey: Journey, case_id: int) -> None:
        """The version just read is the right one to send."""
        self._case_at_version_3(journey, case_id)
        inputs = {"programme": "erasmus_vet", "eligibility_checked": True}
        fired = journey.fire(case_id, "assess", inputs, expected_version=3)
        expected = ("ASSESSED", 4)
        assert expected == (fired.case.state, fired.case.version)
