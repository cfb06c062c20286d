"""`GET …/actions` and `POST …/transitions` judge with the same facts (the issue's VIE case)."""

from __future__ import annotations

from typing import Any

from journey import CASES, ApiJourney

VIE_OPENING = {
    "privacy_notice_given": True,
    "external_programme": "vie",
    "operator_name": "Association Exemple",
    "referral_date": "2026-01-05",
    "destination_country": "Senegal",
}


def _vie_case(api: ApiJourney, **data: Any) -> int:
    person = api.person(birth_date="2011-05-01")
    case_id: int = api.open_case(person, workflow="external_referral", inputs=VIE_OPENING)["id"]
    doc = api.call(
        "PUT", f"{CASES}/{case_id}/documents/operator_confirmation", json={"status": "received"}
    )
    patch = api.call("PATCH", f"{CASES}/{case_id}/data", json={"changes": data})
    assert (doc.status_code, patch.status_code) == (200, 200), (doc.text, patch.text)
    return case_id


def test_refused_in_the_listing_as_when_fired(api: ApiJourney) -> None:
    """Born 2011-05-01, planned_start 2027-03-01: the listing refuses, as the firing does."""
    case_id = _vie_case(api, planned_start="2027-03-01", planned_end="2027-09-01")
    actions = api.call("GET", f"{CASES}/{case_id}/actions").json()["actions"]
    vie = next(a for a in actions if a["trigger"] == "confirm_vie")
    fired = api.fire(case_id, "confirm_vie", {"previous_vie": False})
    # The VIE's age bounds are the programme's eligibility rule (workflow file, DOMAIN.md §2).
    too_young = (
        "vie: age_at_start: age on planned_start (2027-03-01) is 15, below the lower bound 18"
    )
    expected = (
        False,
        [too_young],
        ["depends on previous_vie: judged when given"],
        409,
        [too_young],
    )
    actual = (
        vie["allowed"],
        [u["message"] for u in vie["unmet"]],
        [u["message"] for u in vie["depends_on"]],
        fired.status_code,
        [u["message"] for u in fired.json()["unmet"]],
    )
    assert expected == actual
