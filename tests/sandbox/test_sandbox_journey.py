"""A whole variant-B journey in the training sandbox, through HTTP only, by moving its clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sandbox_kit import (
    ADVISOR,
    MARKER,
    SUPERVISOR,
    TRAINER,
    SandboxApi,
    directory,
    happened,
    minute,
    parse,
    step,
)

from ipm_workflow.bootstrap import bootstrap
from ipm_workflow.config import Settings
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.entrypoints.http.app import create_app
from journey import (
    ADVISOR_EMAIL,
    FINANCE_EMAIL,
    HOST_EMAIL,
    ML_EMAIL,
    SUBJECTS,
    SUPERVISOR_EMAIL,
    YP_EMAIL,
    kept_logging,
    paris,
    utc,
)
from journey.fixtures import empty_database

# The journey of tests/reminders/test_reminder_journey.py, for an adult, in a year the sandbox
# clock can always reach (it starts at the real now and only moves forward).
Y = datetime.now(UTC).year + 3
OPENED_AT = utc(Y, 1, 8, 8)  # 09:00 in Paris
START, END = date(Y, 4, 23), date(Y, 7, 20)  # a stay within summer time
SIGNED_AT = utc(Y, 1, 18, 10)
ABROAD_AT = utc(Y, 4, 27, 10)  # arrival confirmed late, after the D+2 and D+4 alerts
RETURN_AT = utc(Y, 7, 20, 16)
DEBRIEF_AT = utc(Y, 8, 6, 9)
BIRTH_DATE = date(Y - 22, 6, 15)
GRANT = {"grant_project_code": "G-KA121-VET-000042", "grant_project_end": f"{Y + 2}-12-31"}
HOST = {
    "destination_country": "MT",
    "host_organisation": "Host Ltd",
    "mentor_name": "Mentor Témoin",
    "host_email": HOST_EMAIL,
}
CHECKLIST = {
    "ols_assessment_1_done": True,
    "travel_booked": True,
    "emergency_contacts_filled": True,
}


def _outcome(months: int, value: str) -> dict[str, str]:
    """A checkpoint's outcome with its own source and confidence."""
    field = f"outcome_m{months}"
    return {field: value, f"{field}_source": "young_person", f"{field}_confidence": "declared"}


EMAILS = {
    "young_person": YP_EMAIL,
    "advisor": ADVISOR_EMAIL,
    "supervisor": SUPERVISOR_EMAIL,
    "host": HOST_EMAIL,
    "ml_advisor": ML_EMAIL,
    "finance": FINANCE_EMAIL,
}
ADULT_SKIP = "skipped"  # documents reminders to a guardian: the young person is an adult


@dataclass(frozen=True)
class Event:
    """One thing the worker does on the journey: a delivery, a skip or a timeout."""

    move: str
    at: datetime
    rule: str
    kind: str
    recipient: str
    occurrence: int = 0
    template: str = ""
    result: str = "sent"


def _d(days: int) -> datetime:
    """09:00 in Paris, some days from the planned start."""
    return paris(START + step(days))


def _e(days: int) -> datetime:
    """09:00 in Paris, some days from the (planned and actual) end."""
    return paris(END + step(days))


def _to(
    move: str, at: datetime, rule: str, kind: str, who: tuple[str, ...], **kw: Any
) -> list[Event]:
    return [Event(move, at, rule, kind, r, **kw) for r in who]


