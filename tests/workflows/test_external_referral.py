"""Variant D (referral to an external operator: SCI, VIE, youth exchange) through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import (
    GuardFailed,
    InvalidInput,
    InvalidTransition,
)
from ipm_workflow.domain.people import Person
from journey import Journey, assert_chains_ok, messages, refused_rules
from journey.endings import (
    LOST_AT_M12,
    ended_with_evidence,
    fired_with_reason,
    lost_at_m12,
    outcomes_then_close,
)

WORKFLOW = "external_referral"
REFERRAL_DATE = date(2026, 1, 5)
OPENING: dict[str, Any] = {
    "privacy_notice_given": True,
    "external_programme": "service_civique",
    "operator_name": "Association Solidarité Exemple",
    "referral_date": REFERRAL_DATE,
    "destination_country": "Senegal",
}
START, END = date(2026, 3, 2), date(2026, 10, 30)
DATES = {"planned_start": START, "planned_end": END}


def placed(d: Journey, cid: int) -> None:
    """The operator confirmed the service civique: the case is followed up."""
    d.doc(cid, "operator_confirmation", "received")
    d.fire(cid, "confirm_service_civique", DATES)


class TestNormalJourney:
    """From the referral to the closed follow-up."""

    def test_from_referral_to_closure(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """The operator confirms, outcomes come at +3/+6/+12 months after the planned end."""
        d, cid = drive, case_id
        seen = [d.state(cid)]
        d.advance(20)
        placed(d, cid)
        seen.append(d.state(cid))
        outcomes = [
            ("job_seeking", "mission_locale"),
            ("training_6m_plus_qualifying", "young_person"),
            ("cdd_6m_plus", "i_milo"),
        ]
        closed = outcomes_then_close(d, cid, END, outcomes, "cdd_6m_plus")
        seen.append(closed.state)
        expected = (
            ["REFERRED_EXTERNAL", "FOLLOW_UP", "CLOSED"],
            ("service_civique", START.isoformat(), END.isoformat()),
            ("job_seeking", "training_6m_plus_qualifying", "cdd_6m_plus", "cdd_6m_plus"),
        )
        actual = (
            seen,
            (
                closed.data["external_programme"],
                closed.data["planned_start"],
                closed.data["planned_end"],
            ),
            (
                closed.data["outcome_m3"],
                closed.data["outcome_m6"],
                closed.data["outcome_m12"],
                closed.data["final_outcome"],
            ),
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_operator_news_asked_three_weeks_after_the_referral(
        self, drive: Journey, case_id: int
    ) -> None:
        """Without a placement, the advisor is asked to chase the operator, then again."""
        drive.move_to(REFERRAL_DATE + timedelta(days=21))
        drive.run_reminders()
        asked = drive.sent(case_id, "operator_news", "advisor")
        next_due = drive.planned_days(case_id, "operator_news")
        placed(drive, case_id)
        expected = (
            [(0, "sent"), (1, "planned")],
            {REFERRAL_DATE + timedelta(days=35), REFERRAL_DATE + timedelta(days=49)},
            set(),
        )
        actual = (asked, next_due, drive.planned_days(case_id, "operator_news"))
        assert expected == actual


class TestPlacementRules:
    """Each programme is confirmed by its own trigger, with its own age rule."""

    def test_opening_needs_the_privacy_notice_and_a_past_referral(
        self, container: Container, drive: Journey, person: Person
    ) -> None:
        """The mission locale cannot refer without the privacy notice, nor in the future."""
        assert person.id is not None
        opening = {
            **OPENING,
            "privacy_notice_given": False,
            "referral_date": REFERRAL_DATE + timedelta(days=1),
        }
        with pytest.raises(GuardFailed) as caught:
            drive.open(person.id, opening)
        expected = (
            [
                "the privacy notice must have been given",
                "the referral date cannot be in the future",
            ],
            [],
        )
        actual = (messages(caught.value), container.cases.verify())
        assert expected == actual

    def test_the_trigger_must_match_the_programme(self, drive: Journey, case_id: int) -> None:
        """A service civique referral cannot be confirmed as a VIE or a youth exchange."""
        drive.doc(case_id, "operator_confirmation", "received")
        refused = []
        for trigger in ("confirm_vie", "confirm_youth_exchange"):
            inputs = {**DATES, "previous_vie": False} if trigger == "confirm_vie" else DATES
            with pytest.raises(GuardFailed) as caught:
                drive.fire(case_id, trigger, inputs)
            refused.append(messages(caught.value))
        expected = [["this referral is not to a VIE"], ["this referral is not to a youth exchange"]]
        assert expected == refused

    def test_vie_age_limit_and_once_in_a_lifetime(self, drive: Journey) -> None:
        """A VIE starts at 28 at the latest, and only once in a lifetime."""
        cid = drive.open(drive.person(date(1997, 1, 10)), {**OPENING, "external_programme": "vie"})
        drive.doc(cid, "operator_confirmation", "received")
        with pytest.raises(GuardFailed) as caught:
            drive.fire(cid, "confirm_vie", {**DATES, "previous_vie": True})
        expected = (
            ["a VIE can be done only once in a lifetime", "vie.age_at_start"],
            "REFERRED_EXTERNAL",
        )
        actual = (refused_rules(caught.value), drive.state(cid))
        assert expected == actual

    def test_placement_needs_the_operators_confirmation(self, drive: Journey, case_id: int) -> None:
        """Without the operator's contract or registration, the placement is not confirmed."""
        with pytest.raises(GuardFailed) as caught:
            drive.fire(case_id, "confirm_service_civique", DATES)
        expected = ["documents not in order: operator_confirmation (missing)"]
        assert expected == messages(caught.value)

    def test_youth_exchange_for_a_young_teenager_too(self, drive: Journey) -> None:
        """A youth exchange takes 13 to 30-year-olds: a 17-year-old is placed."""
        opening = {**OPENING, "external_programme": "youth_exchange"}
        cid = drive.open(drive.person(date(2008, 9, 1)), opening)
        drive.doc(cid, "operator_confirmation", "received")
        dates = {"planned_start": date(2026, 4, 6), "planned_end": date(2026, 4, 17)}
        expected = "FOLLOW_UP"
        actual = drive.fire(cid, "confirm_youth_exchange", dates).case.state
        assert expected == actual


