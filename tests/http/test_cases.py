"""Cases through the HTTP API: open, read, and list with filters, sorting and pagination."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ipm_workflow.adapters.clock import ManualClock
from journey import CASES, OPENING, WORKFLOW, ApiJourney

NOT_FOUND = "https://ipm-workflow.example.org/problems/not-found"
SQLITE_OFFSET_BUG = (
    "bug: SQLite stores DateTime(timezone=True) as naive UTC text and SQLAlchemy binds an aware "
    "parameter by its wall-clock fields, dropping the offset; 10:00+01:00 is compared as 10:00 UTC"
)


def ids(response: Any) -> list[int]:
    """The case ids of a listing, in order."""
    return [c["id"] for c in response.json()["items"]]


class TestOpenCase:
    """POST /api/v1/cases."""

    def test_created_with_location_and_etag(self, api: ApiJourney) -> None:
        """A new case answers 201 in the initial state, with Location and ETag."""
        person_id = api.person()
        response = api.post_case(person_id)
        body = response.json()
        expected = (201, f"{CASES}/{body['id']}", '"1"', "REFERRED", 1, person_id)
        actual = (
            response.status_code,
            response.headers["location"],
            response.headers["etag"],
            body["state"],
            body["version"],
            body["person_id"],
        )
        assert expected == actual

    def test_reports_the_state_deadline(self, api: ApiJourney) -> None:
        """REFERRED has a 48-hour time limit: the case says when it runs out."""
        case = api.open_case()
        expected = ("2026-01-05T09:00:00Z", "2026-01-07T09:00:00Z")
        assert expected == (case["state_entered_at"], case["sla_due_at"])

    def test_missing_opening_input_is_422(self, api: ApiJourney) -> None:
        """A required opening input that is missing is named with its path."""
        response = api.post_case(inputs={"privacy_notice_given": True})
        expected = (422, [{"field": "inputs.cv_attached", "message": "required"}])
        assert expected == (response.status_code, response.json()["errors"])

    def test_unmet_opening_guard_is_409(self, api: ApiJourney) -> None:
        """An opening rule that fails answers 409 guard-failed with the unmet condition."""
        response = api.post_case(inputs={**OPENING, "cv_attached": False})
        body = response.json()
        expected = (409, "guard-failed", ["the CV must be attached to the referral"])
        actual = (
            response.status_code,
            body["type"].rsplit("/", 1)[1],
            [u["message"] for u in body["unmet"]],
        )
        assert expected == actual

    def test_other_mission_locale_is_403(self, api: ApiJourney) -> None:
        """An advisor cannot open a case for a mission locale they do not work for."""
        response = api.post_case(api.person(), "advisor_b")
        expected = 403
        assert expected == response.status_code

    @pytest.mark.parametrize(
        ("field", "value"), [("person_id", 999), ("workflow", "nope"), ("advisor_id", 999)]
    )
    def test_unknown_reference_is_404(self, api: ApiJourney, field: str, value: Any) -> None:
        """An unknown person, workflow or advisor answers 404."""
        response = api.post_case(**{field: value})
        expected = (404, NOT_FOUND)
        assert expected == (response.status_code, response.json()["type"])


class TestReadCase:
    """GET /api/v1/cases/{id}."""

    def test_reads_with_etag(self, api: ApiJourney) -> None:
        """A case is returned with its version as ETag."""
        case = api.open_case()
        response = api.call("GET", f"{CASES}/{case['id']}")
        expected = (200, '"1"', case)
        assert expected == (response.status_code, response.headers["etag"], response.json())

    def test_unknown_case_is_404(self, api: ApiJourney) -> None:
        """An unknown case is a 404 problem."""
        response = api.call("GET", f"{CASES}/999")
        expected = (404, NOT_FOUND)
        assert expected == (response.status_code, response.json()["type"])

    def test_case_of_another_mission_locale_looks_missing(self, api: ApiJourney) -> None:
        """Another mission locale's case gets the very answer of a missing one."""
        case = api.open_case()
        hidden = api.call("GET", f"{CASES}/{case['id']}", "advisor_b").json()
        missing = api.call("GET", f"{CASES}/999", "advisor_b").json()
        expected = (404, NOT_FOUND, f"case {case['id']} not found")
        assert expected == (hidden["status"], hidden["type"], hidden["detail"])
        expected = "case 999 not found"
        assert expected == missing["detail"]


