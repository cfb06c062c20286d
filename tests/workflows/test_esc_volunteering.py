"""Variant C (European Solidarity Corps volunteering) replayed through the service layer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import GuardFailed, InvalidInput
from ipm_workflow.services.commands import Actor
from journey import Journey, assert_chains_ok, messages, refused_rules
from journey.endings import (
    LOST_AT_M12,
    ended_with_evidence,
    fired_with_reason,
    lost_at_m12,
    outcomes_then_close,
    walk_path,
)

WORKFLOW = "esc_volunteering"
OPENING = {"cv_attached": True, "privacy_notice_given": True}
# A stay of seven and a half months: more than 6, so the mid-term evaluation applies.
START, END = date(2026, 5, 4), date(2026, 12, 18)
OFFER: dict[str, Any] = {
    "offer_reference": "PASS-2026-0042",
    "volunteering_format": "individual",
    "grant_project_code": "2026-1-PT02-ESC51-000123",
    "grant_project_end": date(2027, 12, 31),
    "destination_country": "Portugal",
    "host_organisation": "Associação Exemplo",
    "mentor_name": "Mentor Témoin",
    "planned_start": START,
    "planned_end": END,
    "long_stay": True,
}
SHORT_OFFER = {**OFFER, "planned_end": date(2026, 8, 28), "long_stay": False}
NORMAL_PATH = [
    "REFERRED", "CONTACTED", "ASSESSED", "APPLIED", "OFFER_ACCEPTED", "CONTRACTED",
    "PREPARING", "READY", "ABROAD", "RETURNED", "DEBRIEFED", "FOLLOW_UP",
]  # fmt: skip
# The programme's eligibility rules (its `eligibility:` block) a refusal names.
AGE_AT_START = "esc_volunteering.start_from_18"
AGE_AT_END = "esc_volunteering.end_before_31"


def _leave(d: Journey, cid: int, state: str, offer: Mapping[str, Any]) -> None:
    """Do what the advisor (or the system) does to leave a state of the normal path."""
    steps: dict[str, Any] = {
        "REFERRED": lambda: d.fire(cid, "log_first_contact", {"first_contact_date": d.today()}),
        "CONTACTED": lambda: d.fire(cid, "assess", {"eligibility_checked": True}),
        "ASSESSED": lambda: d.fire(
            cid, "apply", {"esc_portal_registered": True, "duplicate_check_passed": True}
        ),
        "APPLIED": lambda: d.fire(cid, "accept_offer", offer),
        "OFFER_ACCEPTED": lambda: _sign(d, cid),
        "CONTRACTED": lambda: d.system(cid, "start_preparation"),
        "PREPARING": lambda: _prepare(d, cid),
        "READY": lambda: _arrive(d, cid),
        "ABROAD": lambda: _volunteer_and_return(d, cid),
        "RETURNED": lambda: _debrief(d, cid),
        "DEBRIEFED": lambda: d.system(cid, "start_follow_up"),
    }
    steps[state]()


def _sign(d: Journey, cid: int) -> None:
    d.doc(cid, "volunteering_agreement")
    d.fire(cid, "sign_agreement", {"signature_date": d.today()})


def _prepare(d: Journey, cid: int) -> None:
    end = date.fromisoformat(d.case(cid).data["planned_end"])
    d.doc(cid, "identity", valid_until=end + timedelta(days=700))
    d.doc(cid, "insurance_enrolment", valid_until=end + timedelta(days=14))
    d.set(cid, travel_booked=True, emergency_contacts_filled=True)
    d.fire(cid, "confirm_ready")


def _arrive(d: Journey, cid: int) -> None:
    start = date.fromisoformat(d.case(cid).data["planned_start"])
    if d.today() < start:
        d.move_to(start, 7)
    d.fire(cid, "confirm_arrival", {"actual_start": start})


def _volunteer_and_return(d: Journey, cid: int) -> None:
    data = d.case(cid).data
    d.fire(cid, "record_on_arrival_training")
    if data["long_stay"]:
        d.fire(cid, "record_mid_term_evaluation")
    end = date.fromisoformat(data["planned_end"])
    if d.today() < end:
        d.move_to(end, 17)
    d.system(cid, "confirm_return", {"actual_end": end})


def _debrief(d: Journey, cid: int) -> None:
    d.set(cid, ml_report_sent=True)
    d.doc(cid, "youthpass")
    d.fire(cid, "debrief", {"debrief_date": d.today()})


def walk(d: Journey, cid: int, target: str, offer: Mapping[str, Any] = OFFER) -> None:
    """Walk a case along the normal path until it reaches a state."""
    walk_path(d, cid, target, NORMAL_PATH, lambda state: _leave(d, cid, state, offer))


class TestNormalJourney:
    """From the mission locale's referral to the closed follow-up."""

    def test_walks_from_referral_to_closure(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Offer in PASS, agreement, training cycle, report then certificate, follow-up."""
        d, cid = drive, case_id
        seen = [d.state(cid)]
        d.advance(1)
        d.fire(cid, "log_first_contact", {"first_contact_date": d.today()})
        seen.append(d.state(cid))
        d.advance(7)
        d.fire(cid, "assess", {"eligibility_checked": True})
        seen.append(d.state(cid))
        d.advance(3)
        d.fire(cid, "apply", {"esc_portal_registered": True, "duplicate_check_passed": True})
        seen.append(d.state(cid))
        d.advance(30)
        d.fire(
            cid,
            "accept_offer",
            OFFER,
            actor=Actor("yp:camille", "young_person", frozenset({"ml-a"})),
        )
        seen.append(d.state(cid))
        d.advance(10)
        _sign(d, cid)
        seen.append(d.state(cid))
        d.run_reminders()  # the open_preparation timeout fires start_preparation
        seen.append(d.state(cid))
        d.advance(30)
        _prepare(d, cid)
        seen.append(d.state(cid))
        d.move_to(START, 7)
        d.fire(cid, "confirm_arrival", {"actual_start": START})
        seen.append(d.state(cid))
        d.advance(12)
        d.fire(cid, "record_on_arrival_training")
        d.move_to(START + timedelta(days=120))
        d.fire(cid, "record_mid_term_evaluation")
        d.move_to(END, 17)
        d.system(cid, "confirm_return", {"actual_end": END})
        seen.append(d.state(cid))
        d.advance(10)
        d.set(cid, participant_report_status="submitted")
        d.fire(cid, "record_certificate", {"certificate_date": d.today()})
        _debrief(d, cid)
        seen.append(d.state(cid))
        d.run_reminders()  # the open_follow_up timeout fires start_follow_up
        seen.append(d.state(cid))
        outcomes = [
            ("training_under_6m", "mission_locale"),
            ("work_study_contract", "young_person"),
            ("work_study_contract", "i_milo"),
        ]
        closed = outcomes_then_close(d, cid, END, outcomes, "work_study_contract")
        seen.append(closed.state)
        expected = (
            [*NORMAL_PATH, "CLOSED"],
            (True, True, (END + timedelta(days=10)).isoformat()),
            "work_study_contract",
        )
        actual = (
            seen,
            (
                closed.data["on_arrival_training_done"],
                closed.data["mid_term_evaluation_done"],
                closed.data["certificate_date"],
            ),
            closed.data["final_outcome"],
        )
        assert expected == actual
        assert_chains_ok(container)


class TestAgeLimits:
    """From 17 to register; from 18 at the start; the activity ends before 31."""

    def test_too_old_on_the_planned_start(self, drive: Journey) -> None:
        """Someone 30 at the assessment but 31 on the planned start cannot accept the offer."""
        cid = drive.open(drive.person(date(1995, 9, 1)))
        walk(drive, cid, "APPLIED")
        offer = {**OFFER, "planned_start": date(2026, 10, 5), "planned_end": date(2027, 4, 30)}
        with pytest.raises(GuardFailed) as caught:
            drive.fire(cid, "accept_offer", offer)
        expected = ([AGE_AT_START, AGE_AT_END], "APPLIED")
        actual = (refused_rules(caught.value), drive.state(cid))
        assert expected == actual

    @pytest.mark.parametrize(
        ("born", "unmet", "dates"),
        [
            pytest.param(
                date(1995, 8, 1),
                [AGE_AT_END],
                {"planned_end": date(2026, 7, 24), "long_stay": False},
                id="31-before-the-planned-end-then-a-shorter-activity",
            ),
            pytest.param(
                date(2008, 9, 1),
                [AGE_AT_START],
                {"planned_start": date(2026, 9, 7), "planned_end": date(2027, 3, 26)},
                id="under-18-on-the-planned-start-then-a-later-start",
            ),
        ],
    )
    def test_offer_refused_by_age_then_accepted_with_other_dates(
        self, drive: Journey, born: date, unmet: list[str], dates: dict[str, Any]
    ) -> None:
        """A volunteer 31 on the planned end needs a shorter activity; a 17-year-old may
        register and apply, but starts only once 18."""
        cid = drive.open(drive.person(born))
        walk(drive, cid, "APPLIED")
        with pytest.raises(GuardFailed) as caught:
            drive.fire(cid, "accept_offer", OFFER)
        assert unmet == refused_rules(caught.value)
        expected = "OFFER_ACCEPTED"
        actual = drive.fire(cid, "accept_offer", {**OFFER, **dates}).case.state
        assert expected == actual

    def test_assessment_refused_under_17(self, drive: Journey) -> None:
        """Registration on the ESC portal opens at 17: a 16-year-old is not assessed."""
        cid = drive.open(drive.person(date(2009, 6, 1)))
        walk(drive, cid, "CONTACTED")
        with pytest.raises(GuardFailed) as caught:
            drive.fire(cid, "assess", {"eligibility_checked": True})
        expected = ["esc_volunteering.register_from_17"]
        assert expected == refused_rules(caught.value)


class TestCertificate:
    """The ESC certificate comes only after the participant report."""

    def test_certificate_refused_before_the_participant_report(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Recording the certificate while the report is only requested is refused."""
        walk(drive, case_id, "RETURNED")
        drive.advance(3)
        inputs = {"certificate_date": drive.today()}
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "record_certificate", inputs)
        expected_unmet = [
            "the ESC certificate is only generated once the participant report is submitted"
        ]
        assert expected_unmet == messages(caught.value)
        drive.set(case_id, participant_report_status="submitted")
        case = drive.fire(case_id, "record_certificate", inputs).case
        expected = ("RETURNED", drive.today().isoformat())
        actual = (case.state, case.data["certificate_date"])
        assert expected == actual
        assert_chains_ok(container)

    def test_certificate_may_follow_the_debrief(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """The debrief does not wait for the report; the certificate is recorded in follow-up."""
        walk(drive, case_id, "FOLLOW_UP")
        drive.advance(20)
        drive.set(case_id, participant_report_status="submitted")
        case = drive.fire(case_id, "record_certificate", {"certificate_date": drive.today()}).case
        expected = ("FOLLOW_UP", drive.today().isoformat())
        actual = (case.state, case.data["certificate_date"])
        assert expected == actual
        assert_chains_ok(container)


class TestTrainingCycle:
    """On-arrival training always; the mid-term evaluation beyond 6 months only."""

    def test_long_stay_debrief_needs_the_mid_term_evaluation(
        self, drive: Journey, case_id: int
    ) -> None:
        """A stay over 6 months without a mid-term evaluation cannot be debriefed."""
        walk(drive, case_id, "ABROAD")
        drive.fire(case_id, "record_on_arrival_training")
        drive.move_to(END, 17)
        drive.system(case_id, "confirm_return", {"actual_end": END})
        drive.set(case_id, ml_report_sent=True)
        drive.doc(case_id, "youthpass")
        debrief = {"debrief_date": drive.today()}
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "debrief", debrief)
        # Both alternatives of `debrief` report what they miss (see the workflow's comment).
        expected_unmet = [
            "the stay lasted more than 6 months: the mid-term evaluation applies",
            "a stay of more than 6 months needs its mid-term evaluation",
        ]
        assert expected_unmet == messages(caught.value)
        drive.set(case_id, mid_term_evaluation_done=True)
        expected = "DEBRIEFED"
        actual = drive.fire(case_id, "debrief", debrief).case.state
        assert expected == actual

    def test_short_stay_has_no_mid_term_evaluation(self, drive: Journey, case_id: int) -> None:
        """For 6 months or less the mid-term evaluation is refused and not required."""
        walk(drive, case_id, "ABROAD", SHORT_OFFER)
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "record_mid_term_evaluation")
        expected_unmet = ["the mid-term evaluation is only for stays of more than 6 months"]
        assert expected_unmet == messages(caught.value)
        walk(drive, case_id, "DEBRIEFED", SHORT_OFFER)
        case = drive.case(case_id)
        expected = ("DEBRIEFED", True, None)
        actual = (
            case.state,
            case.data["on_arrival_training_done"],
            case.data.get("mid_term_evaluation_done"),
        )
        assert expected == actual