class TestDateChanges:
    """The operator moves the dates (what postponement is for the other variants)."""

    def test_reschedule_moves_the_outcome_surveys(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """New dates need a reason, and the outcome surveys follow the new planned end."""
        placed(drive, case_id)
        before = drive.planned_days(case_id, "outcome_m3")
        new_end = date(2026, 12, 18)
        dates = {"planned_start": START, "planned_end": new_end}
        with pytest.raises(InvalidInput):
            drive.fire(case_id, "reschedule", dates)
        case = drive.fire(case_id, "reschedule", dates, reason="mission extended").case
        expected = (
            {END + timedelta(days=91)},
            ("FOLLOW_UP", new_end.isoformat()),
            {new_end + timedelta(days=91)},
        )
        actual = (
            before,
            (case.state, case.data["planned_end"]),
            drive.planned_days(case_id, "outcome_m3"),
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_no_postponement_nor_cancellation_here(self, drive: Journey, case_id: int) -> None:
        """The operator runs the programme: the referral has no postponed or cancelled state."""
        refused = []
        for trigger in ("postpone", "cancel"):
            with pytest.raises(InvalidTransition) as caught:
                drive.fire(case_id, trigger, reason="operator's decision")
            refused.append(caught.value.kind)
        expected = ["invalid-transition", "invalid-transition"]
        assert expected == refused


class TestEarlyEnd:
    """The programme stops early: recorded with the operator's evidence."""

    def test_early_end_needs_evidence(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Refused without evidence; with it, the reason and the actual end are kept."""
        placed(drive, case_id)
        drive.move_to(START + timedelta(days=60))
        inputs = {"early_return_reason": "personal", "actual_end": drive.today()}
        case = ended_with_evidence(drive, case_id, "record_early_end", inputs, "homesick").case
        expected = ("FOLLOW_UP", "personal", drive.today().isoformat())
        actual = (case.state, case.data["early_return_reason"], case.data["actual_end"])
        assert expected == actual
        assert_chains_ok(container)


class TestLeavingTheJourney:
    """Withdrawal, no placement, lost contact and merge end the referral."""

    def test_withdraw_before_the_placement_only(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """The young person withdraws before starting; once placed, the follow-up goes on."""
        other = drive.open(drive.case(case_id).person_id)
        placed(drive, other)
        with pytest.raises(InvalidTransition):
            drive.fire(other, "withdraw", {"withdrawal_reason": "family"})
        fired = drive.fire(case_id, "withdraw", {"withdrawal_reason": "family"})
        expected = ("WITHDRAWN", "family", drive.clock.now())
        actual = (fired.case.state, fired.case.data["withdrawal_reason"], fired.case.closed_at)
        assert expected == actual
        assert_chains_ok(container, 2)

    def test_not_placed_needs_a_reason(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """A referral the operator turns down is closed with its reason code and a reason."""
        inputs = {"not_placed_reason": "operator_declined"}
        reason = "no assignment left this year"
        fired = fired_with_reason(drive, case_id, "not_placed", inputs, reason)
        expected = ("CLOSED", "operator_declined", "no assignment left this year")
        actual = (
            fired.case.state,
            fired.case.data["not_placed_reason"],
            fired.entry.payload["reason"],
        )
        assert expected == actual
        assert_chains_ok(container)

    def test_unanswered_m6_is_unknown_and_contact_is_lost_at_m12(
        self, container: Container, drive: Journey, case_id: int
    ) -> None:
        """Unanswered at M+6: still in follow-up, M+6 unknown once M+12 opens; unanswered at
        M+12 over 30 days: the system declares contact lost."""
        placed(drive, case_id)
        drive.unanswered(case_id, END + timedelta(days=182), until_day=90)
        assert (
            drive.state(case_id),
            drive.case(case_id).data.get("outcome_m6"),
        ) == ("FOLLOW_UP", None)
        actual = lost_at_m12(drive, case_id, END)
        assert actual == LOST_AT_M12
        assert_chains_ok(container)
        assert drive.case(case_id).data["outcome_m6"] == "unknown"