def _plan() -> list[Event]:
    """Every step DOMAIN.md §3 promises on this journey, from the dates alone, by clock move."""
    yp, adv, sup, host, ml, fin = (
        "young_person",
        "advisor",
        "supervisor",
        "host",
        "ml_advisor",
        "finance",
    )
    signed = SIGNED_AT.date()
    documents = [
        event
        for n, move in (
            (60, "prefinancing"),
            (30, "documents"),
            (14, "documents"),
            (7, "documents"),
        )
        for event in (
            *_to(
                move, _d(-n), f"documents_d{n}", "reminder", (yp, adv), template="documents_missing"
            ),
            Event(move, _d(-n), f"documents_d{n}", "reminder", "guardian", result=ADULT_SKIP),
        )
    ]
    check_ins = [
        event
        for rule, first, every, count in (
            ("check_in_first_month", 7, 7, 4),
            ("check_in_fortnightly", 35, 14, 4),
        )
        for n, days in enumerate(range(first, first + every * count, every))
        for event in _to(
            "stay", ABROAD_AT + step(days), rule, "reminder", (adv, host), occurrence=n,
            template="check_in",
        )
    ]  # fmt: skip
    surveys = [
        event
        for rule, days, move in (
            ("outcome_m3", 91, "m3"),
            ("outcome_m6", 182, "m6"),
            ("outcome_m12", 365, "m12"),
        )
        # In the survey's order: SMS (e-mail here, no phone) to the young person and the ML,
        # a call for the advisor ten days later, an e-mail ten days after that.
        for event in (
            *_to(move, _e(days), rule, "reminder", (yp, ml), template="outcome_survey"),
            Event(move, _e(days + 10), f"{rule}_call", "reminder", adv,
                  template="outcome_call_due"),
            Event(move, _e(days + 20), f"{rule}_email", "reminder", yp,
                  template="outcome_survey"),
        )
    ]  # fmt: skip
    return [
        # Referral + 48 h to the advisor, the supervisor at 72 h.
        Event("referral", OPENED_AT + step(2), "first_contact_overdue", "reminder", adv),
        Event(
            "referral",
            OPENED_AT + step(3),
            "first_contact_overdue",
            "escalation",
            sup,
            template="first_contact_escalation",
        ),
        # The day after the first contact: an adult needs no guardian, nothing to remind.
        Event(
            "contact", paris(date(Y, 1, 12)), "guardian_missing", "reminder", adv, result="skipped"
        ),
        # Selected: the young person hears at once (an event message).
        Event(
            "selection", utc(Y, 1, 15), "selected_to_young_person", "event", yp,
            template="selected",
        ),
        # The signature opens the preparation by itself (the first clock move after it).
        Event("preparation", SIGNED_AT, "open_preparation", "timeout", "system"),
        # Signature + 30 days to finance and the advisor, the supervisor a week later.
        *_to("prefinancing", paris(signed + step(30)), "prefinancing_due", "reminder", (fin, adv)),
        Event(
            "prefinancing",
            paris(signed + step(37)),
            "prefinancing_due",
            "escalation",
            sup,
            template="prefinancing_escalation",
        ),
        # D-60/-30/-14/-7 documents; at D-7 the supervisor is alerted.
        *documents,
        Event(
            "documents",
            _d(-7),
            "documents_d7",
            "escalation",
            sup,
            template="documents_missing_escalation",
        ),
        # D-21 CEAM, D-14 OLS, each escalated to the advisor three days later.
        Event("documents", _d(-21), "ceam_d21", "reminder", yp, template="ceam_missing"),
        Event(
            "documents", _d(-18), "ceam_d21", "escalation", adv, template="ceam_missing_escalation"
        ),
        Event(
            "documents", _d(-14), "ols_assessment_1_d14", "reminder", yp,
            template="ols_assessment_due",
        ),
        Event(
            "documents", _d(-11), "ols_assessment_1_d14", "escalation", adv,
            template="ols_assessment_escalation",
        ),
        # Pre-financing paid by then: the D-3 reminder has nothing left to say.
        *_to(
            "departure", _d(-3), "prefinancing_before_departure", "reminder", (fin, adv),
            result="skipped",
        ),
        # D-2 departure pack, D+2 arrival check (advisor alerted), D+4 supervisor.
        *_to("departure", _d(-2), "departure_pack_d2", "reminder", (yp, host),
             template="departure_pack"),
        *_to("departure", _d(2), "arrival_check_d2", "reminder", (yp, host),
             template="arrival_check"),
        Event("departure", _d(2), "arrival_check_d2", "escalation", adv,
              template="arrival_unconfirmed"),
        Event("departure", _d(4), "arrival_unconfirmed_d4", "reminder", sup,
              template="arrival_unconfirmed"),
        # Check-ins: weekly in the first month, then every two weeks until the return.
        *check_ins,
        # End date - 7 return logistics; end date return confirmation.
        Event("stay", _e(-7), "return_logistics", "reminder", yp),
        *_to("stay", _e(0), "return_confirmation", "reminder", (yp, adv)),
        # The return: report request at once, its reminder at +14, the debrief at +15.
        Event("return", RETURN_AT, "participant_report_request", "reminder", yp),
        Event("return", _e(14), "participant_report_reminder", "reminder", yp),
        *_to("return", _e(15), "debrief_due", "reminder", (adv, ml)),
        # The debrief opens the follow-up by itself (the first clock move after it).
        Event("follow_up", DEBRIEF_AT, "open_follow_up", "timeout", "system"),
        # Return + 3, 6, 12 months, each checkpoint's survey in its order.
        *surveys,
        # Opening +6 and +12 settles the checkpoint before (here already answered).
        Event("m6", _e(182), "outcome_m6", "timeout", "system"),
        Event("m12", _e(365), "outcome_m12", "timeout", "system"),
    ]  # fmt: skip