class TestListCases:
    """GET /api/v1/cases: filters."""

    def test_lists_visible_cases_only(self, api: ApiJourney) -> None:
        """Advisors list their missions locales' cases; supervisors list all."""
        mine = api.open_case()["id"]
        theirs = api.open_case(who="advisor_b", mission_locale_id="ml-b")["id"]
        expected = ([mine], [theirs], [mine, theirs])
        actual = (
            ids(api.call("GET", CASES)),
            ids(api.call("GET", CASES, "advisor_b")),
            ids(api.call("GET", CASES, "supervisor")),
        )
        assert expected == actual

    def test_filters_by_state(self, api: ApiJourney) -> None:
        """`state` keeps the cases in that state."""
        first, second = api.open_case()["id"], api.open_case()["id"]
        api.fire(second, "log_first_contact", {"first_contact_date": "2026-01-05"})
        expected = ([second], [first])
        actual = (
            ids(api.call("GET", CASES, params={"state": "CONTACTED"})),
            ids(api.call("GET", CASES, params={"state": "REFERRED"})),
        )
        assert expected == actual

    def test_filters_by_phase(self, api: ApiJourney) -> None:
        """`phase` keeps the cases whose state belongs to it."""
        open_, merged = api.open_case()["id"], api.open_case()["id"]
        response = api.fire(
            merged, "merge", {"merged_into": open_}, "supervisor", reason="same young person"
        )
        expected = 200
        assert expected == response.status_code, response.text
        expected = ([merged], [open_], [])
        actual = (
            ids(api.call("GET", CASES, params={"phase": "closed"})),
            ids(api.call("GET", CASES, params={"phase": "orientation"})),
            ids(api.call("GET", CASES, params={"phase": "abroad"})),
        )
        assert expected == actual

    def test_filters_by_workflow(self, api: ApiJourney) -> None:
        """`workflow` keeps the cases of that workflow."""
        case_id = api.open_case()["id"]
        expected = ([case_id], [])
        actual = (
            ids(api.call("GET", CASES, params={"workflow": WORKFLOW})),
            ids(api.call("GET", CASES, params={"workflow": "other"})),
        )
        assert expected == actual

    def test_filters_by_mission_locale(self, api: ApiJourney) -> None:
        """`mission_locale` narrows a listing, never widens an advisor's scope."""
        in_a = api.open_case()["id"]
        in_b = api.open_case(who="advisor_b", mission_locale_id="ml-b")["id"]
        expected = ([in_b], [in_a], [])
        actual = (
            ids(api.call("GET", CASES, "supervisor", params={"mission_locale": "ml-b"})),
            ids(api.call("GET", CASES, "supervisor", params={"mission_locale": "ml-a"})),
            ids(api.call("GET", CASES, "advisor_a", params={"mission_locale": "ml-b"})),
        )
        assert expected == actual

    def test_filters_by_advisor(self, api: ApiJourney) -> None:
        """`advisor_id` keeps the cases followed by that advisor."""
        followed = api.open_case()["id"]
        api.open_case(advisor_id=api.users["advisor_b"].id)
        advisor_id = api.users["advisor_a"].id
        expected = [followed]
        assert expected == ids(api.call("GET", CASES, params={"advisor_id": advisor_id}))

    def test_filters_overdue_cases(self, api: ApiJourney, clock: ManualClock) -> None:
        """`overdue` keeps cases past their state's time limit (REFERRED: 48 hours)."""
        late = api.open_case()["id"]
        contacted = api.open_case()["id"]
        api.fire(contacted, "log_first_contact", {"first_contact_date": "2026-01-05"})
        clock.advance(timedelta(hours=47))
        expected = []
        assert expected == ids(api.call("GET", CASES, params={"overdue": "true"}))
        clock.advance(timedelta(hours=2))
        fresh = api.open_case()["id"]
        expected = ([late], [late, contacted, fresh])
        actual = (
            ids(api.call("GET", CASES, params={"overdue": "true"})),
            ids(api.call("GET", CASES, params={"overdue": "false"})),
        )
        assert expected == actual

    def test_filters_by_opening_period(self, api: ApiJourney, clock: ManualClock) -> None:
        """`opened_from` is inclusive and `opened_to` exclusive."""
        first = api.open_case()["id"]
        clock.advance(timedelta(days=1))
        second = api.open_case()["id"]
        clock.advance(timedelta(days=1))
        third = api.open_case()["id"]
        day2 = "2026-01-06T09:00:00+00:00"
        expected = ([second, third], [first], [second])
        actual = (
            ids(api.call("GET", CASES, params={"opened_from": day2})),
            ids(api.call("GET", CASES, params={"opened_to": day2})),
            ids(
                api.call(
                    "GET",
                    CASES,
                    params={"opened_from": day2, "opened_to": "2026-01-07T09:00:00+00:00"},
                )
            ),
        )
        assert expected == actual

    def test_opening_period_in_another_time_zone(
        self, api: ApiJourney, db_url: str, request: pytest.FixtureRequest
    ) -> None:
        """A bound given with an offset compares the same instant."""
        case_id = api.open_case()["id"]
        expected = ([case_id], [])
        actual = (
            ids(api.call("GET", CASES, params={"opened_from": "2026-01-05T10:00:00+01:00"})),
            ids(api.call("GET", CASES, params={"opened_from": "2026-01-05T10:00:01+01:00"})),
        )
        assert expected == actual


