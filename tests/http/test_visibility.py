"""Who sees which young people and cohorts: hidden ones answer 404 like a missing id."""

from __future__ import annotations

from typing import Any

import httpx

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from journey import CASES, OPENING, PEOPLE, WORKFLOW, ApiJourney

COHORTS = "/api/v1/cohorts"


def same_as_missing(hidden: httpx.Response, missing: httpx.Response) -> None:
    """A hidden resource answers exactly as a missing one, bar the id in the detail."""
    expected = (missing.status_code, missing.json()["type"], missing.json()["title"])
    assert expected == (hidden.status_code, hidden.json()["type"], hidden.json()["title"])


class TestPeople:
    """A person is seen by their cases' missions locales, their registrant and supervisors."""

    def test_another_mission_locale_cannot_read_a_person_without_case(
        self, api: ApiJourney
    ) -> None:
        """Advisor B registers; advisor A gets 404 on read and change, like a missing id."""
        person_id = api.person("advisor_b", email="dominique@example.org")
        for method, body in (("GET", None), ("PATCH", {"email": "other@example.org"})):
            hidden = api.call(method, f"{PEOPLE}/{person_id}", "advisor_a", json=body)
            missing = api.call(method, f"{PEOPLE}/{person_id + 999}", "advisor_a", json=body)
            same_as_missing(hidden, missing)
        expected = (200, 200, "dominique@example.org")
        mine = api.call("GET", f"{PEOPLE}/{person_id}", "advisor_b")
        theirs = api.call("GET", f"{PEOPLE}/{person_id}", "supervisor")
        assert expected == (mine.status_code, theirs.status_code, mine.json()["email"])

    def test_nobody_opens_a_case_for_a_person_they_may_not_see(self, api: ApiJourney) -> None:
        """Opening a case in A's own mission locale for B's person answers 404; nothing opens."""
        person_id = api.person("advisor_b")
        body = {"workflow": WORKFLOW, "mission_locale_id": "ml-a", "inputs": OPENING}
        hidden = api.call("POST", CASES, "advisor_a", json={**body, "person_id": person_id})
        missing = api.call("POST", CASES, "advisor_a", json={**body, "person_id": person_id + 99})
        same_as_missing(hidden, missing)
        listed = api.call("GET", CASES, "supervisor").json()["total"]
        expected = (0, 404)
        assert expected == (
            listed,
            api.call("GET", f"{PEOPLE}/{person_id}", "advisor_a").status_code,
        )

    def test_a_case_in_my_mission_locale_shows_the_person(self, api: ApiJourney) -> None:
        """A's case for A's person: A sees the person, B does not."""
        case = api.open_case()
        path = f"{PEOPLE}/{case['person_id']}"
        expected = (200, 404)
        actual = (
            api.call("GET", path, "advisor_a").status_code,
            api.call("GET", path, "advisor_b").status_code,
        )
        assert expected == actual


class TestDuplicates:
    """The duplicate warning crosses missions locales without telling who."""

    def test_an_advisor_learns_only_that_a_duplicate_exists_elsewhere(
        self, api: ApiJourney
    ) -> None:
        """Same phone as B's young person: no id, no name, only `duplicate_elsewhere`."""
        api.person("advisor_b", phone="+33600000042")
        response = api.call(
            "POST",
            PEOPLE,
            "advisor_a",
            json={"first_name": "Autre", "last_name": "Nom", "phone": "+33600000042"},
        )
        body: dict[str, Any] = response.json()
        expected = (201, [], True)
        assert expected == (
            response.status_code,
            body["possible_duplicates"],
            body["duplicate_elsewhere"],
        )

    def test_a_visible_duplicate_is_named(self, api: ApiJourney) -> None:
        """A duplicate the advisor may see (their own registration) comes with its id."""
        first = api.person("advisor_a", phone="+33600000043")
        response = api.call(
            "POST",
            PEOPLE,
            "advisor_a",
            json={"first_name": "Autre", "last_name": "Nom", "phone": "+33600000043"},
        )
        expected = ([first], False)
        body = response.json()
        assert expected == (body["possible_duplicates"], body["duplicate_elsewhere"])

    def test_wide_reach_gets_the_ids(self, api: ApiJourney, container: Container) -> None:
        """Whoever reaches every mission locale (supervisors, the operator) is told the ids."""
        other = api.person("advisor_b", phone="+33600000044")
        saved = container.people.register(
            Person(None, "Autre", "Nom", phone="+33600000044"), OPERATOR_ACTOR
        )
        expected = ([other], False)
        assert expected == ([p.id for p in saved.possible_duplicates], saved.duplicate_elsewhere)


class TestCohorts:
    """A cohort is seen like its cases."""

    def _cohort(self, api: ApiJourney, code: str = "C-A") -> int:
        created = api.call(
            "POST", COHORTS, "advisor_a", json={"code": code, "label": "L", "workflow": WORKFLOW}
        )
        assert created.status_code == 201, created.text
        cohort_id: int = created.json()["id"]
        case = api.open_case()
        added = api.call(
            "POST", f"{COHORTS}/{cohort_id}/members", "advisor_a", json={"case_ids": [case["id"]]}
        )
        assert added.status_code == 200, added.text
        return cohort_id

    def test_listing_shows_only_visible_cohorts(self, api: ApiJourney) -> None:
        """A's cohort is listed for A and the supervisor, not for B."""
        cohort_id = self._cohort(api)
        listed = {
            who: [c["id"] for c in api.call("GET", COHORTS, who).json()]
            for who in ("advisor_a", "advisor_b", "supervisor")
        }
        expected = {"advisor_a": [cohort_id], "advisor_b": [], "supervisor": [cohort_id]}
        assert expected == listed

    def test_hidden_cohort_answers_like_a_missing_one(self, api: ApiJourney) -> None:
        """Read, dry run, bulk action and members on A's cohort: B gets the missing answer."""
        cohort_id = self._cohort(api)
        fire = {"trigger": "log_first_contact", "inputs": {"first_contact_date": "2026-01-05"}}
        for method, suffix, body in (
            ("GET", "", None),
            ("POST", "/transitions", {**fire, "dry_run": True}),
            ("POST", "/transitions", fire),
            ("POST", "/members", {"case_ids": [1]}),
        ):
            hidden = api.call(method, f"{COHORTS}/{cohort_id}{suffix}", "advisor_b", json=body)
            missing = api.call(method, f"{COHORTS}/{cohort_id + 9}{suffix}", "advisor_b", json=body)
            same_as_missing(hidden, missing)

    def test_an_empty_cohort_is_seen_by_its_creator(self, api: ApiJourney) -> None:
        """Before any member, the cohort is its creator's (and supervisors')."""
        created = api.call(
            "POST", COHORTS, "advisor_b", json={"code": "C-B", "label": "L", "workflow": WORKFLOW}
        ).json()
        path = f"{COHORTS}/{created['id']}"
        expected = (200, 404, 200)
        actual = tuple(
            api.call("GET", path, who).status_code
            for who in ("advisor_b", "advisor_a", "supervisor")
        )
        assert expected == actual
