"""Variant B's richer guards on a real database: the European health insurance card only for
EU/EEA destinations, the stay's length, and the refusals that explain them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipm_workflow.domain.errors import GuardFailed
from journey import CHECKLIST, Journey, messages, refused_rules

CEAM_RULE = "a stay in the EU/EEA needs the European health insurance card for the whole stay"


def _preparing(journey: Journey, case_id: int, country: str) -> None:
    """Walk to PREPARING bound for a country, with every document but the CEAM."""
    start = journey.today() + timedelta(days=60)
    journey.select(case_id)
    journey.match(case_id, start, start + timedelta(days=90), destination_country=country)
    journey.sign(case_id)
    journey.system(case_id, "start_preparation")
    until = start + timedelta(days=500)
    for name in ("identity", "insurance"):
        journey.doc(case_id, name, valid_until=until)
    journey.set(case_id, **CHECKLIST)


class TestHealthInsuranceCard:
    def test_an_eu_destination_needs_the_card(self, journey: Journey, case_id: int) -> None:
        """Bound for Malta (MT), the departure waits for the CEAM, and says so."""
        _preparing(journey, case_id, "MT")
        with pytest.raises(GuardFailed) as refused:
            journey.fire(case_id, "confirm_ready")
        assert messages(refused.value) == [CEAM_RULE]
        [unmet] = refused.value.unmet
        assert [u["code"] for u in unmet.detail["unmet"]] == [
            "negated_guard_holds",
            "documents_missing",
        ]
        journey.doc(case_id, "ceam", valid_until=journey.today() + timedelta(days=500))
        assert journey.fire(case_id, "confirm_ready").case.state == "READY"

    @pytest.mark.parametrize("country", ["CH", "sn"])
    def test_elsewhere_no_card_is_asked(self, journey: Journey, case_id: int, country: str) -> None:
        """Bound for Switzerland or Senegal, the case is cleared without a CEAM."""
        _preparing(journey, case_id, country)
        assert journey.fire(case_id, "confirm_ready").case.state == "READY"

    def test_the_actions_list_explains_it_too(self, journey: Journey, case_id: int) -> None:
        """The list of actions gives the same reason as the refusal."""
        _preparing(journey, case_id, "no")  # Norway: EEA
        _, actions = journey.cases.actions(case_id, journey.advisor)
        [ready] = [a for a in actions if a.trigger == "confirm_ready"]
        assert (ready.allowed, [u.message for u in ready.unmet]) == (False, [CEAM_RULE])


class TestStayLength:
    """The stay's length is the programme's eligibility rule (DOMAIN.md §2: 2 weeks to 12 months
    for Erasmus+ VET learners [S18]), judged when the host is confirmed."""

    @pytest.mark.parametrize(
        ("length", "allowed"),
        [("13 days", False), ("14 days", True), ("12 months", True), ("a day more", False)],
    )
    def test_a_stay_of_two_weeks_to_twelve_months(
        self, journey: Journey, case_id: int, length: str, allowed: bool
    ) -> None:
        """The host is confirmed only for a stay of 14 days to 12 calendar months."""
        journey.select(case_id, grant_end=date(2030, 12, 31))
        start = journey.today() + timedelta(days=30)
        year_on = start.replace(year=start.year + 1)
        end = {
            "13 days": start + timedelta(days=13),
            "14 days": start + timedelta(days=14),
            "12 months": year_on,
            "a day more": year_on + timedelta(days=1),
        }[length]
        if allowed:
            journey.match(case_id, start, end)
            assert journey.state(case_id) == "MATCHED"
            return
        with pytest.raises(GuardFailed) as refused:
            journey.match(case_id, start, end)
        [rule] = refused_rules(refused.value)
        assert rule in {"erasmus_vet.stay_min", "erasmus_vet.stay_max"}
