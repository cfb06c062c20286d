"""A driver for the workflow journey tests: cases walked through the real service layer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case, DocumentStatus
from ipm_workflow.domain.errors import TransitionDenied
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.commands import (
    SYSTEM,
    Actor,
    FireTrigger,
    OpenCase,
    RecordDocument,
    UpdateData,
)
from ipm_workflow.services.handlers import Fired

PARIS = ZoneInfo("Europe/Paris")
# The mission locale's advisor who refers the young person (opens the case).
ML_ACTOR = Actor("ml:ml-a", "ml_advisor", frozenset({"ml-a"}))
WORKER = "workflow-tests"


def as_json(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Return inputs as a client sends them: dates as YYYY-MM-DD text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in inputs.items()}


def messages(error: TransitionDenied) -> list[str]:
    """Return the wording of every unmet guard of a refused transition."""
    return [u.message for u in error.unmet]


def assert_chains_ok(container: Container, cases: int = 1) -> None:
    """Recompute the history chain of every case of the database: all of them hold."""
    expected = [(True, None)] * cases
    actual = [(r.ok, r.problem) for r in container.cases.verify()]
    assert expected == actual


def local_day(moment: datetime) -> date:
    """Return the calendar day of a moment at Ipm (Europe/Paris)."""
    return moment.astimezone(PARIS).date()


class Driver:
    """Drives cases of one workflow as the advisor of mission locale A would."""

    def __init__(
        self,
        container: Container,
        clock: ManualClock,
        advisor: Actor,
        workflow: str,
        opening: Mapping[str, Any],
    ) -> None:
        self.container = container
        self.clock = clock
        self.advisor = advisor
        self.workflow = workflow
        self.opening = dict(opening)
        self.cases = container.cases

    def today(self) -> date:
        """Return the calendar day at Ipm."""
        return self.cases.today()

    def advance(self, days: float) -> None:
        """Let some days pass."""
        self.clock.advance(timedelta(days=days))

    def move_to(self, day: date, hour: int = 9) -> None:
        """Jump forward to a given day at a given UTC hour."""
        self.clock.set(datetime.combine(day, time(hour), tzinfo=UTC))

    def person(self, birth_date: date, first_name: str = "Alix") -> int:
        """Register a young person and return the id."""
        registered = self.container.people.register(
            Person(None, first_name, "Témoin", birth_date), ML_ACTOR
        ).person
        assert registered.id is not None
        return registered.id

    def open(self, person_id: int, inputs: Mapping[str, Any] | None = None) -> int:
        """Open a case as the mission locale's advisor, owned by Ipm's advisor A."""
        given = as_json(self.opening if inputs is None else inputs)
        cmd = OpenCase(person_id, self.workflow, "ml-a", self.advisor.user_id, given)
        case = self.cases.open_case(cmd, ML_ACTOR)
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
    ) -> Fired:
        """Fire a trigger as the advisor (or another actor); dates go as ISO text."""
        cmd = FireTrigger(case_id, trigger, as_json(inputs or {}), reason)
        return self.cases.fire(cmd, actor or self.advisor)

    def system(self, case_id: int, trigger: str, inputs: Mapping[str, Any] | None = None) -> Fired:
        """Fire a trigger as the system."""
        return self.fire(case_id, trigger, inputs, actor=SYSTEM)

    def set(self, case_id: int, **changes: Any) -> Case:
        """Change data fields of a case."""
        return self.cases.update_data(UpdateData(case_id, as_json(changes)), self.advisor)

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

    def state(self, case_id: int) -> str:
        """Return the current state of a case."""
        return self.case(case_id).state

    def reminders(self, case_id: int) -> list[Reminder]:
        """Return every reminder of a case."""
        return self.container.reminders.of_case(case_id, self.advisor)

    def run_reminders(self) -> int:
        """Deliver everything due now as the worker does (messages go nowhere); return a count."""
        delivery = self.container.delivery
        handled = 0
        while claimed := delivery.claim(WORKER):
            for reminder in claimed:
                message = delivery.prepare(reminder, WORKER)
                if message is not None:
                    delivery.sent(reminder, WORKER, message)
                handled += 1
        return handled

    def sent(self, case_id: int, rule_id: str, recipient: str) -> list[tuple[int, str]]:
        """Return (occurrence, status) of a rule's reminders to one recipient, in order."""
        return sorted(
            (r.occurrence, r.status)
            for r in self.reminders(case_id)
            if r.rule_id == rule_id and r.kind == "reminder" and r.recipient == recipient
        )

    def planned_days(self, case_id: int, rule_id: str) -> set[date]:
        """Return the days (at Ipm) on which a rule's still-planned reminders fall due."""
        return {
            local_day(r.due_at)
            for r in self.reminders(case_id)
            if r.rule_id == rule_id and r.status == "planned"
        }
