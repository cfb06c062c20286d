"""Input checked at the door: names, single lines, addresses, phone numbers, sizes, bodies."""

from __future__ import annotations

from typing import Any

import pytest

from ipm_workflow.bootstrap import Container
from ipm_workflow.domain.errors import InvalidInput
from ipm_workflow.domain.people import Person
from ipm_workflow.domain.policy import OPERATOR_ACTOR
from ipm_workflow.domain.text import NAME_MAX, NOTE_MAX, REASON_MAX
from ipm_workflow.services.commands import FireTrigger
from journey import CASES, PEOPLE, WORKFLOW, ApiJourney

CONTACT = {"first_contact_date": "2026-01-05"}
# Characters no name or single-line text may hold, the issue's own first.
CONTROL = {
    "CR": "Eve\rX",
    "LF": "Eve\nX",
    "CRLF": "Eve\r\nBcc: x",
    "NUL": "Eve\x00X",
    "tab": "Eve\tX",
    "escape": "Eve\x1b[31mX",
    "DEL": "Eve\x7fX",
    "C1-NEL": "Eve\x85X",
    "bidi-override": "Eve\u202eX",
    "bidi-isolate": "Eve\u2066X",
    "line-separator": "Eve\u2028X",
}
BAD_EMAILS = {
    "header-injection": "mal@example.org\r\nBcc: other@example.org",
    "comma-list": "a@example.org, b@example.org",
    "semicolon-list": "a@example.org;b@example.org",
    "display-name": "Eve <eve@example.org>",
    "two-ats": "a@b@example.org",
    "no-domain": "eve@",
    "no-dot": "eve@localhost",
    "spaces": "   ",
}
BAD_PHONES = {"letters": "call me", "too-short": "123", "control": "06 12\r34 56 78", "blank": " "}


def kind(response: Any) -> str:
    """The last segment of a problem's type."""
    return str(response.json()["type"]).rsplit("/", 1)[1]


def fields(response: Any) -> list[str]:
    """The fields a 422 names."""
    return [e["field"] for e in response.json().get("errors", [])]


class TestPersonNames:
    """Names of young people, at registration and when changed."""

    @pytest.mark.parametrize("value", list(CONTROL.values()), ids=list(CONTROL))
    def test_control_character_in_a_name_is_422_naming_it(
        self, api: ApiJourney, value: str
    ) -> None:
        """Any control or bidi character in a first name is refused, and the field is named."""
        body = {"first_name": value, "last_name": "Exemple"}
        response = api.call("POST", PEOPLE, json=body)
        expected = (422, "invalid-input", True)
        actual = (
            response.status_code,
            kind(response),
            any("first_name" in f for f in fields(response)),
        )
        assert expected == actual

    @pytest.mark.parametrize("value", ["", "   ", "\u00a0\u2003"])
    def test_blank_names_are_refused(self, api: ApiJourney, value: str) -> None:
        """A last name of only spaces (ASCII or Unicode) is no name."""
        response = api.call("POST", PEOPLE, json={"first_name": "Camille", "last_name": value})
        expected = 422
        assert expected == response.status_code

    def test_name_past_the_limit_is_422(self, api: ApiJourney) -> None:
        """A name longer than the declared limit is refused."""
        body = {"first_name": "A" * (NAME_MAX + 1), "last_name": "Exemple"}
        expected = 422
        assert expected == api.call("POST", PEOPLE, json=body).status_code

    def test_names_are_stripped_and_accents_kept(self, api: ApiJourney) -> None:
        """Outer spaces go; letters of any script stay."""
        person_id = api.person(first_name="  Zoé-Anaïs ", last_name="N'Diaye Ørsted")
        person = api.call("GET", f"{PEOPLE}/{person_id}").json()
        expected = ("Zoé-Anaïs", "N'Diaye Ørsted")
        assert expected == (person["first_name"], person["last_name"])

    @pytest.mark.parametrize("value", ["Eve\rX", "  ", None])
    def test_patch_checks_names_the_same_way(self, api: ApiJourney, value: str | None) -> None:
        """PATCH refuses what POST refuses, and the person is unchanged."""
        person_id = api.person()
        response = api.call("PATCH", f"{PEOPLE}/{person_id}", json={"first_name": value})
        after = api.call("GET", f"{PEOPLE}/{person_id}").json()["first_name"]
        expected = (422, "Camille")
        assert expected == (response.status_code, after)


