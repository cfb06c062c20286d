"""Young people through the HTTP API: register with duplicate warnings, read, update."""

from __future__ import annotations

from typing import Any

import pytest

from journey import PEOPLE, ApiJourney

CAMILLE = {"first_name": "Camille", "last_name": "Exemple", "birth_date": "2005-06-15"}


class TestRegisterPerson:
    """POST /api/v1/people."""

    def test_created_with_location(self, api: ApiJourney) -> None:
        """A new person answers 201 with a Location and no probable duplicate."""
        response = api.call("POST", PEOPLE, json={**CAMILLE, "email": "camille@example.org"})
        body = response.json()
        expected = (201, f"{PEOPLE}/{body['person']['id']}", [], "camille@example.org")
        actual = (
            response.status_code,
            response.headers["location"],
            body["possible_duplicates"],
            body["person"]["email"],
        )
        assert expected == actual

    def test_created_person_can_be_read_back(self, api: ApiJourney) -> None:
        """The Location of a new person serves the same person."""
        created = api.call("POST", PEOPLE, json=CAMILLE)
        read = api.call("GET", created.headers["location"])
        expected = (200, created.json()["person"])
        assert expected == (read.status_code, read.json())

    @pytest.mark.parametrize(
        "twin",
        [
            pytest.param({"first_name": "Camile", "last_name": "Exemple"}, id="close-name"),
            pytest.param({"first_name": "CAMILLE", "last_name": "exemple"}, id="case-folded"),
            pytest.param({"first_name": "Camillé", "last_name": "Exemple"}, id="accent"),
        ],
    )
    def test_same_birth_date_and_close_name_is_flagged(
        self, api: ApiJourney, twin: dict[str, Any]
    ) -> None:
        """The same birth date with a close name is listed as a possible duplicate, still 201."""
        first = api.person(**CAMILLE)
        response = api.call("POST", PEOPLE, json={**twin, "birth_date": CAMILLE["birth_date"]})
        expected = (201, [first])
        assert expected == (response.status_code, response.json()["possible_duplicates"])

    @pytest.mark.parametrize(
        ("mine", "theirs"),
        [
            pytest.param(
                {"phone": "+33 6 11 22 33 44"}, {"phone": "+33 6 11 22 33 44"}, id="phone"
            ),
            pytest.param({"email": "a@example.org"}, {"email": "A@Example.org"}, id="email"),
        ],
    )
    def test_same_contact_is_flagged(
        self, api: ApiJourney, mine: dict[str, str], theirs: dict[str, str]
    ) -> None:
        """The same phone or e-mail flags a duplicate whatever the name and birth date."""
        first = api.person(**CAMILLE, **mine)
        other = {"first_name": "Dominique", "last_name": "Autre", "birth_date": "1999-01-01"}
        response = api.call("POST", PEOPLE, json={**other, **theirs})
        expected = (201, [first])
        assert expected == (response.status_code, response.json()["possible_duplicates"])

    def test_same_birth_date_and_other_name_is_not_flagged(self, api: ApiJourney) -> None:
        """A mere shared birth date is not a duplicate."""
        api.person(**CAMILLE)
        other = {"first_name": "Dominique", "last_name": "Autre", "birth_date": "2005-06-15"}
        response = api.call("POST", PEOPLE, json=other)
        expected = (201, [])
        assert expected == (response.status_code, response.json()["possible_duplicates"])

    def test_invalid_fields_are_named(self, api: ApiJourney) -> None:
        """A malformed body answers 422 naming each faulty field."""
        response = api.call(
            "POST", PEOPLE, json={"last_name": "", "birth_date": "2005-13-01", "nickname": "x"}
        )
        expected = (
            422,
            "application/problem+json",
            {"first_name", "last_name", "birth_date", "nickname"},
        )
        actual = (
            response.status_code,
            response.headers["content-type"],
            {e["field"] for e in response.json()["errors"]},
        )
        assert expected == actual


