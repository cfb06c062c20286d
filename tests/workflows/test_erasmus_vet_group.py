"""Variant A (short Erasmus+ VET group mobility) replayed through the service layer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import GuardFailed
from ipm_workflow.services.commands import Actor

# Variant A walks the same states as variant B.
from journey import NORMAL_PATH, Journey, assert_chains_ok, messages
from journey.departure import departure_refused
from journey.endings import (
    LOST_AT_M12,
    ended_with_evidence,
    fired_with_reason,
    lost_at_m12,
    outcomes_then_close,
    walk_path,
)
from journey.leaving import withdrawn_for

WORKFLOW = "erasmus_vet_group"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
GRANT = {
    "grant_project_code": "2026-1-FR01-KA122-VET-000042",
    "grant_project_end": date(2027, 8, 31),
}
COHORT = "VET-G-2026-04"
START, END = date(2026, 4, 13), date(2026, 5, 8)
HOST = {
    "destination_country": "IE",
    "host_organisation": "Dublin Training Centre",
    "accompanying_person": "Accompagnatrice Témoin",
    "planned_start": START,
    "planned_end": END,
}
PREPARATION = {
    "language_lessons_done": True,
    "group_sessions_done": True,
    "travel_booked": True,
    "emergency_contacts_filled": True,
}


def _leave(d: Journey, cid: int, state: str) -> None:
    """Do what the advisor (or the system) does to leave a state of the normal path."""
    steps: dict[str, Any] = {
        "REFERRED": lambda: d.fire(cid, "log_first_contact", {"first_contact_date": d.today()}),
        "CONTACTED": lambda: d.fire(cid, "assess", {"eligibility_checked": True}),
        "ASSESSED": lambda: d.fire(cid, "apply", {"duplicate_check_passed": True}),
        "APPLIED": lambda: d.fire(cid, "select", {**GRANT, "cohort_code": COHORT}),
        "SELECTED": lambda: d.fire(cid, "match_host", HOST),
        "MATCHED": lambda: _sign(d, cid),
        "CONTRACTED": lambda: d.system(cid, "start_preparation"),
        "PREPARING": lambda: _prepare(d, cid),
        "READY": lambda: _depart(d, cid),
        "ABROAD": lambda: _come_back(d, cid),
        "RETURNED": lambda: _debrief(d, cid),
        "DEBRIEFED": lambda: d.system(cid, "start_follow_up"),
    }
    steps[state]()


def _sign(d: Journey, cid: int) -> None:
    d.doc(cid, "grant_agreement")
    d.doc(cid, "group_learning_programme")
    d.fire(cid, "sign_contracts", {"signature_date": d.today()})


def _prepare(d: Journey, cid: int) -> None:
    for document in ("identity", "insurance", "ceam"):
        d.doc(cid, document, valid_until=END + timedelta(days=365))
    d.set(cid, **PREPARATION)
    d.fire(cid, "confirm_ready")


def _depart(d: Journey, cid: int) -> None:
    if d.today() < START:
        d.move_to(START, 7)
    d.fire(cid, "depart", {"actual_start": START})


def _come_back(d: Journey, cid: int) -> None:
    if d.today() < END:
        d.move_to(END, 17)
    d.system(cid, "confirm_return", {"actual_end": END})


def _debrief(d: Journey, cid: int) -> None:
    d.set(cid, ml_report_sent=True)
    d.doc(cid, "europass")
    d.fire(cid, "debrief", {"debrief_date": d.today()})


def walk(d: Journey, cid: int, target: str) -> None:
    """Walk a case along the normal path until it reaches a state."""
    walk_path(d, cid, target, NORMAL_PATH, lambda state: _leave(d, cid, state))


class TestNormalJourney:
    """From the mission locale's referral to the closed follow-up."""

    def test_walks_from_referral_to_closure(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Every step of variant A moves the case; timers open preparation and follow-up."""
        d, cid = drive, case_id
        seen = [d.state(cid)]
        d.advance(1)
        d.fire(cid, "log_first_contact", {"first_contact_date": d.today()})
        seen.append(d.state(cid))
        d.advance(7)
        d.fire(cid, "assess", {"eligibility_checked": True})
        seen.append(d.state(cid))
        d.advance(3)
        d.fire(cid, "apply", {"duplicate_check_passed": True})
        seen.append(d.state(cid))
        d.advance(14)
        d.fire(cid, "select", {**GRANT, "cohort_code": COHORT})
        seen.append(d.state(cid))
        d.advance(7)
        d.fire(cid, "match_host", HOST)
        seen.append(d.state(cid))
        _sign(d, cid)
        seen.append(d.state(cid))
        d.run_reminders()  # the open_preparation timeout fires start_preparation
        seen.append(d.state(cid))
        d.advance(20)
        _prepare(d, cid)
        seen.append(d.state(cid))
        d.move_to(START, 7)
        d.fire(cid, "depart", {"actual_start": START})
        seen.append(d.state(cid))
        d.move_to(END, 17)
        returned = d.system(cid, "confirm_return", {"actual_end": END}).case
        seen.append(returned.state)
        d.advance(7)
        d.set(cid, participant_report_status="submitted")
        _debrief(d, cid)
        seen.append(d.state(cid))
        d.run_reminders()  # the open_follow_up timeout fires start_follow_up
        seen.append(d.state(cid))
        outcomes = [("job_seeking", "mission_locale"), ("cdd_6m_plus", "mission_locale")]
        closed = outcomes_then_close(d, cid, END, [*outcomes, ("cdi", "i_milo")], "cdi")
        seen.append(closed.state)
        expected = (
            [*NORMAL_PATH, "CLOSED"],
            "requested",
            ("job_seeking", "cdd_6m_plus", "cdi", "cdi"),
            d.clock.now(),
        )
        actual = (
            seen,
            returned.data["participant_report_status"],
            tuple(
                closed.data[k] for k in ("outcome_m3", "outcome_m6", "outcome_m12", "final_outcome")
            ),
            closed.closed_at,
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_signature_needs_the_group_learning_programme(
        self, drive: Journey, case_id: int
    ) -> None:
        """The group learning programme replaces the individual learning agreement."""
        walk(drive, case_id, "MATCHED")
        drive.doc(case_id, "grant_agreement")
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "sign_contracts", {"signature_date": drive.today()})
        expected = ["documents not in order: group_learning_programme (missing)"]
        assert expected == messages(caught.value)


class TestGroupDeparture:
    """Departure and return run over the cohort; each participant answers for itself."""

    def test_bulk_departure_skips_who_withdrew_or_was_cancelled(
        self, container: Container, drive: Journey, advisor: Actor
    ) -> None:
        """A withdrawal and a cancellation in the group do not hold back the two others."""
        births = [date(2004, 2, 10), date(2005, 6, 15), date(2006, 1, 20), date(2003, 11, 2)]
        ids = [drive.open(drive.person(born, f"P{i}")) for i, born in enumerate(births)]
        for cid in ids:
            walk(drive, cid, "READY")
        cohort = container.cohorts.create(
            COHORT, "Dublin, April 2026", WORKFLOW, START, END, actor=advisor
        )
        assert cohort.id is not None
        container.cohorts.add_cases(cohort.id, ids, advisor)
        drive.fire(ids[1], "withdraw", {"withdrawal_reason": "job_found"})
        drive.fire(
            ids[2],
            "cancel",
            {"cancellation_reason": "ineligible"},
            reason="no longer registered with the mission locale",
        )
        drive.move_to(START, 7)
        departed = container.cohorts.bulk_fire(
            cohort.id, "depart", advisor, inputs={"actual_start": START.isoformat()}
        )
        drive.move_to(END, 17)
        back = container.cohorts.bulk_fire(
            cohort.id, "confirm_return", advisor, inputs={"actual_end": END.isoformat()}
        )
        expected = (
            [
                (ids[0], True, "ABROAD", None),
                (ids[1], False, None, "invalid-transition"),
                (ids[2], False, None, "invalid-transition"),
                (ids[3], True, "ABROAD", None),
            ],
            [
                (ids[0], True, "RETURNED", None),
                (ids[1], False, None, "invalid-transition"),
                (ids[2], False, None, "invalid-transition"),
                (ids[3], True, "RETURNED", None),
            ],
            ["RETURNED", "WITHDRAWN", "CANCELLED", "RETURNED"],
        )
        actual = (
            [(i.case_id, i.ok, i.to_state, i.error) for i in departed.items],
            [(i.case_id, i.ok, i.to_state, i.error) for i in back.items],
            [drive.state(cid) for cid in ids],
        )
        assert expected == actual
        assert_chains_ok(container, 4)

    def test_departure_blocked_until_the_group_preparation_is_done(
        self, drive: Journey, case_id: int
    ) -> None:
        """Language lessons and group sessions are required to join the departure."""
        walk(drive, case_id, "PREPARING")
        checklist = {"travel_booked": True, "emergency_contacts_filled": True}
        expected = [
            "the language lessons must be done before the departure",
            "the group preparation sessions must be done before the departure",
        ]
        assert expected == departure_refused(drive, case_id, END, checklist)
        drive.set(case_id, language_lessons_done=True, group_sessions_done=True)
        expected_state = "READY"
        assert expected_state == drive.fire(case_id, "confirm_ready").case.state

    def test_minor_at_departure_needs_the_travel_authorisation(self, drive: Journey) -> None:
        """A participant still 17 on the group's start needs the AST and the guardian's ID."""
        cid = drive.open(drive.person(date(2008, 9, 1)))
        walk(drive, cid, "MATCHED")
        drive.doc(cid, "guardian_consent", "received")
        walk(drive, cid, "PREPARING")
        expected = ["a minor needs the travel authorisation and the guardian's ID"]
        assert expected == departure_refused(drive, cid, END, PREPARATION)


class TestPostponement:
    """A participant moved to a later group, then resumed where the case stood."""

    def test_postpone_then_resume_to_the_previous_state(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Dates and cohort change, reminders follow the new start, resume goes back."""
        walk(drive, case_id, "PREPARING")
        before = drive.planned_days(case_id, "documents_d7")
        new_start, new_end = date(2026, 6, 8), date(2026, 7, 3)
        postponed = drive.fire(
            case_id,
            "postpone",
            {"planned_start": new_start, "planned_end": new_end, "cohort_code": "VET-G-2026-06"},
            reason="passport renewal: moved to the June group",
        ).case
        resumed = drive.fire(case_id, "resume").case
        expected = (
            {START - timedelta(days=7)},
            ("POSTPONED", "PREPARING", "PREPARING"),
            ("VET-G-2026-06", new_start.isoformat()),
            {new_start - timedelta(days=7)},
        )
        actual = (
            before,
            (postponed.state, postponed.previous_state, resumed.state),
            (resumed.data["cohort_code"], resumed.data["planned_start"]),
            drive.planned_days(case_id, "documents_d7"),
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_postponement_must_stay_within_the_grant_project(
        self, drive: Journey, case_id: int
    ) -> None:
        """New dates beyond the grant project's end are refused and nothing changes."""
        walk(drive, case_id, "MATCHED")
        dates = {"planned_start": date(2027, 8, 2), "planned_end": date(2027, 9, 3)}
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "postpone", dates, reason="host closed in spring")
        expected = (["the new end date must fall within the grant project"], "MATCHED")
        actual = (messages(caught.value), drive.state(case_id))
        assert expected == actual

    def test_resume_refused_once_the_new_start_has_passed(
        self, drive: Journey, case_id: int
    ) -> None:
        """A postponed case cannot resume on a departure date already behind us."""
        walk(drive, case_id, "SELECTED")
        dates = {"planned_start": date(2026, 3, 2), "planned_end": date(2026, 3, 27)}
        drive.fire(case_id, "postpone", dates, reason="waiting for the host's answer")
        drive.move_to(date(2026, 3, 2))
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "resume")
        expected = (["the new departure date has already passed"], "POSTPONED")
        actual = (messages(caught.value), drive.state(case_id))
        assert expected == actual


