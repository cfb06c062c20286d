"""The variant-B journey (long individual Erasmus+ VET internship) through the service layer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.cases import Case
from ipm_workflow.domain.errors import (
    Forbidden,
    GuardFailed,
    InvalidInput,
    InvalidTransition,
    NotFound,
    RoleNotAllowed,
)
from ipm_workflow.domain.people import Person, User
from ipm_workflow.services.commands import (
    SYSTEM,
    Actor,
    FireTrigger,
    OpenCase,
    RecordDocument,
    UpdateData,
)
from journey import CHECKLIST, GRANT, HOST, WORKFLOW, Journey
from journey.departure import departure_refused
from journey.leaving import withdrawn_for


def _moves(journey: Journey, case_id: int) -> list[str]:
    """Each history entry as 'kind [trigger] [FROM] [-> TO]': 'opened -> REFERRED',
    'transition assess CONTACTED -> ASSESSED', 'document'."""
    moves = []
    for e in journey.history(case_id):
        words = [e.kind, *filter(None, (e.trigger, e.from_state))]
        if e.to_state:
            words += ["->", e.to_state]
        moves.append(" ".join(words))
    return moves


def _assert_chain_ok(container: Container, case_id: int) -> None:
    [report] = container.cases.verify([case_id])
    expected = (True, None)
    assert expected == (report.ok, report.problem)


def _matched(journey: Journey, born: date) -> tuple[int, Case]:
    """Open a case for a young person born on `born` and walk it to MATCHED (host found)."""
    cid = journey.open(journey.person(born))
    return cid, journey.walk_to(cid, "MATCHED")


def _messages(error: GuardFailed) -> list[str]:
    return [u.message for u in error.unmet]


NORMAL_HISTORY = [
    "opened -> REFERRED",
    "transition log_first_contact REFERRED -> CONTACTED",
    "transition assess CONTACTED -> ASSESSED",
    "transition apply ASSESSED -> APPLIED",
    "transition select APPLIED -> SELECTED",
    "transition match_host SELECTED -> MATCHED",
    "document",
    "document",
    "transition sign_contracts MATCHED -> CONTRACTED",
    "transition start_preparation CONTRACTED -> PREPARING",
    "document",
    "document",
    "document",
    "data_changed",
    "transition confirm_ready PREPARING -> READY",
    "transition confirm_arrival READY -> ABROAD",
    "transition report_incident ABROAD -> ABROAD",
    "transition confirm_return ABROAD -> RETURNED",
    "data_changed",
    "document",
    "transition debrief RETURNED -> DEBRIEFED",
    "transition start_follow_up DEBRIEFED -> FOLLOW_UP",
    "transition record_outcome_m3 FOLLOW_UP -> FOLLOW_UP",
    "transition record_outcome_m6 FOLLOW_UP -> FOLLOW_UP",
    "transition record_outcome_m12 FOLLOW_UP -> FOLLOW_UP",
    "transition close FOLLOW_UP -> CLOSED",
]


class TestNormalJourney:
    """REFERRED to CLOSED along the normal path, with a clock that moves like real life."""

    def test_walks_from_referral_to_closure(
        self, container: Container, journey: Journey, person: Person
    ) -> None:
        """Every step moves the state, bumps the version once and appends one chained entry."""
        assert person.id is not None
        j = journey
        cid = j.open(person.id)

        def check(state: str, version: int) -> None:
            case = j.case(cid)
            assert (state, version) == (case.state, case.version)

        check("REFERRED", 1)
        j.advance(1)
        j.fire(cid, "log_first_contact", {"first_contact_date": j.today()})
        check("CONTACTED", 2)
        j.advance(7)
        j.fire(cid, "assess", {"programme": "erasmus_vet", "eligibility_checked": True})
        check("ASSESSED", 3)
        j.advance(3)
        j.fire(cid, "apply", {"duplicate_check_passed": True})
        check("APPLIED", 4)
        j.advance(14)
        grant_end = j.today() + timedelta(days=700)
        j.fire(cid, "select", {"grant_project_code": GRANT, "grant_project_end": grant_end})
        check("SELECTED", 5)
        j.advance(14)
        start = j.today() + timedelta(days=60)
        end = start + timedelta(days=90)
        j.fire(cid, "match_host", {**HOST, "planned_start": start, "planned_end": end})
        check("MATCHED", 6)
        j.doc(cid, "grant_agreement")
        j.doc(cid, "learning_agreement")
        j.fire(cid, "sign_contracts", {"signature_date": j.today()})
        check("CONTRACTED", 9)
        j.advance(1)
        j.system(cid, "start_preparation")
        check("PREPARING", 10)
        j.advance(20)
        for document in ("identity", "insurance", "ceam"):
            j.doc(cid, document, valid_until=end + timedelta(days=365))
        j.set(cid, **CHECKLIST)
        j.advance(10)
        j.fire(cid, "confirm_ready")
        check("READY", 15)
        j.move_to(start, 8)
        j.fire(cid, "confirm_arrival", {"actual_start": start})
        check("ABROAD", 16)
        j.advance(30)
        j.fire(cid, "report_incident", {"incident_severity": "low"}, reason="lost luggage")
        check("ABROAD", 17)
        j.move_to(end, 16)
        j.system(cid, "confirm_return", {"actual_end": end})
        check("RETURNED", 18)
        expected_status = "requested"
        assert expected_status == j.case(cid).data["participant_report_status"]
        j.advance(10)
        j.set(cid, ols_assessment_2_done=True, ml_report_sent=True)
        j.doc(cid, "europass")
        j.fire(cid, "debrief", {"debrief_date": j.today()})
        check("DEBRIEFED", 21)
        j.system(cid, "start_follow_up")
        check("FOLLOW_UP", 22)
        outcomes = {3: (91, "cdd_under_6m"), 6: (182, "cdd_6m_plus"), 12: (365, "cdi")}
        for months, (days, outcome) in outcomes.items():
            j.move_to(end + timedelta(days=days))
            inputs = {
                f"outcome_m{months}": outcome,
                f"outcome_m{months}_source": "young_person",
                f"outcome_m{months}_confidence": "declared",
            }
            j.fire(cid, f"record_outcome_m{months}", inputs)
        check("FOLLOW_UP", 25)
        j.advance(2)
        j.fire(cid, "close", {"final_outcome": "cdi"})
        check("CLOSED", 26)

        case = j.case(cid)
        now = j.clock.now()
        assert (now, now) == (case.closed_at, case.state_entered_at)
        expected_data = {
            "outcome_m3": "cdd_under_6m",
            "outcome_m6": "cdd_6m_plus",
            "outcome_m12": "cdi",
            "final_outcome": "cdi",
        }
        assert expected_data == {k: case.data[k] for k in expected_data}
        expected_history = NORMAL_HISTORY
        assert expected_history == _moves(j, cid)
        history = j.history(cid)
        assert list(range(1, 27)) == [e.seq for e in history]
        assert sorted(e.at for e in history) == [e.at for e in history]
        expected_system = [
            ("confirm_return", "system"),
            ("start_follow_up", "system"),
            ("start_preparation", "system"),
        ]
        assert expected_system == sorted(
            (e.trigger, e.role) for e in history if e.actor == "system"
        )
        [report] = container.cases.verify([cid])
        expected_report = (True, 26)
        assert expected_report == (report.ok, report.entries)

    def test_closed_case_offers_nothing(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """A closed case has no way out: every trigger is an invalid transition."""
        journey.walk_to(case_id, "FOLLOW_UP")
        journey.fire(case_id, "close", {"final_outcome": "job_seeking"})
        _, actions = container.cases.actions(case_id, journey.advisor)
        assert not actions
        with pytest.raises(InvalidTransition) as caught:
            journey.fire(case_id, "record_outcome_m3", {"outcome_m3": "cdi"})
        expected = ("CLOSED", [])
        assert expected == (caught.value.state, caught.value.allowed)


class TestPostponement:
    """Postponing a matched mobility and resuming it where it was."""

    def test_postpone_and_resume_back_to_matched(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """New dates are kept, the grant end is respected, and resume returns to MATCHED."""
        case = journey.walk_to(case_id, "MATCHED")
        grant_end = date.fromisoformat(case.data["grant_project_end"])
        start = date.fromisoformat(case.data["planned_start"])
        # Within the grant's end and the programme's 12-month bound on the stay (eligibility).
        new_start = start + timedelta(days=120)
        new_end = min(grant_end, new_start + timedelta(days=300))
        dates = {"planned_start": new_start, "planned_end": new_end}
        fired = journey.fire(case_id, "postpone", dates, reason="the host closes for works")
        expected_state = ("POSTPONED", "MATCHED")
        assert expected_state == (fired.case.state, fired.case.previous_state)
        expected_changes = {
            "planned_start": [start.isoformat(), new_start.isoformat()],
            "planned_end": [case.data["planned_end"], new_end.isoformat()],
        }
        assert expected_changes == fired.outcome.changes
        resumed = journey.fire(case_id, "resume")
        expected_resumed = ("MATCHED", case.version + 2)
        assert expected_resumed == (resumed.case.state, resumed.case.version)
        now = journey.case(case_id)
        expected_dates = (new_start.isoformat(), new_end.isoformat())
        assert expected_dates == (now.data["planned_start"], now.data["planned_end"])
        expected_moves = [
            "transition postpone MATCHED -> POSTPONED",
            "transition resume POSTPONED -> MATCHED",
        ]
        assert expected_moves == _moves(journey, case_id)[-2:]
        expected_reason = "the host closes for works"
        assert expected_reason == journey.history(case_id)[-2].payload["reason"]
        _assert_chain_ok(container, case_id)

    def test_postponement_past_grant_end_is_refused(self, journey: Journey, case_id: int) -> None:
        """An end date after the grant project's end is refused with the workflow's message."""
        case = journey.walk_to(case_id, "MATCHED")
        grant_end = date.fromisoformat(case.data["grant_project_end"])
        dates = {
            "planned_start": grant_end - timedelta(days=30),
            "planned_end": grant_end + timedelta(days=1),
        }
        with pytest.raises(GuardFailed) as caught:
            journey.fire(case_id, "postpone", dates, reason="host delay")
        expected = ["the new end date must fall within the grant project"]
        assert expected == _messages(caught.value)
        after = journey.case(case_id)
        assert (case.version, "MATCHED", case.data) == (after.version, after.state, after.data)

    def test_postponement_needs_a_reason(self, journey: Journey, case_id: int) -> None:
        """Postponing without saying why is invalid input."""
        case = journey.walk_to(case_id, "MATCHED")
        start = date.fromisoformat(case.data["planned_start"])
        dates = {
            "planned_start": start + timedelta(days=7),
            "planned_end": start + timedelta(days=97),
        }
        with pytest.raises(InvalidInput) as caught:
            journey.fire(case_id, "postpone", dates)
        expected = [{"field": "reason", "message": "'postpone' requires a reason"}]
        assert expected == caught.value.errors


class TestEarlyReturn:
    """An interrupted stay still goes through the debrief."""

    def test_early_return_with_evidence_then_debrief(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """Evidence is required; then the case returns early and is debriefed."""
        journey.walk_to(case_id, "ABROAD")
        journey.advance(20)
        inputs = {"early_return_reason": "force_majeure", "actual_end": journey.today()}
        with pytest.raises(GuardFailed) as caught:
            journey.fire(case_id, "return_early", inputs, reason="hospitalised")
        expected_unmet = ["documents not in order: early_return_evidence (missing)"]
        assert expected_unmet == _messages(caught.value)
        journey.doc(case_id, "early_return_evidence", "received")
        fired = journey.fire(case_id, "return_early", inputs, reason="hospitalised")
        expected_move = ("ABROAD", "EARLY_RETURN", "force_majeure")
        actual_move = (
            fired.outcome.from_state,
            fired.outcome.to_state,
            fired.case.data["early_return_reason"],
        )
        assert expected_move == actual_move
        journey.advance(7)
        # Unlike confirm_return, return_early does not request the participant report itself.
        journey.set(
            case_id,
            participant_report_status="requested",
            ols_assessment_2_done=True,
            ml_report_sent=True,
        )
        journey.doc(case_id, "europass")
        debriefed = journey.fire(case_id, "debrief", {"debrief_date": journey.today()})
        expected_debrief = ("EARLY_RETURN", "DEBRIEFED")
        assert expected_debrief == (debriefed.outcome.from_state, debriefed.outcome.to_state)
        _assert_chain_ok(container, case_id)


class TestLeavingTheJourney:
    """Withdrawal, cancellation, rejection and lost contact end the case."""

    def test_withdraw_records_the_reason(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """A withdrawal needs its reason code and closes the case."""
        journey.walk_to(case_id, "SELECTED")
        actual = withdrawn_for(journey, case_id, "job_found")
        expected = ("WITHDRAWN", "job_found", journey.clock.now())
        assert expected == actual
        _assert_chain_ok(container, case_id)

    def test_withdraw_is_not_possible_before_first_contact(
        self, journey: Journey, case_id: int
    ) -> None:
        """A referred young person has not been reached yet, so cannot withdraw."""
        with pytest.raises(InvalidTransition):
            journey.fire(case_id, "withdraw", {"withdrawal_reason": "family"})

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_cancel_requires_a_reason(
        self, journey: Journey, case_id: int, reason: str | None
    ) -> None:
        """Cancelling without a free-text reason is refused and changes nothing."""
        case = journey.walk_to(case_id, "PREPARING")
        inputs = {"cancellation_reason": "funding_lost"}
        with pytest.raises(InvalidInput) as caught:
            journey.fire(case_id, "cancel", inputs, reason=reason)
        expected = [{"field": "reason", "message": "'cancel' requires a reason"}]
        assert expected == caught.value.errors
        after = journey.case(case_id)
        assert (case.version, "PREPARING") == (after.version, after.state)

    def test_cancel_with_a_reason(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """A cancellation with its reason ends in CANCELLED, the reason kept in the history."""
        journey.walk_to(case_id, "PREPARING")
        inputs = {"cancellation_reason": "funding_lost"}
        fired = journey.fire(case_id, "cancel", inputs, reason="the grant was cut")
        expected = ("CANCELLED", "the grant was cut")
        assert expected == (fired.case.state, fired.entry.payload["reason"])
        _assert_chain_ok(container, case_id)

    def test_reject_from_applied(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """The committee's refusal needs a reason and is terminal."""
        journey.walk_to(case_id, "APPLIED")
        with pytest.raises(InvalidInput):
            journey.fire(case_id, "reject")
        supervisor = Actor.of(container.people.user_by_name("super"))
        fired = journey.fire(case_id, "reject", reason="no funded slot left", actor=supervisor)
        expected = ("NOT_SELECTED", journey.clock.now())
        assert expected == (fired.case.state, fired.case.closed_at)
        with pytest.raises(InvalidTransition):
            journey.fire(case_id, "select", {"grant_project_code": GRANT})
        _assert_chain_ok(container, case_id)

    def test_lose_contact_sets_the_outcome_unknown(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """Only the system or a supervisor declares contact lost, once the declared rule is met;
        the final outcome and the unanswered +12 checkpoint are then unknown."""
        journey.walk_to(case_id, "FOLLOW_UP")
        with pytest.raises(RoleNotAllowed):
            journey.fire(case_id, "lose_contact")
        end = date.fromisoformat(journey.case(case_id).data["actual_end"])
        for days in (365, 375, 395):
            journey.move_to(end + timedelta(days=days))
            journey.attempt(case_id, "call")
        fired = journey.system(case_id, "lose_contact")
        expected = ("LOST_CONTACT", "unknown", [None, "unknown"])
        actual = (
            fired.case.state,
            fired.case.data["outcome_m12"],
            fired.entry.payload["changes"]["final_outcome"],
        )
        assert expected == actual
        _assert_chain_ok(container, case_id)


class TestDepartureGuards:
    """Documents and signatures checked before the young person leaves."""

    def test_identity_expiring_before_the_end_blocks_departure(
        self, journey: Journey, case_id: int
    ) -> None:
        """An identity document that expires during the stay blocks confirm_ready, named."""
        case = journey.walk_to(case_id, "PREPARING")
        end = date.fromisoformat(case.data["planned_end"])
        expiry = end - timedelta(days=1)
        journey.doc(case_id, "identity", valid_until=expiry)
        for document in ("insurance", "ceam"):
            journey.doc(case_id, document, valid_until=end + timedelta(days=30))
        journey.set(case_id, **CHECKLIST)
        before = journey.case(case_id)
        with pytest.raises(GuardFailed) as caught:
            journey.fire(case_id, "confirm_ready")
        expected = [f"documents not in order: identity (expires {expiry} before planned_end {end})"]
        assert expected == _messages(caught.value)
        after = journey.case(case_id)
        assert ("PREPARING", before.version) == (after.state, after.version)
        journey.doc(case_id, "identity", valid_until=end)
        expected_state = "READY"
        assert expected_state == journey.fire(case_id, "confirm_ready").case.state

    def test_minor_at_departure_needs_guardian_consent(self, journey: Journey) -> None:
        """Someone still 17 on the planned start needs the guardian's signature to contract."""
        cid, case = _matched(journey, date(2008, 9, 1))
        assert date.fromisoformat(case.data["planned_start"]) < date(2026, 9, 1)
        journey.doc(cid, "grant_agreement")
        journey.doc(cid, "learning_agreement")
        with pytest.raises(GuardFailed) as caught:
            journey.fire(cid, "sign_contracts", {"signature_date": journey.today()})
        expected = ["a minor's guardian must sign the agreements"]
        assert expected == _messages(caught.value)
        journey.doc(cid, "guardian_consent", "received")
        fired = journey.fire(cid, "sign_contracts", {"signature_date": journey.today()})
        expected_state = "CONTRACTED"
        assert expected_state == fired.case.state

    def test_minor_at_departure_needs_travel_authorisation(self, journey: Journey) -> None:
        """A minor on the planned start also needs the AST and the guardian's ID to leave."""
        cid, _ = _matched(journey, date(2008, 9, 1))
        journey.doc(cid, "guardian_consent", "received")
        case = journey.walk_to(cid, "PREPARING")
        end = date.fromisoformat(case.data["planned_end"])
        expected = ["a minor needs the travel authorisation and the guardian's ID"]
        assert expected == departure_refused(journey, cid, end, CHECKLIST)
        journey.doc(cid, "ast", valid_until=end)
        journey.doc(cid, "guardian_id", valid_until=end)
        expected_state = "READY"
        assert expected_state == journey.fire(cid, "confirm_ready").case.state

    def test_turning_18_before_departure_needs_no_guardian(self, journey: Journey) -> None:
        """Someone 17 today but 18 on the planned start signs the agreements alone."""
        cid, case = _matched(journey, date(2008, 3, 1))
        assert journey.today() < date(2026, 3, 1) < date.fromisoformat(case.data["planned_start"])
        journey.doc(cid, "grant_agreement")
        journey.doc(cid, "learning_agreement")
        fired = journey.fire(cid, "sign_contracts", {"signature_date": journey.today()})
        expected = ("CONTRACTED", "missing")
        assert expected == (fired.case.state, fired.case.documents["guardian_consent"].status)


class TestVisibilityAndOpening:
    """Who may see a case, and what opening one requires."""

    def test_advisor_of_another_mission_locale_gets_not_found(
        self, container: Container, journey: Journey, case_id: int, directory: dict[str, User]
    ) -> None:
        """Every command of another mission locale's advisor answers NotFound, changing nothing."""
        other = Actor.of(directory["advisor_b"])
        cases = container.cases
        contact = {"first_contact_date": journey.today()}
        attempts = [
            lambda: cases.get(case_id, other),
            lambda: cases.actions(case_id, other),
            lambda: cases.history(case_id, other),
            lambda: cases.fire(FireTrigger(case_id, "log_first_contact", contact), other),
            lambda: cases.update_data(UpdateData(case_id, {"travel_booked": True}), other),
            lambda: cases.record_document(RecordDocument(case_id, "identity", "received"), other),
        ]
        for attempt in attempts:
            with pytest.raises(NotFound, match=f"case {case_id} not found"):
                attempt()
        after = journey.case(case_id)
        expected = (1, "REFERRED")
        assert expected == (after.version, after.state)

    def test_advisor_cannot_open_for_another_mission_locale(
        self, container: Container, person: Person, directory: dict[str, User]
    ) -> None:
        """Opening a case for a mission locale one does not work for is forbidden."""
        assert person.id is not None
        other = Actor.of(directory["advisor_b"])
        inputs = {"cv_attached": True, "privacy_notice_given": True}
        with pytest.raises(Forbidden):
            container.cases.open_case(OpenCase(person.id, WORKFLOW, "ml-a", None, inputs), other)
        assert not container.cases.verify()

    def test_opening_refused_without_cv(
        self, container: Container, journey: Journey, person: Person
    ) -> None:
        """A referral without the CV attached is refused with the workflow's message."""
        assert person.id is not None
        with pytest.raises(GuardFailed) as caught:
            journey.open(person.id, {"cv_attached": False, "privacy_notice_given": True})
        expected = ["the CV must be attached to the referral"]
        assert expected == _messages(caught.value)
        with pytest.raises(InvalidInput) as missing:
            journey.open(person.id, {"privacy_notice_given": True})
        expected_errors = [{"field": "inputs.cv_attached", "message": "required"}]
        assert expected_errors == missing.value.errors
        assert not container.cases.verify()

    def test_system_may_not_do_an_advisors_move(self, journey: Journey, case_id: int) -> None:
        """The first contact is the advisor's to log, not the system's."""
        with pytest.raises(RoleNotAllowed):
            journey.fire(
                case_id, "log_first_contact", {"first_contact_date": journey.today()}, actor=SYSTEM
            )


class TestInputTypes:
    """Inputs given through the Python API rather than as JSON text."""

    def test_date_objects_are_accepted_as_inputs(self, journey: Journey, case_id: int) -> None:
        """A Python date is a valid date input, stored in the history as its ISO text."""
        today = journey.today()
        cmd = FireTrigger(case_id, "log_first_contact", {"first_contact_date": today})
        fired = journey.cases.fire(cmd, journey.advisor)
        expected = {"first_contact_date": today.isoformat()}
        assert expected == fired.entry.payload["inputs"]