class TestReadPerson:
    """GET /api/v1/people/{id}."""

    def test_reads_a_person(self, api: ApiJourney) -> None:
        """A registered person is returned with their fields."""
        person_id = api.person(**CAMILLE)
        response = api.call("GET", f"{PEOPLE}/{person_id}")
        expected = (200, person_id, "Camille", "2005-06-15")
        body = response.json()
        assert expected == (
            response.status_code,
            body["id"],
            body["first_name"],
            body["birth_date"],
        )

    def test_unknown_person_is_404(self, api: ApiJourney) -> None:
        """An unknown id is a 404 problem."""
        response = api.call("GET", f"{PEOPLE}/999")
        expected = (404, "https://ipm-workflow.example.org/problems/not-found")
        assert expected == (response.status_code, response.json()["type"])

    def test_person_of_another_mission_locale_is_hidden(self, api: ApiJourney) -> None:
        """A person whose cases are all in another mission locale answers 404."""
        case = api.open_case()
        response = api.call("GET", f"{PEOPLE}/{case['person_id']}", "advisor_b")
        expected = 404
        assert expected == response.status_code

    def test_person_without_case_is_seen_by_the_registrant_only(self, api: ApiJourney) -> None:
        """A person with no case yet is the registrant's (and supervisors'): others get 404."""
        person_id = api.person()
        expected = (200, 404, 200)
        actual = tuple(
            api.call("GET", f"{PEOPLE}/{person_id}", who).status_code
            for who in ("advisor_a", "advisor_b", "supervisor")
        )
        assert expected == actual


class TestUpdatePerson:
    """PATCH /api/v1/people/{id}."""

    def test_changes_only_given_fields(self, api: ApiJourney) -> None:
        """Given fields change, omitted ones stay."""
        person_id = api.person(**CAMILLE, email="c@example.org")
        response = api.call("PATCH", f"{PEOPLE}/{person_id}", json={"phone": "+33 6 00 00 00 01"})
        person = response.json()["person"]
        expected = (200, "+33600000001", "c@example.org", "Camille")
        assert expected == (
            response.status_code,
            person["phone"],
            person["email"],
            person["first_name"],
        )

    def test_change_is_persisted(self, api: ApiJourney) -> None:
        """A later read sees the change."""
        person_id = api.person(**CAMILLE)
        api.call("PATCH", f"{PEOPLE}/{person_id}", json={"last_name": "Nouveau"})
        expected = "Nouveau"
        assert expected == api.call("GET", f"{PEOPLE}/{person_id}").json()["last_name"]

    def test_duplicates_are_listed_again(self, api: ApiJourney) -> None:
        """Taking another person's e-mail lists that person as a possible duplicate."""
        first = api.person(**CAMILLE, email="shared@example.org")
        second = api.person(first_name="Dominique", last_name="Autre", birth_date="1999-01-01")
        response = api.call("PATCH", f"{PEOPLE}/{second}", json={"email": "shared@example.org"})
        expected = (200, [first])
        assert expected == (response.status_code, response.json()["possible_duplicates"])

    def test_unknown_field_is_422(self, api: ApiJourney) -> None:
        """An unknown field is refused with its name."""
        person_id = api.person()
        response = api.call("PATCH", f"{PEOPLE}/{person_id}", json={"nickname": "Cam"})
        expected = (422, ["nickname"])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])

    def test_person_of_another_mission_locale_is_404(self, api: ApiJourney) -> None:
        """An advisor cannot change a person who only has cases elsewhere."""
        case = api.open_case()
        response = api.call(
            "PATCH", f"{PEOPLE}/{case['person_id']}", "advisor_b", json={"last_name": "X"}
        )
        expected = 404
        assert expected == response.status_code

    def test_null_name_is_422(self, api: ApiJourney) -> None:
        """Clearing a required name is refused as invalid input, not a server error."""
        person_id = api.person()
        response = api.call("PATCH", f"{PEOPLE}/{person_id}", json={"first_name": None})
        expected = 422
        assert expected == response.status_code