class TestAddresses:
    """E-mail addresses and phone numbers of people."""

    @pytest.mark.parametrize("value", list(BAD_EMAILS.values()), ids=list(BAD_EMAILS))
    @pytest.mark.parametrize("method", ["POST", "PATCH"])
    def test_anything_but_one_address_is_422(
        self, api: ApiJourney, value: str, method: str
    ) -> None:
        """A list, a header, a display name or a malformed address is refused on both routes."""
        if method == "POST":
            body = {"first_name": "Camille", "last_name": "Exemple", "email": value}
            response = api.call("POST", PEOPLE, json=body)
        else:
            response = api.call("PATCH", f"{PEOPLE}/{api.person()}", json={"email": value})
        expected = (422, True)
        assert expected == (response.status_code, any("email" in f for f in fields(response)))

    def test_address_is_normalised(self, api: ApiJourney) -> None:
        """The domain of an address is lower-cased; the address is otherwise kept."""
        person_id = api.person(email=" Camille.E@Example.ORG ")
        expected = "Camille.E@example.org"
        assert expected == api.call("GET", f"{PEOPLE}/{person_id}").json()["email"]

    @pytest.mark.parametrize("value", list(BAD_PHONES.values()), ids=list(BAD_PHONES))
    def test_phone_that_does_not_parse_is_422(self, api: ApiJourney, value: str) -> None:
        """A phone number that cannot be a real number is refused, naming the field."""
        body = {"first_name": "Camille", "last_name": "Exemple", "phone": value}
        response = api.call("POST", PEOPLE, json=body)
        expected = (422, True)
        assert expected == (response.status_code, any("phone" in f for f in fields(response)))

    @pytest.mark.parametrize(
        ("given", "stored"),
        [("06 12 34 56 78", "+33612345678"), ("+44 20 7946 0958", "+442079460958")],
    )
    def test_phone_is_stored_in_e164(self, api: ApiJourney, given: str, stored: str) -> None:
        """A French number without country code and a foreign one both end up in E.164."""
        person_id = api.person(phone=given)
        assert stored == api.call("GET", f"{PEOPLE}/{person_id}").json()["phone"]


class TestCaseFields:
    """Case data: e-mail fields, single-line text fields, reasons."""

    @pytest.mark.parametrize("value", list(BAD_EMAILS.values())[:-1], ids=list(BAD_EMAILS)[:-1])
    def test_host_email_is_one_valid_address(self, api: ApiJourney, value: str) -> None:
        """The host's e-mail is checked like a person's, and the case keeps its old value."""
        case = api.open_case()
        path = f"{CASES}/{case['id']}/data"
        response = api.call("PATCH", path, json={"changes": {"host_email": value}})
        expected = (422, True, None)
        actual = (
            response.status_code,
            any("host_email" in f for f in fields(response)),
            api.case(case["id"])["data"].get("host_email"),
        )
        assert expected == actual

    def test_host_email_is_kept_normalised(self, api: ApiJourney) -> None:
        """A valid host address is stored in its normalised form."""
        case = api.open_case()
        path = f"{CASES}/{case['id']}/data"
        response = api.call("PATCH", path, json={"changes": {"host_email": "Tutor@Host.Example"}})
        expected = (200, "Tutor@host.example")
        assert expected == (response.status_code, response.json()["data"]["host_email"])

    @pytest.mark.parametrize("value", ["Malta\r\nX", "Malta\x00", "x" * 201, "Malta\u202e"])
    def test_single_line_text_field_is_checked(self, api: ApiJourney, value: str) -> None:
        """A text field holds one line of at most 200 characters, without control characters."""
        case = api.open_case()
        path = f"{CASES}/{case['id']}/data"
        response = api.call("PATCH", path, json={"changes": {"destination_country": value}})
        expected = 422
        assert expected == response.status_code

    @pytest.mark.parametrize(
        "reason", ["x" * (REASON_MAX + 1), "a\x00b", "a\x1bb"], ids=["long", "nul", "esc"]
    )
    @pytest.mark.parametrize("route", ["transition", "data", "reassign"])
    def test_reasons_are_bounded_and_clean(self, api: ApiJourney, reason: str, route: str) -> None:
        """A reason past the limit or with a control character is refused on every route."""
        case = api.open_case()
        base = f"{CASES}/{case['id']}"
        calls = {
            "transition": (
                f"{base}/transitions",
                {"trigger": "log_first_contact", "inputs": CONTACT, "reason": reason},
            ),
            "data": (f"{base}/data", {"changes": {"travel_booked": True}, "reason": reason}),
            "reassign": (f"{base}/reassignments", {"advisor_id": None, "reason": reason}),
        }
        path, body = calls[route]
        method = "PATCH" if route == "data" else "POST"
        response = api.call(method, path, json=body)
        expected = (422, 1)
        assert expected == (response.status_code, len(api.history(case["id"])))

    def test_blank_reason_is_no_reason(self, api: ApiJourney) -> None:
        """An empty form field: nothing recorded as the reason (required ones stay required)."""
        case = api.open_case()
        response = api.fire(case["id"], "log_first_contact", CONTACT, reason="  \n ")
        expected = (200, False)
        assert expected == (response.status_code, "reason" in response.json()["entry"]["payload"])

    def test_multi_line_reason_is_accepted(self, api: ApiJourney) -> None:
        """Line breaks and tabs belong in a reason."""
        case = api.open_case()
        response = api.fire(case["id"], "log_first_contact", CONTACT, reason="first line\n\tsecond")
        expected = 200
        assert expected == response.status_code

    def test_note_limit_is_declared(self) -> None:
        """A note field holds more than a reason (limits are ordered as documented)."""
        assert NAME_MAX < REASON_MAX < NOTE_MAX


