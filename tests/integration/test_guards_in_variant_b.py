"""Variant B's richer guards on a real database: the European health insurance card only for
EU/EEA destinations, the stay's length, and the refusals that explain them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipm_workflow.domain.errors import GuardFailed
from journey import CHECKLIST, Journey, messages

CEAM_RULE = "a stay in the EU/EEA needs the European health insurance card for the whole stay"
STAY_RULE = "an individual VET stay lasts 10 to 365 days"


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
    @pytest.mark.parametrize(
        ("days", "allowed"), [(9, False), (10, True), (365, True), (366, False)]
    )
    def test_a_stay_of_10_to_365_days(
        self, journey: Journey, case_id: int, days: int, allowed: bool
    ) -> None:
        """The host is confirmed only for a stay of 10 to 365 days, both ends counted."""
        journey.select(case_id, grant_end=date(2030, 12, 31))
        start = journey.today() + timedelta(days=30)
        end = start + timedelta(days=days - 1)
        if allowed:
            journey.match(case_id, start, end)
            assert journey.state(case_id) == "MATCHED"
            return
        with pytest.raises(GuardFailed) as refused:
            journey.match(case_id, start, end)
        assert messages(refused.value) == [STAY_RULE]
