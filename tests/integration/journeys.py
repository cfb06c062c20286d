"""A journey driver: cases walked through the real service layer, as an advisor would."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case, DocumentStatus, HistoryEntry
from ipm_workflow.domain.people import Person
from ipm_workflow.services.commands import (
    SYSTEM,
    Actor,
    FireTrigger,
    OpenCase,
    RecordDocument,
    UpdateData,
)
from ipm_workflow.services.handlers import Fired

WORKFLOW = "erasmus_vet_long"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
GRANT = "2026-1-FR01-KA121-VET-000001"
HOST = {
    "destination_country": "Malta",
    "host_organisation": "Host Ltd",
    "mentor_name": "Mentor Témoin",
}
CHECKLIST = {
    "ols_assessment_1_done": True,
    "travel_booked": True,
    "emergency_contacts_filled": True,
}
# The order of the normal variant-B journey; `Journey.walk_to` stops at any of these states.
NORMAL_PATH = [
    "REFERRED", "CONTACTED", "ASSESSED", "APPLIED", "SELECTED", "MATCHED", "CONTRACTED",
    "PREPARING", "READY", "ABROAD", "RETURNED", "DEBRIEFED", "FOLLOW_UP",
]  # fmt: skip


def as_json(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Return inputs as an HTTP or CLI client sends them: dates as YYYY-MM-DD text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in inputs.items()}


class Journey:
    """Drives cases through the service layer as an advisor of mission locale A would."""

    def __init__(self, container: Container, clock: ManualClock, advisor: Actor) -> None:
        self.container = container
        self.clock = clock
        self.advisor = advisor
        self.cases = container.cases

    def today(self) -> date:
        """Return the calendar day at Ipm."""
        return self.cases.today()

    def advance(self, days: float) -> None:
        """Let some days pass."""
        self.clock.advance(timedelta(days=days))

    def move_to(self, day: date, hour: int = 9) -> None:
        """Jump to a given day at a given UTC hour."""
        self.clock.set(datetime.combine(day, time(hour), tzinfo=UTC))

    def person(self, birth_date: date, **contact: Any) -> int:
        """Register a young person and return the id."""
        person = Person(None, "Alix", "Témoin", birth_date, **contact)
        registered = self.container.people.register(person, self.advisor).person
        assert registered.id is not None
        return registered.id

    def open(self, person_id: int, inputs: Mapping[str, Any] | None = None) -> int:
        """Open a case on the variant-B workflow for mission locale A."""
        cmd = OpenCase(person_id, WORKFLOW, "ml-a", self.advisor.user_id, inputs or OPENING)
        case = self.cases.open_case(cmd, self.advisor)
        assert case.id is not None
        return case.id

    def fire(
        self,
        case_id: int,
        trigger: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        reason: str | None = None,
        actor: Actor | None = None,
        expected_version: int | None = None,
    ) -> Fired:
        """Fire a trigger as the advisor (or another actor); dates go as ISO text, like JSON."""
        cmd = FireTrigger(case_id, trigger, as_json(inputs or {}), reason, expected_version)
        return self.cases.fire(cmd, actor or self.advisor)

    def system(self, case_id: int, trigger: str, inputs: Mapping[str, Any] | None = None) -> Fired:
        """Fire a trigger as the system (timers)."""
        return self.fire(case_id, trigger, inputs, actor=SYSTEM)

    def set(self, case_id: int, **changes: Any) -> Case:
        """Change data fields of a case."""
        return self.cases.update_data(UpdateData(case_id, changes), self.advisor)

    def doc(
        self,
        case_id: int,
        document: str,
        status: DocumentStatus = "validated",
        valid_until: date | None = None,
    ) -> Case:
        """Record one document of the checklist."""
        cmd = RecordDocument(case_id, document, status, valid_until=valid_until)
        return self.cases.record_document(cmd, self.advisor)

    def case(self, case_id: int) -> Case:
        """Return a case as the advisor sees it."""
        return self.cases.get(case_id, self.advisor)

    def history(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's history."""
        return self.cases.history(case_id, self.advisor)

    def walk_to(self, case_id: int, state: str, **dates: date) -> Case:
        """Walk a case along the normal journey until it reaches a state (dates overridable)."""
        while (case := self.case(case_id)).state != state:
            if case.state not in NORMAL_PATH[:-1]:
                raise AssertionError(f"{state} is not ahead of {case.state} on the normal path")
            assert case.id is not None
            getattr(self, f"_leave_{case.state.lower()}")(case.id, case.data, dates)
        return case

    # One method per state of the normal path: what the advisor (or the system) does to leave it.
    def _leave_referred(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.advance(1)
        self.fire(cid, "log_first_contact", {"first_contact_date": self.today()})

    def _leave_contacted(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.advance(7)
        self.fire(cid, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})

    def _leave_assessed(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.advance(3)
        self.fire(cid, "apply", {"duplicate_check_passed": True})

    def _leave_applied(self, cid: int, _: Mapping[str, Any], dates: Mapping[str, date]) -> None:
        self.advance(14)
        end = dates.get("grant_project_end", self.today() + timedelta(days=700))
        self.fire(cid, "select", {"grant_project_code": GRANT, "grant_project_end": end})

    def _leave_selected(self, cid: int, _: Mapping[str, Any], dates: Mapping[str, date]) -> None:
        self.advance(14)
        start = dates.get("planned_start", self.today() + timedelta(days=60))
        end = dates.get("planned_end", start + timedelta(days=90))
        self.fire(cid, "match_host", {**HOST, "planned_start": start, "planned_end": end})

    def _leave_matched(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.doc(cid, "grant_agreement")
        self.doc(cid, "learning_agreement")
        self.fire(cid, "sign_contracts", {"signature_date": self.today()})

    def _leave_contracted(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.advance(1)
        self.system(cid, "start_preparation")

    def _leave_preparing(self, cid: int, data: Mapping[str, Any], __: Mapping[str, date]) -> None:
        until = date.fromisoformat(data["planned_end"]) + timedelta(days=365)
        for document in ("identity", "insurance", "ceam"):
            self.doc(cid, document, valid_until=until)
        self.set(cid, **CHECKLIST)
        self.fire(cid, "confirm_ready")

    def _leave_ready(self, cid: int, data: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.move_to(date.fromisoformat(data["planned_start"]), 8)
        self.fire(cid, "confirm_arrival", {"actual_start": self.today()})

    def _leave_abroad(self, cid: int, data: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.move_to(date.fromisoformat(data["planned_end"]), 16)
        self.system(cid, "confirm_return", {"actual_end": self.today()})

    def _leave_returned(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.advance(5)
        self.set(cid, ols_assessment_2_done=True, ml_report_sent=True)
        self.doc(cid, "europass")
        self.fire(cid, "debrief", {"debrief_date": self.today()})

    def _leave_debriefed(self, cid: int, _: Mapping[str, Any], __: Mapping[str, date]) -> None:
        self.system(cid, "start_follow_up")
