"""Driving cases and the reminder worker on a manual clock, and reading what was planned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select

from ipm_workflow.adapters.clock import ManualClock
from ipm_workflow.adapters.db.mappers import aware
from ipm_workflow.adapters.db.reminder_store import attempts_t, reminders_t
from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case, DocumentStatus, HistoryEntry
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.reminder_lifecycle import PENDING
from ipm_workflow.domain.reminders import Reminder
from ipm_workflow.entrypoints.worker import Worker
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
WORKFLOW = "erasmus_vet_long"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
GRANT = {"grant_project_code": "2026-1-FR01-KA121-VET-000042", "grant_project_end": "2028-12-31"}
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
ADULT = date(2005, 6, 15)

YP_EMAIL = "camille@young.example"
GUARDIAN_EMAIL = "parent@young.example"
ADVISOR_EMAIL = "advisor.a@ipm.example"
SUPERVISOR_EMAIL = "supervisor@ipm.example"
ML_EMAIL = "conseil@ml-a.example"
FINANCE_EMAIL = "finance@ipm.example"
HOST_EMAIL = "tutor@host.example"


def paris(day: date, hour: int = 9) -> datetime:
    """Return a wall-clock hour of a day at Ipm, in UTC."""
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Return a UTC moment."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Api:
    """Calls the HTTP API with the bearer token of a user of the test directory."""

    def __init__(self, client: TestClient[Litestar], tokens: Mapping[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def call(self, method: str, url: str, who: str = "advisor_a") -> httpx.Response:
        """Send one request as a user."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, f"/api/v1{url}", headers=headers)


class Walker:
    """Drives cases through the service layer as the advisor of mission locale A."""

    def __init__(self, container: Container, advisor: Actor) -> None:
        self.container = container
        self.advisor = advisor
        self.cases = container.cases

    def person(self, birth_date: date = ADULT, **contact: Any) -> int:
        """Register a young person (e-mail by default) and return the id."""
        contact.setdefault("email", YP_EMAIL)
        person = Person(None, "Camille", "Témoin", birth_date, **contact)
        person = self.container.people.register(person, self.advisor).person
        assert person.id is not None
        return person.id

    def open(self, person_id: int) -> int:
        """Open a variant-B case for mission locale A."""
        cmd = OpenCase(person_id, WORKFLOW, "ml-a", self.advisor.user_id, OPENING)
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
    ) -> Fired:
        """Fire a trigger (dates as ISO text, like JSON clients send them)."""
        raw = {k: v.isoformat() if isinstance(v, date) else v for k, v in (inputs or {}).items()}
        return self.cases.fire(FireTrigger(case_id, trigger, raw, reason), actor or self.advisor)

    def system(self, case_id: int, trigger: str, inputs: Mapping[str, Any] | None = None) -> Fired:
        """Fire a trigger as the system."""
        return self.fire(case_id, trigger, inputs, actor=SYSTEM)

    def set(self, case_id: int, **changes: Any) -> Case:
        """Change data fields of a case."""
        raw = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
        return self.cases.update_data(UpdateData(case_id, raw), self.advisor)

    def doc(
        self,
        case_id: int,
        name: str,
        valid_until: date | None = None,
        status: DocumentStatus = "validated",
    ) -> Case:
        """Record one document."""
        cmd = RecordDocument(case_id, name, status, valid_until=valid_until)
        return self.cases.record_document(cmd, self.advisor)

    def case(self, case_id: int) -> Case:
        """Return a case."""
        return self.cases.get(case_id, self.advisor)

    def history(self, case_id: int) -> list[HistoryEntry]:
        """Return a case's history."""
        return self.cases.history(case_id, self.advisor)

    def reminders(self, case_id: int) -> list[Reminder]:
        """Return a case's reminders."""
        return self.container.reminders.of_case(case_id, self.advisor)

    def select(self, case_id: int) -> None:
        """From REFERRED to SELECTED, all at the clock's current moment."""
        today = self.cases.today()
        self.fire(case_id, "log_first_contact", {"first_contact_date": today})
        self.fire(case_id, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
        self.fire(case_id, "apply", {"duplicate_check_passed": True})
        self.fire(case_id, "select", GRANT)

    def match(self, case_id: int, start: date, end: date, **extra: Any) -> None:
        """Confirm the host with planned dates."""
        inputs = {**HOST, "planned_start": start, "planned_end": end, **extra}
        self.fire(case_id, "match_host", inputs)

    def sign(self, case_id: int, minor: bool = False) -> None:
        """Record the agreements and the signatures today."""
        for name in ("grant_agreement", "learning_agreement", *(["guardian_consent"] * minor)):
            self.doc(case_id, name)
        self.fire(case_id, "sign_contracts", {"signature_date": self.cases.today()})

    def to_contracted(self, case_id: int, start: date, end: date, **extra: Any) -> None:
        """From REFERRED to CONTRACTED at the clock's current moment."""
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

    def debrief(self, case_id: int) -> None:
        """Complete the return checklist and debrief today."""
        self.set(case_id, ols_assessment_2_done=True, ml_report_sent=True)
        self.doc(case_id, "europass")
        self.fire(case_id, "debrief", {"debrief_date": self.cases.today()})


class Pump:
    """The real worker on the manual clock: it jumps from one due moment to the next."""

    def __init__(self, worker: Worker, clock: ManualClock, engine: Engine) -> None:
        self.worker = worker
        self.clock = clock
        self.engine = engine

    def next_due(self) -> datetime | None:
        """Return the earliest moment a reminder waits for."""
        with self.engine.connect() as conn:
            due = conn.execute(
                select(func.min(reminders_t.c.next_attempt_at)).where(
                    reminders_t.c.status.in_(sorted(PENDING))
                )
            ).scalar()
        return aware(due)

    async def until(self, moment: datetime) -> None:
        """Let time pass up to a moment, running the worker at every due moment on the way."""
        while (due := self.next_due()) is not None and due <= moment:
            if due > self.clock.now():
                self.clock.set(due)
            handled = await self.worker.run_once()
            if handled == 0:
                raise AssertionError(f"a reminder is due at {due} but the worker claims nothing")
        if moment > self.clock.now():
            self.clock.set(moment)
        await self.worker.run_once()


def attempts_of(engine: Engine, reminder_id: int) -> list[dict[str, Any]]:
    """Return a reminder's delivery attempts, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(attempts_t)
            .where(attempts_t.c.reminder_id == reminder_id)
            .order_by(attempts_t.c.id)
        ).mappings()
        return [{**r, "at": aware(r["at"])} for r in rows]


async def abroad(walker: Walker, pump: Pump, start: date, end: date, **extra: Any) -> int:
    """Open a case now and walk it abroad, arriving at noon on the start date (Paris)."""
    cid = walker.open(walker.person())
    walker.to_contracted(cid, start, end, **extra)
    await pump.until(pump.clock.now())
    walker.clear_for_departure(cid)
    await pump.until(paris(start, 12))
    walker.fire(cid, "confirm_arrival", {"actual_start": start})
    return cid


async def in_follow_up(walker: Walker, pump: Pump, start: date, end: date) -> int:
    """Open a case now and walk it to the follow-up, back at 18:00 on the end date (Paris)."""
    cid = await abroad(walker, pump, start, end)
    await pump.until(paris(end, 18))
    walker.system(cid, "confirm_return", {"actual_end": end})
    await pump.until(paris(end + timedelta(days=16), 10))
    walker.debrief(cid)
    await pump.until(pump.clock.now())
    return cid
