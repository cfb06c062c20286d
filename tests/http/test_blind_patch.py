"""A PATCH of case data without a version: concurrent changes to different fields all apply."""

from __future__ import annotations

import httpx
from litestar import Litestar
from test_concurrency import kind, race

from journey import CASES, ApiJourney

# Sixteen different fields of erasmus_vet_long, each with a value unlike the opening data.
CHANGES: dict[str, object] = {
    "cv_attached": False,
    "eligibility_checked": True,
    "duplicate_check_passed": True,
    "prefinancing_paid": True,
    "ols_assessment_1_done": True,
    "ols_assessment_2_done": True,
    "travel_booked": True,
    "emergency_contacts_filled": True,
    "ml_report_sent": True,
    "grant_project_code": "2026-1-FR01-KA121-VET-000001",
    "destination_country": "MT",
    "host_organisation": "Host Ltd (test)",
    "mentor_name": "Mentor Test",
    "first_contact_date": "2026-01-05",
    "grant_project_end": "2027-12-31",
    "debrief_date": "2027-06-30",
}


class TestBlindPatch:
    """No If-Match, no version: the change applies to the case as it is when written."""

    def test_sixteen_concurrent_fields_all_apply(self, api: ApiJourney, app: Litestar) -> None:
        """Sixteen threads, one field each: sixteen 200s, every value kept, one entry each."""
        case_id = api.open_case()["id"]
        headers = api.headers("advisor_a")
        url = f"{CASES}/{case_id}/data"
        fields = list(CHANGES)

        def send(client: httpx.Client, field: str) -> httpx.Response:
            return client.patch(url, json={"changes": {field: CHANGES[field]}}, headers=headers)

        queue = iter(fields)
        responses = race(app, len(fields), lambda c: send(c, next(queue)))
        case = api.case(case_id)
        expected = ([200] * 16, CHANGES, 17, 17)
        actual = (
            [r.status_code for r in responses],
            {k: case["data"][k] for k in CHANGES},
            case["version"],
            len(api.history(case_id)),
        )
        assert expected == actual, [r.text for r in responses if r.status_code != 200]

    def test_a_stale_precondition_cites_only_the_clients_version(self, api: ApiJourney) -> None:
        """With If-Match "1" on a case now at 2, the 409 names version 1, the one sent."""
        case_id = api.open_case()["id"]
        api.call("PATCH", f"{CASES}/{case_id}/data", json={"changes": {"travel_booked": True}})
        response = api.call(
            "PATCH",
            f"{CASES}/{case_id}/data",
            json={"changes": {"mentor_name": "M"}},
            headers={"If-Match": '"1"'},
        )
        expected = (409, "version-conflict", True)
        assert expected == (
            response.status_code,
            kind(response),
            "not 1" in response.json()["detail"],
        )
