"""Outcomes per checkpoint, the lost-contact guard, and the grant after an early return."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import GuardFailed, InvalidInput
from ipm_workflow.domain.money import format_cents
from ipm_workflow.services.commands import SYSTEM
from journey import Journey, assert_chains_ok

DAY = timedelta(days=1)
# A 91-day internship: 1 March to 30 May 2027, both counted (31 + 30 + 30 days).
START, END = date(2027, 3, 1), date(2027, 5, 30)


def _in_follow_up(journey: Journey, case_id: int) -> date:
    """Walk the case to the follow-up; return its actual end."""
    journey.walk_to(case_id, "FOLLOW_UP")
    return date.fromisoformat(journey.case(case_id).data["actual_end"])


class TestCheckpoints:
    """Each checkpoint keeps its own outcome, source, date and confidence."""

    def test_three_sources_are_kept_apart(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """+3 from the young person, +6 from the mission locale, +12 from i-milo, final from
        the employer: none overwrites another."""
        end = _in_follow_up(journey, case_id)
        recorded = (
            ("m3", 91, "job_seeking", "young_person", "declared"),
            ("m6", 182, "cdd_under_6m", "mission_locale", "confirmed"),
            ("m12", 365, "cdi", "i_milo", "estimated"),
        )
        for checkpoint, days, outcome, source, confidence in recorded:
            journey.move_to(end + days * DAY + 3 * DAY)
            journey.outcome(case_id, checkpoint, outcome, source, confidence)
        journey.fire(
            case_id,
            "close",
            {"final_outcome": "cdi", "final_outcome_source": "employer"},
            actor=journey.advisor,
        )

        data = journey.case(case_id).data
        expected = [
            ("job_seeking", "young_person", "declared", (end + 94 * DAY).isoformat()),
            ("cdd_under_6m", "mission_locale", "confirmed", (end + 185 * DAY).isoformat()),
            ("cdi", "i_milo", "estimated", (end + 368 * DAY).isoformat()),
            ("cdi", "employer", None, (end + 368 * DAY).isoformat()),
        ]
        assert expected == [
            (data[o], data[f"{o}_source"], data.get(f"{o}_confidence"), data[f"{o}_date"])
            for o in ("outcome_m3", "outcome_m6", "outcome_m12", "final_outcome")
        ]
        assert "outcome_source" not in data
        assert_chains_ok(container)

    def test_not_yet_asked_unknown_and_negative_differ(
        self, journey: Journey, case_id: int
    ) -> None:
        """A negative outcome is recorded as such; a blank one is 'not yet asked' until the next
        checkpoint opens, then 'unknown'; a checkpoint not reached is 'not open'."""
        end = _in_follow_up(journey, case_id)
        journey.move_to(end + 95 * DAY)
        journey.outcome(case_id, "m3", "inactive", "young_person")
        journey.move_to(end + 200 * DAY)
        before = {c.id: c.status for c in journey.follow_up(case_id).checkpoints}
        journey.system(case_id, "open_checkpoint")
        after = {c.id: c.status for c in journey.follow_up(case_id).checkpoints}

        expected_before = {
            "m3": "recorded",
            "m6": "not_yet_asked",
            "m12": "not_open",
            "final": "not_open",
        }
        assert expected_before == before
        assert expected_before == after  # +6 stays open until +12 opens
        journey.move_to(end + 366 * DAY)
        journey.system(case_id, "open_checkpoint")
        settled = journey.case(case_id).data
        expected = ("inactive", "unknown", (end + 366 * DAY).isoformat(), None)
        assert expected == (
            settled["outcome_m3"],
            settled["outcome_m6"],
            settled["outcome_m6_date"],
            settled.get("outcome_m6_source"),
        )


class TestLostContactGuard:
    """The lost-contact transition fires only when the declared rule is met."""

    def test_refused_with_the_reason_until_the_rule_is_met(
        self, journey: Journey, case_id: int
    ) -> None:
        """Two attempts are not three; three are not 30 days; then the system may fire it."""
        end = _in_follow_up(journey, case_id)
        m12 = end + 365 * DAY
        for offset in (0, 5):
            journey.move_to(m12 + offset * DAY, 10)
            journey.attempt(case_id, "sms")
        with pytest.raises(GuardFailed) as two:
            journey.system(case_id, "lose_contact")
        journey.move_to(m12 + 12 * DAY, 10)
        journey.attempt(case_id, "letter", note="Courrier envoyé à l'adresse connue.")
        journey.move_to(m12 + 29 * DAY, 10)
        with pytest.raises(GuardFailed) as early:
            journey.system(case_id, "lose_contact")
        _, actions = journey.cases.actions(case_id, SYSTEM)
        [listed] = [a for a in actions if a.trigger == "lose_contact"]
        journey.move_to(m12 + 30 * DAY, 10)

        expected = [
            "lost contact not established: 2 of 3 unanswered attempts at checkpoint m12",
            "lost contact not established: attempts at checkpoint m12 unanswered only until "
            f"{m12 + 30 * DAY}",
        ]
        assert expected == [two.value.unmet[0].message, early.value.unmet[0].message]
        assert (listed.allowed, listed.unmet[0].code) == (False, "lost_contact_rule")
        assert journey.system(case_id, "lose_contact").case.state == "LOST_CONTACT"

    def test_attempts_land_in_the_history_without_their_note(
        self, journey: Journey, case_id: int
    ) -> None:
        """Each attempt is a history entry (channel, answered, checkpoint, by); the free-text
        note stays in the attempt, out of the chained history."""
        end = _in_follow_up(journey, case_id)
        journey.move_to(end + 100 * DAY)
        attempt = journey.attempt(case_id, "mission_locale", True, note="Vu par la conseillère.")
        [entry] = [e for e in journey.history(case_id) if e.kind == "contact_attempt"]

        expected = (
            "mission_locale",
            True,
            "m3",
            journey.advisor.id,
            "Vu par la conseillère.",
        )
        assert expected == (
            entry.payload["channel"],
            entry.payload["answered"],
            entry.payload["checkpoint"],
            entry.actor,
            attempt.note,
        )
        assert "Vu par" not in str(entry.payload)

    def test_an_attempt_is_never_in_the_future(self, journey: Journey, case_id: int) -> None:
        """An attempt dated after now is refused, and so is an unknown channel."""
        _in_follow_up(journey, case_id)
        tomorrow = journey.clock.now() + DAY if journey.clock else None
        with pytest.raises(InvalidInput):
            journey.attempt(case_id, "call", at=tomorrow)
        with pytest.raises(InvalidInput):
            journey.attempt(case_id, "pigeon")


class TestEarlyReturnGrant:
    """After an early return the grant is proposed for the days done, then confirmed."""

    def _returned_early(self, journey: Journey, case_id: int, reason: str) -> None:
        journey.walk_to(case_id, "ABROAD", planned_start=START, planned_end=END)
        # 2,730.00 € agreed; 80 % pre-financed (2,184.00 €), paid.
        journey.set(
            case_id, grant_agreed=273_000, prefinancing_amount=218_400, prefinancing_paid=True
        )
        journey.doc(case_id, "early_return_evidence")
        journey.move_to(date(2027, 3, 31), 15)
        inputs = {"early_return_reason": reason, "actual_end": date(2027, 3, 31)}
        journey.fire(case_id, "return_early", inputs, reason="Rapatriement (test)")

    def test_pro_rata_grant_and_recovery_order(
        self, container: Container, journey: Journey, case_id: int
    ) -> None:
        """31 days of 91 done: 2,730.00 € × 31 / 91 = 930.00 € (30.00 € a day); 2,184.00 €
        were paid, so a recovery order of 1,254.00 € is issued on the day it is confirmed."""
        self._returned_early(journey, case_id, "force_majeure")
        money = journey.money(case_id)
        proposal = money.proposal
        assert proposal is not None
        by_hand = 3_000 * 31  # 273,000 cents / 91 days = 3,000 cents a day
        expected_proposal = ("pro_rata_days", 31, 91, by_hand, 0, 218_400 - by_hand)
        assert expected_proposal == (
            proposal.rule,
            proposal.days_done,
            proposal.planned_days,
            proposal.proposed,
            proposal.balance,
            proposal.recovery,
        )
        with pytest.raises(InvalidInput):
            journey.confirm_grant(case_id, 100_000)  # another amount needs a reason
        journey.advance(2)
        confirmed = journey.confirm_grant(case_id).values

        expected = {
            "grant_final": 93_000,
            "balance_amount": 0,
            "recovery_amount": 125_400,
            "recovery_reason": "early_return_force_majeure",
            "recovery_issued_on": journey.today().isoformat(),
        }
        assert expected == {k: confirmed[k] for k in expected}
        assert (
            format_cents(125_400, "fr"),
            format_cents(125_400, "en"),
        ) == ("1\u202f254,00\xa0€", "€1,254.00")
        [entry] = [e for e in journey.history(case_id) if e.kind == "grant_confirmed"]
        assert (entry.payload["proposed"], entry.payload["confirmed"]) == (93_000, 93_000)
        expected_days = {journey.today() + 30 * DAY}
        assert expected_days == journey.planned_days(case_id, "recovery_order_due")
        assert_chains_ok(container)

    def test_another_amount_with_a_reason_leaves_a_balance(
        self, journey: Journey, case_id: int
    ) -> None:
        """A person may confirm another amount, with a reason: here the whole grant, so the
        balance is what the pre-financing left."""
        self._returned_early(journey, case_id, "force_majeure")
        view = journey.confirm_grant(case_id, 273_000, reason="Force majeure reconnue par l'AN")

        expected = (273_000, 54_600, None)
        assert expected == (
            view.values["grant_final"],
            view.values["balance_amount"],
            view.values["recovery_amount"],
        )
