"""Documents needed through a period are judged on covering it, by the guard and the reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipm_workflow.domain.errors import GuardFailed
from ipm_workflow.domain.reminders import condition_cleared
from ipm_workflow.services.commands import RecordDocument
from journey import CHECKLIST, Journey

DOCUMENT_RULES = ("documents_d60", "documents_d30", "documents_d14", "documents_d7", "ceam_d21")


def _stay(journey: Journey, case_id: int) -> tuple[date, date]:
    data = journey.walk_to(case_id, "PREPARING").data
    return date.fromisoformat(data["planned_start"]), date.fromisoformat(data["planned_end"])


def _record(
    journey: Journey, case_id: int, document: str, valid_from: date | None, valid_until: date
) -> None:
    cmd = RecordDocument(case_id, document, "validated", valid_from, valid_until)
    journey.cases.record_document(cmd, journey.advisor)


def _papers(journey: Journey, case_id: int, end: date, insurance: tuple[date, date]) -> None:
    """Identity and CEAM valid a year past the return `end`; the insurance from..until."""
    for document in ("identity", "ceam"):
        _record(journey, case_id, document, None, end + timedelta(days=365))
    _record(journey, case_id, "insurance", *insurance)


def _ready_refused(journey: Journey, case_id: int) -> list[str]:
    """Fill the checklist and confirm the case ready: the messages of the refusal."""
    journey.set(case_id, **CHECKLIST)
    with pytest.raises(GuardFailed) as caught:
        journey.fire(case_id, "confirm_ready")
    return [u.message for u in caught.value.unmet]


def _cleared(journey: Journey, case_id: int) -> dict[str, bool]:
    """Whether each documents reminder rule of the case has nothing left to remind."""
    case = journey.case(case_id)
    definition = journey.cases.workflow_of(case).definition
    facts = case.facts(journey.today(), date(2005, 6, 15))
    rules = {r.id: r for r in definition.reminders}
    return {name: condition_cleared(rules[name], facts) for name in DOCUMENT_RULES}


def _deliver_due(journey: Journey) -> None:
    delivery = journey.container.delivery
    while claimed := delivery.claim("cover-test"):
        for reminder in claimed:
            message = delivery.prepare(reminder, "cover-test")
            if message is not None:
                delivery.sent(reminder, "cover-test", message)


class TestCoverOfTheStay:
    """Variant B: insurance valid from the departure to the return date."""

    def test_insurance_starting_at_departure_clears_departure_and_silences_reminders(
        self, journey: Journey, case_id: int
    ) -> None:
        """Before departure, an insurance covering exactly the stay counts as present."""
        start, end = _stay(journey, case_id)
        _papers(journey, case_id, end, (start, end))
        journey.doc(case_id, "learning_agreement")
        journey.set(case_id, **CHECKLIST)
        journey.move_to(start - timedelta(days=30))
        _deliver_due(journey)
        expected_cleared = dict.fromkeys(DOCUMENT_RULES, True)
        sent = [
            (r.rule_id, r.recipient)
            for r in journey.container.reminders.of_case(case_id, journey.advisor)
            if r.rule_id in DOCUMENT_RULES and r.status == "sent"
        ]
        expected = (expected_cleared, [], "READY")
        fired = journey.fire(case_id, "confirm_ready")
        assert expected == (_cleared(journey, case_id), sent, fired.case.state)

    def test_insurance_ending_before_the_return_is_named_with_its_dates(
        self, journey: Journey, case_id: int
    ) -> None:
        """An insurance on file stopping before the return is refused with its dates."""
        start, end = _stay(journey, case_id)
        _papers(journey, case_id, end, (start, end - timedelta(days=1)))
        expected = [
            f"documents not in order: insurance (expires {end - timedelta(days=1)} before "
            f"planned_end {end})"
        ]
        assert expected == _ready_refused(journey, case_id)

    def test_insurance_starting_after_departure_does_not_cover_the_stay(
        self, journey: Journey, case_id: int
    ) -> None:
        """A cover starting a day after the departure leaves a gap: refused, with the reason."""
        start, end = _stay(journey, case_id)
        _papers(journey, case_id, end, (start + timedelta(days=1), end))
        expected = [
            f"documents not in order: insurance (valid only from {start + timedelta(days=1)}, "
            f"after planned_start {start})"
        ]
        assert expected == _ready_refused(journey, case_id)
        assert {"documents_d60": _cleared(journey, case_id)["documents_d60"]} == {
            "documents_d60": False
        }
