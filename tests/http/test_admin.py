"""Admins through the HTTP API: users, and tokens that are shown once, revoked, and expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ipm_workflow.adapters.clock import ManualClock
from journey import ApiJourney

ADMIN = "/api/v1/admin"
WORKFLOWS = "/api/v1/workflows"


def issue(api: ApiJourney, username: str, **body: object) -> dict[str, object]:
    """Issue a token as the admin and return the answer."""
    response = api.call("POST", f"{ADMIN}/users/{username}/tokens", "admin", json=body)
    expected = 201
    assert expected == response.status_code, response.text
    token: dict[str, object] = response.json()
    return token


def bearer(token: object) -> dict[str, str]:
    """The Authorization header of a token value."""
    return {"Authorization": f"Bearer {token}"}


class TestUsers:
    """POST /api/v1/admin/users and GET /api/v1/admin/users/{username}."""

    def test_creates_a_user(self, api: ApiJourney) -> None:
        """A new user answers 201 with its roles and missions locales."""
        response = api.call(
            "POST",
            f"{ADMIN}/users",
            "admin",
            json={
                "username": "advisor.c",
                "display_name": "Advisor C",
                "role": "advisor",
                "mission_locales": ["ml-b", "ml-a"],
            },
        )
        body = response.json()
        expected = (201, "advisor.c", "advisor", ["ml-a", "ml-b"], True)
        actual = (
            response.status_code,
            body["username"],
            body["role"],
            body["mission_locales"],
            body["active"],
        )
        assert expected == actual

    def test_reads_a_user(self, api: ApiJourney) -> None:
        """A user is read by username."""
        response = api.call("GET", f"{ADMIN}/users/advisor.a", "admin")
        expected = (200, api.users["advisor_a"].id, ["ml-a"])
        body = response.json()
        assert expected == (response.status_code, body["id"], body["mission_locales"])

    def test_unknown_user_is_404(self, api: ApiJourney) -> None:
        """An unknown username answers 404."""
        expected = 404
        assert expected == api.call("GET", f"{ADMIN}/users/nobody", "admin").status_code

    def test_unknown_mission_locale_is_404(self, api: ApiJourney) -> None:
        """A user cannot be attached to a mission locale that does not exist."""
        response = api.call(
            "POST",
            f"{ADMIN}/users",
            "admin",
            json={
                "username": "x.y",
                "display_name": "X",
                "role": "advisor",
                "mission_locales": ["z"],
            },
        )
        expected = 404
        assert expected == response.status_code

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"username": "Bad Name", "display_name": "X", "role": "advisor"}, "username"),
            ({"username": "ok.name", "display_name": "X", "role": "root"}, "role"),
        ],
    )
    def test_invalid_user_is_422(self, api: ApiJourney, body: dict[str, str], field: str) -> None:
        """A malformed username or an unknown role is refused with the field named."""
        response = api.call("POST", f"{ADMIN}/users", "admin", json=body)
        expected = (422, [field])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])

    def test_duplicate_username_is_a_client_error(self, api: ApiJourney) -> None:
        """Creating a user whose username is taken is refused as a conflict, not a crash."""
        response = api.call(
            "POST",
            f"{ADMIN}/users",
            "admin",
            json={"username": "advisor.a", "display_name": "Again", "role": "advisor"},
        )
        expected = 409
        assert expected == response.status_code


class TestTokens:
    """Issue, list and revoke tokens."""

    def test_issued_token_works_at_once(self, api: ApiJourney) -> None:
        """A token is shown once, at issue, and authenticates its user."""
        token = issue(api, "advisor.b", days=7, label="laptop")
        expected = ("laptop", "2026-01-05T09:00:00Z", "2026-01-12T09:00:00Z", None)
        assert expected == (
            token["label"],
            token["created_at"],
            token["expires_at"],
            token["revoked_at"],
        )
        assert str(token["token"]).startswith("ipm_")
        response = api.client.get(WORKFLOWS, headers=bearer(token["token"]))
        expected_status = 200
        assert expected_status == response.status_code

    def test_listing_never_shows_values(self, api: ApiJourney) -> None:
        """A user's tokens are listed newest first, without their values."""
        issued = issue(api, "advisor.b", label="second")
        response = api.call("GET", f"{ADMIN}/users/advisor.b/tokens", "admin")
        listed = response.json()
        expected = (200, [issued["id"], 2], [None, None], ["second", ""])
        actual = (
            response.status_code,
            [t["id"] for t in listed],
            [t["token"] for t in listed],
            [t["label"] for t in listed],
        )
        assert expected == actual
        assert issued["token"] not in response.text

    def test_revoked_token_is_refused_at_once(self, api: ApiJourney) -> None:
        """Revoking answers 204 and the very next request with that token is a 401."""
        token = issue(api, "advisor.b")
        expected = 200
        assert expected == api.client.get(WORKFLOWS, headers=bearer(token["token"])).status_code
        response = api.call("DELETE", f"{ADMIN}/tokens/{token['id']}", "admin")
        after = api.client.get(WORKFLOWS, headers=bearer(token["token"]))
        expected = (204, 401, 'Bearer realm="ipm-workflow"')
        assert expected == (
            response.status_code,
            after.status_code,
            after.headers["www-authenticate"],
        )

    def test_revoked_token_is_listed_as_revoked(self, api: ApiJourney) -> None:
        """The listing shows when a token was revoked."""
        token = issue(api, "advisor.b")
        api.call("DELETE", f"{ADMIN}/tokens/{token['id']}", "admin")
        listed = api.call("GET", f"{ADMIN}/users/advisor.b/tokens", "admin").json()
        expected = "2026-01-05T09:00:00Z"
        assert expected == listed[0]["revoked_at"]

    def test_revoking_twice_is_404(self, api: ApiJourney) -> None:
        """A token already revoked (or unknown) answers 404."""
        token = issue(api, "advisor.b")
        api.call("DELETE", f"{ADMIN}/tokens/{token['id']}", "admin")
        expected = (404, 404)
        actual = (
            api.call("DELETE", f"{ADMIN}/tokens/{token['id']}", "admin").status_code,
            api.call("DELETE", f"{ADMIN}/tokens/999", "admin").status_code,
        )
        assert expected == actual

    def test_expired_token_is_refused(self, api: ApiJourney, clock: ManualClock) -> None:
        """A token stops working when its validity runs out."""
        token = issue(api, "advisor.b", days=1)
        clock.advance(timedelta(hours=23, minutes=59))
        before = api.client.get(WORKFLOWS, headers=bearer(token["token"])).status_code
        clock.advance(timedelta(minutes=1))
        after = api.client.get(WORKFLOWS, headers=bearer(token["token"])).status_code
        expected = (200, 401)
        assert expected == (before, after)

    @pytest.mark.parametrize("days", [0, 731])
    def test_validity_is_bounded(self, api: ApiJourney, days: int) -> None:
        """A token lives between one day and two years."""
        response = api.call("POST", f"{ADMIN}/users/advisor.b/tokens", "admin", json={"days": days})
        expected = (422, ["days"])
        assert expected == (response.status_code, [e["field"] for e in response.json()["errors"]])

    def test_tokens_of_unknown_user_are_404(self, api: ApiJourney) -> None:
        """Issuing or listing tokens for an unknown user answers 404."""
        expected = (404, 404)
        actual = (
            api.call("POST", f"{ADMIN}/users/nobody/tokens", "admin", json={}).status_code,
            api.call("GET", f"{ADMIN}/users/nobody/tokens", "admin").status_code,
        )
        assert expected == actual

    @pytest.mark.parametrize(
        "header",
        ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ipm_not-a-real-token", "Token x"],
    )
    def test_bad_credentials_are_401(self, api: ApiJourney, header: str) -> None:
        """Missing, malformed or unknown credentials answer 401 with a bearer challenge."""
        response = api.client.get(WORKFLOWS, headers={"Authorization": header} if header else {})
        expected = (401, "https://ipm-workflow.example.org/problems/unauthorized")
        assert expected == (response.status_code, response.json()["type"])
        assert "www-authenticate" in response.headers