class TestPostponement:
    """New dates from the host, then back where the case stood."""

    def test_postpone_then_resume_to_the_previous_state(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """The dates move, the document reminders follow them, resume goes back."""
        walk(drive, case_id, "PREPARING")
        new_start, new_end = date(2026, 9, 7), date(2027, 3, 26)
        dates = {"planned_start": new_start, "planned_end": new_end}
        postponed = drive.fire(case_id, "postpone", dates, reason="the host project starts later")
        resumed = drive.fire(case_id, "resume").case
        expected = (
            ("POSTPONED", "PREPARING", "PREPARING"),
            (new_start.isoformat(), new_end.isoformat(), True),
            {new_start - timedelta(days=14)},
        )
        actual = (
            (postponed.case.state, postponed.case.previous_state, resumed.state),
            (
                resumed.data["planned_start"],
                resumed.data["planned_end"],
                resumed.data["long_stay"],
            ),
            drive.planned_days(case_id, "documents_d14"),
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_postponement_keeps_the_age_limits(self, drive: Journey) -> None:
        """New dates that end after the 31st birthday are refused."""
        cid = drive.open(drive.person(date(1996, 1, 20)))
        walk(drive, cid, "CONTRACTED")
        dates = {"planned_start": date(2026, 9, 7), "planned_end": date(2027, 3, 26)}
        with pytest.raises(GuardFailed) as caught:
            drive.fire(cid, "postpone", dates, reason="visa delay")
        expected = ([AGE_AT_END], "CONTRACTED")
        actual = (refused_rules(caught.value), drive.state(cid))
        assert expected == actual


class TestEarlyReturn:
    """An interrupted volunteering needs evidence; its debrief skips the training cycle."""

    def test_early_return_with_evidence_then_debrief(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Refused without evidence; with it, the report is requested and the debrief follows."""
        walk(drive, case_id, "ABROAD")
        drive.advance(30)
        inputs = {"early_return_reason": "force_majeure", "actual_end": drive.today()}
        reason = "host closed after a flood"
        back = ended_with_evidence(drive, case_id, "return_early", inputs, reason).case
        drive.advance(7)
        _debrief(drive, case_id)
        expected = ("EARLY_RETURN", "requested", "DEBRIEFED")
        actual = (back.state, back.data["participant_report_status"], drive.state(case_id))
        assert expected == actual
        assert_chains_ok(container)


class TestLeavingTheJourney:
    """No offer, withdrawal, cancellation, lost contact and merge end the case."""

    def test_no_offer_needs_a_reason(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Closing without an offer is explained, and terminal."""
        walk(drive, case_id, "APPLIED")
        with pytest.raises(InvalidInput):
            drive.fire(case_id, "no_offer")
        fired = drive.fire(case_id, "no_offer", reason="no answer from 12 projects")
        expected = ("NOT_SELECTED", drive.clock.now())
        actual = (fired.case.state, fired.case.closed_at)
        assert expected == actual
        assert_chains_ok(container)

    def test_withdraw_after_accepting_the_offer(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """The volunteer may withdraw after accepting, giving the reason code."""
        walk(drive, case_id, "OFFER_ACCEPTED")
        fired = drive.fire(case_id, "withdraw", {"withdrawal_reason": "job_found"})
        expected = ("WITHDRAWN", "job_found")
        actual = (fired.case.state, fired.case.data["withdrawal_reason"])
        assert expected == actual
        assert_chains_ok(container)

    def test_cancel_needs_a_reason(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """The host withdrawing its offer cancels the case, with a reason kept."""
        walk(drive, case_id, "READY")
        inputs = {"cancellation_reason": "offer_withdrawn"}
        reason = "the host lost its accreditation"
        fired = fired_with_reason(drive, case_id, "cancel", inputs, reason)
        expected = ("CANCELLED", "offer_withdrawn", "the host lost its accreditation")
        actual = (
            fired.case.state,
            fired.case.data["cancellation_reason"],
            fired.entry.payload["reason"],
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_lost_contact_after_unanswered_surveys_at_m12(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Outcomes known at M+3 and M+6, none at M+12: three unanswered tries over 30 days."""
        walk(drive, case_id, "FOLLOW_UP")
        drive.move_to(END + timedelta(days=92))
        drive.fire(
            case_id,
            "record_outcome_m3",
            {
                "outcome_m3": "job_seeking",
                "outcome_m3_source": "mission_locale",
                "outcome_m3_confidence": "declared",
            },
        )
        drive.move_to(END + timedelta(days=183))
        drive.fire(
            case_id,
            "record_outcome_m6",
            {
                "outcome_m6": "temp_work",
                "outcome_m6_source": "mission_locale",
                "outcome_m6_confidence": "declared",
            },
        )
        actual = lost_at_m12(drive, case_id, END)
        assert actual == LOST_AT_M12
        assert_chains_ok(container)