@dataclass
class Journey:
    """What the sandbox answered along the journey, read over HTTP."""

    case_id: int = 0
    moves: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    outbox_since: list[dict[str, Any]] = field(default_factory=list)
    outbox_other_case: list[dict[str, Any]] = field(default_factory=list)
    reminders: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    verify: dict[str, Any] = field(default_factory=dict)
    markers: list[str | None] = field(default_factory=list)


def _walk(api: SandboxApi) -> Journey:
    """Walk a case REFERRED → … → CLOSED, moving the sandbox clock between the steps."""
    journey = Journey()

    def move(label: str, **body: str) -> None:
        journey.moves.append((label, api.move(**body)))

    api.to(OPENED_AT)
    person = api.person(birth_date=BIRTH_DATE.isoformat())
    cid = api.open_case(person, advisor_id=api.user_id(ADVISOR))["id"]
    journey.case_id = cid
    move("referral", to=utc(Y, 1, 11, 12).isoformat())
    api.fired(cid, "log_first_contact", {"first_contact_date": date(Y, 1, 11)})
    move("contact", to=utc(Y, 1, 15).isoformat())
    api.fired(cid, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
    api.fired(cid, "apply", {"duplicate_check_passed": True})
    api.fired(cid, "select", GRANT, SUPERVISOR)
    move("selection", to=utc(Y, 1, 17).isoformat())
    api.fired(cid, "match_host", {"planned_start": START, "planned_end": END, **HOST})
    move("matching", to=SIGNED_AT.isoformat())
    api.doc(cid, "grant_agreement")
    api.doc(cid, "learning_agreement")
    journey.states["signed"] = api.fired(
        cid, "sign_contracts", {"signature_date": SIGNED_AT.date()}
    )["state"]
    move("preparation", advance="PT1M")
    journey.states["signed, clock moved"] = api.state(cid)
    move("prefinancing", to=utc(Y, 2, 25).isoformat())
    api.set(cid, prefinancing_paid=True)
    move("documents", to=utc(Y, 4, 17).isoformat())
    for name in ("identity", "insurance", "ceam"):
        api.doc(cid, name, valid_until=END + step(365))
    api.set(cid, **CHECKLIST)
    api.fired(cid, "confirm_ready")
    move("departure", to=ABROAD_AT.isoformat())
    api.fired(cid, "confirm_arrival", {"actual_start": START})
    move("stay", to=RETURN_AT.isoformat())
    api.fired(cid, "confirm_return", {"actual_end": END})
    move("return", to=DEBRIEF_AT.isoformat())
    api.set(cid, ols_assessment_2_done=True, ml_report_sent=True)
    api.doc(cid, "europass")
    journey.states["debriefed"] = api.fired(cid, "debrief", {"debrief_date": DEBRIEF_AT.date()})[
        "state"
    ]
    move("follow_up", advance="PT1M")
    journey.states["debriefed, clock moved"] = api.state(cid)
    move("m3", to=utc(Y, 11, 9).isoformat())
    api.fired(cid, "record_outcome_m3", _outcome(3, "job_seeking"))
    move("m6", advance="P91D")  # to 8 February
    api.fired(cid, "record_outcome_m6", _outcome(6, "cdd_6m_plus"))
    move("m12", to=utc(Y + 1, 8, 10).isoformat())
    api.fired(cid, "record_outcome_m12", _outcome(12, "cdi"))
    journey.states["closed"] = api.fired(cid, "close", {"final_outcome": "cdi"}, SUPERVISOR)[
        "state"
    ]
    move("after", to=utc(Y + 1, 10, 1).isoformat())

    journey.outbox = api.outbox(case_id=cid)
    journey.outbox_since = api.outbox(case_id=cid, since=utc(Y + 1, 7, 1).isoformat())
    journey.outbox_other_case = api.outbox(case_id=cid + 1)
    journey.reminders = api.reminders(cid)
    journey.history = api.history(cid)
    journey.verify = api.ok("GET", "/api/v1/audit/verify", SUPERVISOR)
    journey.markers = api.markers
    return journey


@pytest.fixture(
    scope="class", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def journey_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> str:
    """A migrated, empty database for the whole class: a SQLite file, or PostgreSQL emptied."""
    folder = tmp_path_factory.mktemp("journey")
    return empty_database(request, request.param, folder, sqlite_template)


@pytest.fixture(scope="class")
def journey(journey_db: str, workflows_dir: Path, registry: WorkflowRegistry) -> Iterator[Journey]:
    """The journey walked once per database; each test reads one aspect of it."""
    settings = Settings(
        sandbox=True,
        sandbox_database_url=journey_db,
        workflows_dir=workflows_dir,
        worker_poll_seconds=3600,
        finance_email=FINANCE_EMAIL,
        log_format="json",
    )
    with kept_logging():
        container = bootstrap(settings, registry=registry)
        app = create_app(settings, container=container)
        tokens = directory(container)
        with TestClient(app) as client:
            api = SandboxApi(client, tokens)
            api.create_trainer(TRAINER)
            yield _walk(api)
        container.close()


def _subject(event: Event, case_id: int) -> str:
    template = event.template or event.rule
    subject = SUBJECTS[template].format(case=case_id)
    return "Relance – " + subject if event.occurrence and template == "outcome_survey" else subject


class TestSandboxJourney:
    """A long-internship journey replayed over HTTP in the training sandbox."""

    def test_every_declared_reminder_is_captured_on_its_sandbox_date(
        self, journey: Journey
    ) -> None:
        """Each §3 reminder lands in the outbox at its sandbox date, for its recipient."""
        expected = sorted(
            (minute(e.at), EMAILS[e.recipient], e.rule, e.kind, e.occurrence, "email",
             _subject(e, journey.case_id))
            for e in _plan()
            if e.result == "sent" and e.kind != "timeout"
        )  # fmt: skip
        rows = {r["id"]: r for r in journey.reminders}
        actual = sorted(
            (minute(parse(m["at"])), m["recipients"], r["rule_id"], r["kind"], r["occurrence"],
             m["channel"], m["subject"])
            for m in journey.outbox
            for r in [rows[m["reminder_id"]]]
        )  # fmt: skip
        assert expected == actual

    def test_nothing_is_captured_twice(self, journey: Journey) -> None:
        """No message id and no reminder appears twice in the outbox."""
        counts = Counter(m["message_id"] for m in journey.outbox) + Counter(
            f"reminder {m['reminder_id']}" for m in journey.outbox
        )
        expected: dict[str, int] = {}
        assert expected == {key: n for key, n in counts.items() if n > 1}

    def test_the_outbox_lists_who_how_when_what(self, journey: Journey) -> None:
        """Each captured message has recipients (named too), channel, sandbox time, subject and
        body."""
        expected = {
            "id", "at", "case_id", "reminder_id", "channel", "recipients", "addressee",
            "subject", "body", "message_id",
        }  # fmt: skip
        first = journey.outbox[0]
        assert expected == set(first)
        expected_first = (
            journey.case_id,
            "email",
            ADVISOR_EMAIL,
            "Advisor A (advisor)",
            minute(OPENED_AT + step(2)),
            f"Premier contact à faire – dossier n°{journey.case_id}",
        )
        actual_first = (
            first["case_id"],
            first["channel"],
            first["recipients"],
            first["addressee"],
            minute(parse(first["at"])),
            first["subject"],
        )
        assert expected_first == actual_first
        expected_bodies: list[int] = []
        assert expected_bodies == [m["id"] for m in journey.outbox if not m["body"].strip()]

    def test_the_outbox_filters_by_case_and_time(self, journey: Journey) -> None:
        """`since` keeps the messages from that sandbox time on; another case has none."""
        since = utc(Y + 1, 7, 1)
        expected = [m["id"] for m in journey.outbox if parse(m["at"]) >= since]
        assert expected == [m["id"] for m in journey.outbox_since]
        expected_count = 4  # the M+12 survey: to the young person and the ML, call, e-mail
        assert expected_count == len(journey.outbox_since)
        expected_other: list[dict[str, Any]] = []
        assert expected_other == journey.outbox_other_case

    def test_each_clock_move_answers_what_happened_in_order(self, journey: Journey) -> None:
        """Each POST /clock lists what fell due on the way, in sandbox-time order."""
        plan = _plan()
        expected = {
            label: sorted(
                (minute(e.at), e.rule, e.kind, e.recipient, e.result)
                for e in plan
                if e.move == label
            )
            for label, _ in journey.moves
        }
        actual = {label: sorted(happened(travel)) for label, travel in journey.moves}
        assert expected == actual
        unordered = [
            label
            for label, travel in journey.moves
            if [h[0] for h in happened(travel)] != sorted(h[0] for h in happened(travel))
        ]
        expected_unordered: list[str] = []
        assert expected_unordered == unordered

    def test_each_clock_move_ends_where_it_was_told(self, journey: Journey) -> None:
        """Every move starts where the last one ended, and ends at its target (or +duration)."""
        ends = {
            "referral": utc(Y, 1, 11, 12),
            "contact": utc(Y, 1, 15),
            "selection": utc(Y, 1, 17),
            "matching": SIGNED_AT,
            "preparation": SIGNED_AT + timedelta(minutes=1),
            "prefinancing": utc(Y, 2, 25),
            "documents": utc(Y, 4, 17),
            "departure": ABROAD_AT,
            "stay": RETURN_AT,
            "return": DEBRIEF_AT,
            "follow_up": DEBRIEF_AT + timedelta(minutes=1),
            "m3": utc(Y, 11, 9),
            "m6": utc(Y + 1, 2, 8),
            "m12": utc(Y + 1, 8, 10),
            "after": utc(Y + 1, 10, 1),
        }
        assert ends == {label: minute(parse(travel["now"])) for label, travel in journey.moves}
        backwards = [
            label
            for (_, before), (label, after) in zip(journey.moves, journey.moves[1:], strict=False)
            if parse(after["started"]) < parse(before["now"])
        ]
        expected_backwards: list[str] = []
        assert expected_backwards == backwards

    def test_timeouts_move_the_case_when_the_clock_moves(self, journey: Journey) -> None:
        """Timeouts fire at the first clock move after their moment: preparation, follow-up, and
        each checkpoint that opens."""
        expected_states = {
            "signed": "CONTRACTED",
            "signed, clock moved": "PREPARING",
            "debriefed": "DEBRIEFED",
            "debriefed, clock moved": "FOLLOW_UP",
            "closed": "CLOSED",
        }
        assert expected_states == journey.states
        expected = [
            ("start_preparation", "CONTRACTED", "PREPARING", "system", minute(SIGNED_AT)),
            ("start_follow_up", "DEBRIEFED", "FOLLOW_UP", "system", minute(DEBRIEF_AT)),
            ("open_checkpoint", "FOLLOW_UP", "FOLLOW_UP", "system", minute(_e(182))),
            ("open_checkpoint", "FOLLOW_UP", "FOLLOW_UP", "system", minute(_e(365))),
        ]
        actual = [
            (e["trigger"], e["from_state"], e["to_state"], e["actor"], minute(parse(e["at"])))
            for e in journey.history
            if (e["request_id"] or "").startswith("reminder-")
        ]
        assert expected == actual

    def test_the_history_is_complete(self, journey: Journey) -> None:
        """Every transition is in the history, in order, at its sandbox time, chained."""
        expected = [
            (None, "REFERRED", OPENED_AT),
            ("log_first_contact", "CONTACTED", utc(Y, 1, 11, 12)),
            ("assess", "ASSESSED", utc(Y, 1, 15)),
            ("apply", "APPLIED", utc(Y, 1, 15)),
            ("select", "SELECTED", utc(Y, 1, 15)),
            ("match_host", "MATCHED", utc(Y, 1, 17)),
            ("sign_contracts", "CONTRACTED", SIGNED_AT),
            ("start_preparation", "PREPARING", SIGNED_AT),
            ("confirm_ready", "READY", utc(Y, 4, 17)),
            ("confirm_arrival", "ABROAD", ABROAD_AT),
            ("confirm_return", "RETURNED", RETURN_AT),
            ("debrief", "DEBRIEFED", DEBRIEF_AT),
            ("start_follow_up", "FOLLOW_UP", DEBRIEF_AT),
            ("record_outcome_m3", "FOLLOW_UP", utc(Y, 11, 9)),
            ("open_checkpoint", "FOLLOW_UP", minute(_e(182))),
            ("record_outcome_m6", "FOLLOW_UP", utc(Y + 1, 2, 8)),
            ("open_checkpoint", "FOLLOW_UP", minute(_e(365))),
            ("record_outcome_m12", "FOLLOW_UP", utc(Y + 1, 8, 10)),
            ("close", "CLOSED", utc(Y + 1, 8, 10)),
        ]
        actual = [
            (e["trigger"], e["to_state"], minute(parse(e["at"])))
            for e in journey.history
            if e["to_state"] is not None
        ]
        assert expected == actual
        expected_chain = list(range(1, len(journey.history) + 1))
        assert expected_chain == [e["seq"] for e in journey.history]
        broken = [
            e["seq"]
            for before, e in zip(journey.history, journey.history[1:], strict=False)
            if e["prev_hash"] != before["hash"]
        ]
        expected_broken: list[int] = []
        assert expected_broken == broken

    def test_the_history_records_documents_and_data(self, journey: Journey) -> None:
        """Documents recorded by PUT and data set by PATCH are in the history, in sandbox time."""
        expected = [
            ("document", "grant_agreement", SIGNED_AT),
            ("document", "learning_agreement", SIGNED_AT),
            ("data_changed", "prefinancing_paid", utc(Y, 2, 25)),
            ("document", "identity", utc(Y, 4, 17)),
            ("document", "insurance", utc(Y, 4, 17)),
            ("document", "ceam", utc(Y, 4, 17)),
            *[("data_changed", name, utc(Y, 4, 17)) for name in sorted(CHECKLIST)],
            ("data_changed", "ml_report_sent", DEBRIEF_AT),
            ("data_changed", "ols_assessment_2_done", DEBRIEF_AT),
            ("document", "europass", DEBRIEF_AT),
        ]
        actual = [
            (e["kind"], name, minute(parse(e["at"])))
            for e in journey.history
            if e["kind"] in ("document", "data_changed")
            for name in (
                [e["payload"]["document"]]
                if e["kind"] == "document"
                else sorted(e["payload"]["changes"])
            )
        ]
        assert expected == actual

    def test_the_audit_chain_verifies(self, journey: Journey) -> None:
        """GET /api/v1/audit/verify is ok after the journey."""
        expected = {"cases": 1, "entries": len(journey.history), "ok": True, "broken": []}
        assert expected == journey.verify

    def test_every_answer_is_marked_as_the_sandbox(self, journey: Journey) -> None:
        """Every response of the journey carries X-IPM-Sandbox."""
        expected = {MARKER}
        assert expected == set(journey.markers)
