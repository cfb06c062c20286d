"""If-Match per RFC 9110 §13.1.1 on every route that reads it."""

from __future__ import annotations

from typing import Any

import pytest

from journey import CASES, ApiJourney

CONTACT = {"first_contact_date": "2026-01-05"}
# route: (method, path suffix, body) — each changes the case when its precondition holds.
ROUTES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "transition": ("POST", "transitions", {"trigger": "log_first_contact", "inputs": CONTACT}),
    "data": ("PATCH", "data", {"changes": {"travel_booked": True}}),
    "document": ("PUT", "documents/identity", {"status": "received"}),
    "reassign": ("POST", "reassignments", {"mission_locale_id": "ml-b"}),
}
MALFORMED = {
    "unquoted": "1",
    "garbage": "not a tag",
    "half-quoted": '"1',
    "two-tags-no-comma": '"1" "2"',
    "weak-unquoted": "W/1",
    "star-in-list": '*, "1"',
    "empty": "",
    "control": '"1"\x01',
}
NEVER_MATCH = {
    "superscript": '"²"'.encode(),
    "weak-current": b'W/"1"',
    "opaque": b'"abc"',
    "leading-zero": b'"01"',
    "huge": b'"' + b"9" * 40 + b'"',
    "weak-list": b'W/"1", W/"2"',
}


def _send(api: ApiJourney, route: str, if_match: str | bytes) -> tuple[int, str, int]:
    """Send the route's change with an If-Match; return status, problem kind and case version."""
    case = api.open_case()
    method, suffix, body = ROUTES[route]
    who = "supervisor" if route == "reassign" else "advisor_a"  # moving to ml-b is theirs
    response = api.client.request(
        method,
        f"{CASES}/{case['id']}/{suffix}",
        json=body,
        headers={**api.headers(who), "If-Match": if_match},  # type: ignore[dict-item]
    )
    kind = response.json()["type"].rsplit("/", 1)[1] if response.status_code >= 400 else ""
    return response.status_code, kind, api.case(case["id"], "supervisor")["version"]


class TestIfMatch:
    """The header's grammar and its strong comparison."""

    @pytest.mark.parametrize("value", list(MALFORMED.values()), ids=list(MALFORMED))
    @pytest.mark.parametrize("route", list(ROUTES))
    def test_malformed_header_is_400(self, api: ApiJourney, route: str, value: str) -> None:
        """A value that is neither `*` nor a list of quoted tags is a 400 and changes nothing."""
        expected = (400, "bad-request", 1)
        assert expected == _send(api, route, value)

    @pytest.mark.parametrize("value", list(NEVER_MATCH.values()), ids=list(NEVER_MATCH))
    @pytest.mark.parametrize("route", list(ROUTES))
    def test_tag_that_cannot_match_is_412(self, api: ApiJourney, route: str, value: bytes) -> None:
        """Weak tags and tags that are no version of ours fail the precondition (never a 500)."""
        expected = (412, "precondition-failed", 1)
        assert expected == _send(api, route, value)

    @pytest.mark.parametrize("route", list(ROUTES))
    def test_star_matches_the_current_version(self, api: ApiJourney, route: str) -> None:
        """`*` matches whatever the case's version is."""
        expected = (200, "", 2)
        assert expected == _send(api, route, "*")

    @pytest.mark.parametrize("value", ['"7", "1"', '"1","9"', 'W/"3", "1"', ' , "1" ,'])
    @pytest.mark.parametrize("route", list(ROUTES))
    def test_list_matches_if_any_tag_does(self, api: ApiJourney, route: str, value: str) -> None:
        """A list holding the current version (strong) lets the change through."""
        expected = (200, "", 2)
        assert expected == _send(api, route, value)

    def test_list_without_the_current_version_is_a_conflict(self, api: ApiJourney) -> None:
        """A list of stale versions answers 409 citing one of the client's own tags."""
        case = api.open_case()
        api.call("PATCH", f"{CASES}/{case['id']}/data", json={"changes": {"travel_booked": True}})
        response = api.fire(
            case["id"], "log_first_contact", CONTACT, headers={"If-Match": '"1", "5"'}
        )
        expected = (409, 5, 2)
        actual = (response.status_code, response.json()["expected"], response.json()["current"])
        assert expected == actual

    def test_weak_tag_of_a_stale_version_is_412(self, api: ApiJourney) -> None:
        """W/"1" never matches, whatever the version (strong comparison)."""
        case = api.open_case()
        response = api.fire(case["id"], "log_first_contact", CONTACT, headers={"If-Match": 'W/"1"'})
        expected = (412, "REFERRED")
        assert expected == (response.status_code, api.case(case["id"])["state"])