class TestPaginateCases:
    """GET /api/v1/cases: sorting and pagination."""

    @pytest.fixture
    def opened(self, api: ApiJourney, clock: ManualClock) -> list[int]:
        """Seven cases opened an hour apart."""
        opened = []
        for _ in range(7):
            opened.append(api.open_case()["id"])
            clock.advance(timedelta(hours=1))
        return opened

    def _pages(self, api: ApiJourney, **params: Any) -> list[list[int]]:
        return [
            ids(api.call("GET", CASES, params={**params, "limit": 3, "offset": offset}))
            for offset in (0, 3, 6)
        ]

    def test_pages_never_overlap(self, api: ApiJourney, opened: list[int]) -> None:
        """Consecutive pages partition the listing."""
        pages = self._pages(api)
        expected = [opened[0:3], opened[3:6], opened[6:]]
        assert expected == pages

    def test_total_counts_every_match(self, api: ApiJourney, opened: list[int]) -> None:
        """`total` counts all matches whatever the page."""
        response = api.call("GET", CASES, params={"limit": 2, "offset": 4})
        expected = (len(opened), 2, 4, opened[4:6])
        body = response.json()
        assert expected == (body["total"], body["limit"], body["offset"], ids(response))

    def test_total_is_exact_under_the_cap(self, api: ApiJourney, opened: list[int]) -> None:
        """Under 1,000 matches `total` is exact: `total_capped` says no more match."""
        body = api.call("GET", CASES, params={"limit": 2}).json()
        expected = (len(opened), False)
        assert expected == (body["total"], body["total_capped"])

    def test_sorts_newest_first(self, api: ApiJourney, opened: list[int]) -> None:
        """`-opened_at` lists the newest case first."""
        pages = self._pages(api, sort="-opened_at")
        expected = [list(reversed(opened))[i : i + 3] for i in (0, 3, 6)]
        assert expected == pages

    def test_ties_are_broken_by_id(self, api: ApiJourney, opened: list[int]) -> None:
        """Sorting on a shared value still pages stably (by id within equal keys)."""
        for case_id in opened[::2]:
            api.fire(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
        contacted, referred = opened[::2], opened[1::2]
        expected_asc = contacted + referred
        expected_desc = list(reversed(referred)) + list(reversed(contacted))
        assert expected_asc == [i for page in self._pages(api, sort="state") for i in page]
        assert expected_desc == [i for page in self._pages(api, sort="-state") for i in page]

    @pytest.mark.parametrize(
        "params",
        [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"sort": "person_id"}, {"phase": "x"}],
    )
    def test_bad_listing_parameters_are_422(self, api: ApiJourney, params: dict[str, Any]) -> None:
        """Out-of-range pagination or an unknown sort key answers 422."""
        response = api.call("GET", CASES, params=params)
        expected = (422, "https://ipm-workflow.example.org/problems/invalid-input")
        assert expected == (response.status_code, response.json()["type"])

    def _keyset(self, api: ApiJourney, **params: Any) -> list[list[int]]:
        """Every page of three, each reached with the previous page's `next`."""
        pages, after = [], None
        while True:
            extra = {"after": after} if after else {}
            body = api.call("GET", CASES, params={**params, "limit": 3, **extra}).json()
            pages.append([c["id"] for c in body["items"]])
            after = body["next"]
            if after is None:
                return pages

    @pytest.mark.parametrize("sort", ["id", "-id", "opened_at", "-opened_at", "state", "-state"])
    def test_keyset_pages_are_the_offset_pages(
        self, api: ApiJourney, opened: list[int], sort: str
    ) -> None:
        """Following `next` gives the same pages as offsets, in every sort and direction."""
        for case_id in opened[::2]:
            api.fire(case_id, "log_first_contact", {"first_contact_date": "2026-01-05"})
        expected = self._pages(api, sort=sort)
        assert expected == self._keyset(api, sort=sort)

    def test_a_foreign_cursor_is_refused(self, api: ApiJourney, opened: list[int]) -> None:
        """A cursor that is not one of ours answers the invalid-input problem."""
        response = api.call("GET", CASES, params={"after": "bm90LWEtY3Vyc29y", "sort": "id"})
        expected = (422, "https://ipm-workflow.example.org/problems/invalid-input")
        assert expected == (response.status_code, response.json()["type"])