class TestDirectory:
    """Users, tokens and cohorts."""

    @pytest.mark.parametrize("display", ["Ad\rmin", "  ", "Ad\u202emin"])
    def test_user_display_name_is_checked(self, api: ApiJourney, display: str) -> None:
        """An admin cannot create a user whose name holds control characters or nothing."""
        body = {"username": "new.user", "display_name": display, "role": "advisor"}
        expected = 422
        assert expected == api.call("POST", "/api/v1/admin/users", "admin", json=body).status_code

    @pytest.mark.parametrize("days", [True, "30", 30.5, None])
    def test_token_days_is_a_json_integer(self, api: ApiJourney, days: Any) -> None:
        """`true`, a string or a fraction is not a number of days."""
        path = "/api/v1/admin/users/advisor.a/tokens"
        response = api.call("POST", path, "admin", json={"days": days})
        expected = (422, True)
        assert expected == (response.status_code, any("days" in f for f in fields(response)))

    @pytest.mark.parametrize("label", ["Malta\r\n", "   ", "x" * 201])
    def test_cohort_label_is_a_single_line(self, api: ApiJourney, label: str) -> None:
        """A cohort label is one non-blank line within its limit."""
        body = {"code": "MALTA-1", "label": label, "workflow": WORKFLOW}
        expected = 422
        assert expected == api.call("POST", "/api/v1/cohorts", "supervisor", json=body).status_code

    def test_dry_run_is_a_json_boolean(self, api: ApiJourney) -> None:
        """`"yes"` is not a boolean in a body."""
        body = {"code": "MALTA-1", "label": "Malta", "workflow": WORKFLOW}
        cohort = api.call("POST", "/api/v1/cohorts", "supervisor", json=body).json()
        path = f"/api/v1/cohorts/{cohort['id']}/transitions"
        bulk = {"trigger": "log_first_contact", "dry_run": "yes"}
        expected = 422
        assert expected == api.call("POST", path, "supervisor", json=bulk).status_code


class TestServicesCheckToo:
    """The services (behind the CLI) apply the same rules as the API."""

    def test_register_refuses_what_the_api_refuses(self, container: Container) -> None:
        """A name with CR and a comma list of addresses are refused, naming both fields."""
        with pytest.raises(InvalidInput) as caught:
            container.people.register(
                Person(None, "Eve\rX", "Exemple", email="a@example.org, b@example.org"),
                OPERATOR_ACTOR,
            )
        expected = ["first_name", "email"]
        assert expected == [e["field"] for e in caught.value.errors]

    def test_register_normalises_contacts(self, container: Container) -> None:
        """The stored phone number is E.164 whichever door it came through."""
        person = container.people.register(
            Person(None, "Eve", "Exemple", phone="06 12 34 56 78"), OPERATOR_ACTOR
        )
        expected = "+33612345678"
        assert expected == container.people.get(person.person.id or 0).phone

    @pytest.mark.parametrize(
        ("display", "email"), [("Ad\nmin", None), ("Admin", "a@example.org;b@example.org")]
    )
    def test_add_user_checks_name_and_address(
        self, container: Container, display: str, email: str | None
    ) -> None:
        """Users are checked the same way."""
        with pytest.raises(InvalidInput):
            container.people.add_user("new.user", display, "advisor", [], email=email)

    def test_reason_is_checked_on_the_command(self, container: Container) -> None:
        """A command carrying a reason with NUL is refused before reaching the database."""
        with pytest.raises(InvalidInput):
            FireTrigger(1, "log_first_contact", {}, "why\x00")