class TestEarlyReturn:
    """An interrupted stay needs evidence, then still goes through the debrief."""

    def test_early_return_with_evidence_then_debrief(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Without evidence the early return is refused; with it, the debrief follows."""
        walk(drive, case_id, "ABROAD")
        drive.advance(10)
        inputs = {"early_return_reason": "personal", "actual_end": drive.today()}
        back = ended_with_evidence(drive, case_id, "return_early", inputs, "family emergency").case
        drive.advance(5)
        _debrief(drive, case_id)
        expected = ("EARLY_RETURN", "personal", "requested", "DEBRIEFED")
        actual = (
            back.state,
            back.data["early_return_reason"],
            back.data["participant_report_status"],
            drive.state(case_id),
        )
        assert expected == actual
        assert_chains_ok(container)


class TestLeavingTheJourney:
    """Withdrawal, cancellation, lost contact and merge end a participant's case."""

    def test_withdraw_needs_its_reason_code(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """A withdrawal without its reason is invalid; with it, the case is withdrawn."""
        walk(drive, case_id, "READY")
        actual = withdrawn_for(drive, case_id, "health")
        expected = ("WITHDRAWN", "health", drive.clock.now())
        assert expected == actual
        assert_chains_ok(container)

    def test_cancel_needs_a_reason(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """A cancellation without a free-text reason is refused; with one it is kept."""
        walk(drive, case_id, "CONTRACTED")
        inputs = {"cancellation_reason": "funding_lost"}
        fired = fired_with_reason(drive, case_id, "cancel", inputs, "the group's grant was cut")
        expected = ("CANCELLED", "the group's grant was cut")
        actual = (fired.case.state, fired.entry.payload["reason"])
        assert expected == actual
        assert_chains_ok(container)

    def test_lost_contact_after_three_unanswered_attempts_at_m12(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Nobody answers at M+6 (recorded unknown) nor at M+12: the survey is tried there in
        its order, and three unanswered attempts over 30 days let the system declare it lost."""
        cid = case_id
        walk(drive, cid, "FOLLOW_UP")
        drive.move_to(END + timedelta(days=92))
        drive.outcome(cid, "m3", "job_seeking")
        actual = lost_at_m12(drive, cid, END)
        assert actual == LOST_AT_M12
        assert_chains_ok(container)
        assert drive.case(cid).data["outcome_m6"] == "unknown"
