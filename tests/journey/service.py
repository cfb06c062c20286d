"""The journey driver over the service layer: people, cases, clock, history and reminders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case, DocumentStatus, HistoryEntry
from ipm_workflow.domain.contacts import ContactAttempt
from ipm_workflow.domain.errors import TransitionDenied
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.services.aftercare import ConfirmGrant, FollowUpView, LogContactAttempt, MoneyView
from ipm_workflow.services.case_ports import CaseQuery
from ipm_workflow.services.commands import (
    SYSTEM,
    Actor,
    FireTrigger,
    OpenCase,
    Reassign,
    RecordDocument,
    Resume,
    Suspend,
    UpdateData,
)
from ipm_workflow.services.handlers import Fired

from .facts import (
    ADULT,
    CHECKLIST,
    GRANT,
    HOST,
    NORMAL_PATH,
    OPENING,
    WORKFLOW,
    as_json,
    local_day,
)

WORKER = "journey-tests"


def messages(error: TransitionDenied) -> list[str]:
    """Return the wording of every unmet guard of a refused transition."""
    return [u.message for u in error.unmet]


def refused_rules(error: TransitionDenied) -> list[str]:
    """Return 'programme.rule' of each unmet eligibility rule, the wording of other guards."""
    return [
        f"{u.detail['programme']}.{u.detail['rule']}" if u.code == "ineligible" else u.message
        for u in error.unmet
    ]


def assert_chains_ok(container: Container, cases: int = 1) -> None:
    """Recompute the history chain of every case of the database: all of them hold."""
    expected = [(True, None)] * cases
    actual = [(r.ok, r.problem) for r in container.cases.verify()]
    assert expected == actual


class Journey:
    """Drives cases of one workflow through the service layer as the advisor of mission locale A.

    `opener` registers people and opens cases (default: the advisor); `first_name` and
    `contact` are the defaults of each registered person.
    """

    def __init__(
        self,
        container: Container,
        advisor: Actor,
        clock: ManualClock | None = None,
        *,
        workflow: str = WORKFLOW,
        opening: Mapping[str, Any] = OPENING,
        opener: Actor | None = None,
        first_name: str = "Alix",
        contact: Mapping[str, Any] | None = None,
    ) -> None:
        self.container = container
        self.clock = clock
        self.advisor = advisor
        self.workflow = workflow
        self.opening = dict(opening)
        self.opener = opener or advisor
        self.first_name = first_name
        self.contact = dict(contact or {})
        self.cases = container.cases

    # The clock.
    def today(self) -> date:
        """Return the calendar day at Ipm."""
        return self.cases.today()

    def _clock(self) -> ManualClock:
        assert self.clock is not None, "this journey was built without a manual clock"
        return self.clock

    def advance(self, days: float) -> None:
        """Let some days pass."""
        self._clock().advance(timedelta(days=days))

    def move_to(self, day: date, hour: int = 9) -> None:
        """Jump to a given day at a given UTC hour."""
        self._clock().set(datetime.combine(day, time(hour), tzinfo=UTC))

    # People and cases.
    def person(
        self, birth_date: date = ADULT, first_name: str | None = None, **contact: Any
    ) -> int:
        """Register a young person (the journey's default name and contact) and return the id."""
        given = {**self.contact, **contact}
        guardian = {
            k: given.pop(f"guardian_{k}") for k in ("email", "phone") if f"guardian_{k}" in given
        }
        person = Person(None, first_name or self.first_name, "Témoin", birth_date, **given)
        registered = self.container.people.register(person, self.opener).person
        assert registered.id is not None
        if guardian:
            self.guardian(registered.id, **guardian)
        return registered.id

    def guardian(self, person_id: int, name: str = "Dominique Témoin", **values: Any) -> int:
        """Record a legal guardian of a person (as the advisor) and return the guardian's id."""
        given = {"link": "mother", **values}
        added = self.container.person_records.add_guardian(
            person_id, {"name": name, **given}, self.advisor
        )
        assert added.id is not None
        return added.id

    def open(
        self,
        person_id: int,
        inputs: Mapping[str, Any] | None = None,
        *,
        advisor_id: int | Literal["advisor"] | None = "advisor",
        mission_locale: str = "ml-a",
        actor: Actor | None = None,
        **contact: Any,
    ) -> int:
        """Open a case for mission locale A, owned by the advisor; dates go as ISO text.

        `advisor_id=None` names no advisor (the opener's role decides); `contact` is the
        mission locale's advisor (ml_contact_name, ml_contact_email).
        """
        given = as_json(self.opening if inputs is None else inputs)
        owner = self.advisor.user_id if advisor_id == "advisor" else advisor_id
        cmd = OpenCase(person_id, self.workflow, mission_locale, owner, given, **contact)
        case = self.cases.open_case(cmd, actor or self.opener)
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
        """Change data fields of a case; dates go as ISO text."""
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

    def move(
        self,
        case_id: int,
        to: str,
        *,
        on: date | None = None,
        reason: str | None = None,
        actor: Actor | None = None,
        **contact: Any,
    ) -> Case:
        """Move a case to another mission locale (a supervisor by default would need `actor`)."""
        cmd = Reassign(case_id, mission_locale_id=to, reason=reason, moved_on=on, **contact)
        return self.cases.reassign(cmd, actor or self.advisor)

    def merge(self, survivor: int, duplicate: int, actor: Actor, reason: str = "duplicate") -> None:
        """Merge a duplicate case into the survivor (a supervisor merges)."""
        self.container.merges.merge(survivor, duplicate, reason, actor)

    def suspend(self, case_id: int, reason: str) -> Case:
        """Suspend a case with a reason (its clock stops)."""
        return self.cases.suspend(Suspend(case_id, reason), self.advisor)

    def resume(self, case_id: int, reason: str | None = None) -> Case:
        """Resume a suspended case (its clock runs on)."""
        return self.cases.resume(Resume(case_id, reason), self.advisor)

    # Follow-up and money.
    def attempt(
        self,
        case_id: int,
        channel: str,
        answered: bool = False,
        *,
        at: datetime | None = None,
        checkpoint: str | None = None,
        note: str | None = None,
    ) -> ContactAttempt:
        """Log a contact attempt as the advisor (now, unless `at` says when)."""
        cmd = LogContactAttempt(case_id, channel, answered, at, checkpoint, note)
        return self.cases.aftercare.log_attempt(cmd, self.advisor)[1]

    def unanswered(self, case_id: int, due: date, until_day: int = 30) -> None:
        """Run a checkpoint's survey from its due day in the declared order, each try (SMS,
        call, e-mail, ten days apart) logged unanswered; run the reminders up to `until_day`."""
        for offset, channel in ((0, "sms"), (10, "call"), (20, "email")):
            self.move_to(due + timedelta(days=offset))
            self.run_reminders()
            self.attempt(case_id, channel)
        self.move_to(due + timedelta(days=until_day))
        self.run_reminders()

    def outcome(
        self,
        case_id: int,
        checkpoint: str,
        outcome: str,
        source: str = "young_person",
        confidence: str = "declared",
        actor: Actor | None = None,
    ) -> Fired:
        """Record a checkpoint's outcome (m3, m6, m12) with its source and confidence, as the
        advisor or `actor`."""
        field = f"outcome_{checkpoint}"
        inputs = {field: outcome, f"{field}_source": source, f"{field}_confidence": confidence}
        return self.fire(case_id, f"record_outcome_{checkpoint}", inputs, actor=actor)

    def follow_up(self, case_id: int) -> FollowUpView:
        """Return the attempts and checkpoints of a case."""
        return self.cases.aftercare.follow_up(case_id, self.advisor)

    def money(self, case_id: int) -> MoneyView:
        """Return the money of a case."""
        return self.cases.aftercare.money(case_id, self.advisor)

    def confirm_grant(
        self, case_id: int, amount: int | None = None, reason: str | None = None
    ) -> MoneyView:
        """Confirm the recomputed grant as the advisor."""
        return self.cases.aftercare.confirm_grant(
            ConfirmGrant(case_id, amount, reason), self.advisor
        )

    # Reading.
    def overdue(self) -> list[int]:
        """Return the ids of the journey's workflow's cases past their state's time limit."""
        query = CaseQuery(workflow=self.workflow)
        found, _ = self.cases.list_cases(query, self.advisor, overdue=True)
        return [c.id for c in found if c.id is not None]

    def case(self, case_id: int) -> Case:
        """Return a case as the advisor sees it."""
        return self.cases.get(case_id, self.advisor)

    def state(self, case_id: int) -> str:
        """Return the current state of a case."""
        return self.case(case_id).state

    def history(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's history."""
        return self.cases.history(case_id, self.advisor)

    def reminders(self, case_id: int) -> list[Reminder]:
        """Return every reminder of a case."""
        return self.container.reminders.of_case(case_id, self.advisor)

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

    def events(self, case_id: int, event_id: str) -> list[Reminder]:
        """Return the stored messages of one declared event message of a case."""
        return [r for r in self.reminders(case_id) if r.kind == "event" and r.rule_id == event_id]

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

    # Steps of the variant-B journey, at the clock's current moment.
    def select(self, case_id: int, grant_end: date = date(2028, 12, 31)) -> None:
        """From REFERRED to SELECTED."""
        today = self.today()
        self.fire(case_id, "log_first_contact", {"first_contact_date": today})
        self.fire(case_id, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
        self.fire(case_id, "apply", {"duplicate_check_passed": True})
        self.fire(case_id, "select", {"grant_project_code": GRANT, "grant_project_end": grant_end})

    def match(self, case_id: int, start: date, end: date, **extra: Any) -> None:
        """Confirm the host with planned dates."""
        self.fire(
            case_id, "match_host", {**HOST, "planned_start": start, "planned_end": end, **extra}
        )

    def sign(self, case_id: int, minor: bool = False) -> None:
        """Record the agreements and the signatures today."""
        for name in ("grant_agreement", "learning_agreement", *(["guardian_consent"] * minor)):
            self.doc(case_id, name)
        self.fire(case_id, "sign_contracts", {"signature_date": self.today()})

    def to_contracted(self, case_id: int, start: date, end: date, **extra: Any) -> None:
        """From REFERRED to CONTRACTED."""
        self.select(case_id)
        self.match(case_id, start, end, **extra)
        self.sign(case_id)

    def clear_for_departure(self, case_id: int, minor: bool = False) -> None:
        """Record the documents and the checklist, then clear the case for departure."""
        data = self.case(case_id).data
        until = date.fromisoformat(data["planned_end"]) + timedelta(days=365)
        for name in ("identity", "insurance", "ceam", *(("ast", "guardian_id") * minor)):
            self.doc(case_id, name, valid_until=until)
        self.set(case_id, **CHECKLIST)
        self.fire(case_id, "confirm_ready")

    def return_early(
        self, case_id: int, day: date, category: str = "force_majeure", reason: str = "Rapatrié"
    ) -> Fired:
        """Record the evidence, then bring the young person back early (a reason category, and
        a free-text reason that stays on the case)."""
        self.doc(case_id, "early_return_evidence")
        inputs = {"early_return_reason": category, "actual_end": day}
        return self.fire(case_id, "return_early", inputs, reason=reason)

    def debrief(self, case_id: int) -> None:
        """Complete the return checklist and debrief today."""
        self.set(case_id, ols_assessment_2_done=True, ml_report_sent=True)
        self.doc(case_id, "europass")
        self.fire(case_id, "debrief", {"debrief_date": self.today()})

    def walk_to(self, case_id: int, state: str, **dates: date) -> Case:
        """Walk a case along the normal journey, days apart, until it reaches a state."""
        while (case := self.case(case_id)).state != state:
            if case.state not in NORMAL_PATH[:-1]:
                raise AssertionError(f"{state} is not ahead of {case.state} on the normal path")
            assert case.id is not None
            self._leave(case.id, case.state, case.data, dates)
        return case

    def _leave(
        self, cid: int, state: str, data: Mapping[str, Any], dates: Mapping[str, date]
    ) -> None:
        """Do what the advisor (or the system) does to leave one state of the normal path."""
        if state == "REFERRED":
            self.advance(1)
            self.fire(cid, "log_first_contact", {"first_contact_date": self.today()})
        elif state == "CONTACTED":
            self.advance(7)
            self.fire(cid, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
        elif state == "ASSESSED":
            self.advance(3)
            self.fire(cid, "apply", {"duplicate_check_passed": True})
        elif state == "APPLIED":
            self.advance(14)
            end = dates.get("grant_project_end", self.today() + timedelta(days=700))
            self.fire(cid, "select", {"grant_project_code": GRANT, "grant_project_end": end})
        elif state == "SELECTED":
            self.advance(14)
            start = dates.get("planned_start", self.today() + timedelta(days=60))
            self.match(cid, start, dates.get("planned_end", start + timedelta(days=90)))
        elif state == "MATCHED":
            self.sign(cid)
        elif state == "CONTRACTED":
            self.advance(1)
            self.system(cid, "start_preparation")
        elif state == "PREPARING":
            self.clear_for_departure(cid)
        elif state == "READY":
            self.move_to(date.fromisoformat(data["planned_start"]), 8)
            self.fire(cid, "confirm_arrival", {"actual_start": self.today()})
        elif state == "ABROAD":
            self.move_to(date.fromisoformat(data["planned_end"]), 16)
            self.system(cid, "confirm_return", {"actual_end": self.today()})
        elif state == "RETURNED":
            self.advance(5)
            self.debrief(cid)
        else:  # DEBRIEFED
            self.system(cid, "start_follow_up")
