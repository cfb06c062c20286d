"""Hostile but well-formed inputs: out-of-range integers and NUL characters never crash the API."""

from __future__ import annotations

from typing import Any

import pytest

from journey import CASES, OPENING, WORKFLOW, ApiJourney

BIGINT_OVERFLOW = 2**63  # past every integer column, and past SQLite's INTEGER
INTEGER_OVERFLOW = 2**31  # past PostgreSQL INTEGER columns (users.id, api_tokens.id)
NUL = "a\x00b"

# name: (method, path, caller, query, body); "{n}" is replaced by the hostile integer.
INT_PROBES: dict[str, tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]] = {
    "case-path": ("GET", f"{CASES}/{{n}}", "advisor_a", None, None),
    "person-path": ("GET", "/api/v1/people/{n}", "advisor_a", None, None),
    "token-path": ("DELETE", "/api/v1/admin/tokens/{n}", "admin", None, None),
    "advisor-query": ("GET", CASES, "advisor_a", {"advisor_id": "{n}"}, None),
    "offset-query": ("GET", CASES, "advisor_a", {"offset": "{n}"}, None),
    "audit-case-query": ("GET", "/api/v1/audit/entries", "supervisor", {"case_id": "{n}"}, None),
    "verify-case-query": ("GET", "/api/v1/audit/verify", "supervisor", {"case_id": "{n}"}, None),
    "person-body": (
        "POST",
        CASES,
        "advisor_a",
        None,
        {"person_id": "{n}", "workflow": WORKFLOW, "mission_locale_id": "ml-a", "inputs": OPENING},
    ),
    "advisor-body": (
        "POST",
        f"{CASES}/{{case}}/reassignments",
        "advisor_a",
        None,
        {"advisor_id": "{n}"},
    ),
}
# Probes whose column is a PostgreSQL INTEGER: they fail from 2**31 on, not only from 2**63.
INT4_COLUMNS = {"token-path", "advisor-query", "advisor-body"}

NUL_PROBES: dict[str, tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]] = {
    "person-name": (
        "POST",
        "/api/v1/people",
        "advisor_a",
        None,
        {"first_name": NUL, "last_name": "X"},
    ),
    "state-filter": ("GET", CASES, "advisor_a", {"state": NUL}, None),
    "trigger": ("POST", f"{CASES}/{{case}}/transitions", "advisor_a", None, {"trigger": NUL}),
    "reason": (
        "POST",
        f"{CASES}/{{case}}/transitions",
        "advisor_a",
        None,
        {
            "trigger": "log_first_contact",
            "inputs": {"first_contact_date": "2026-01-05"},
            "reason": NUL,
        },
    ),
    "data-value": (
        "PATCH",
        f"{CASES}/{{case}}/data",
        "advisor_a",
        None,
        {"changes": {"destination_country": NUL}},
    ),
    "audit-filter": ("GET", "/api/v1/audit/entries", "supervisor", {"trigger": NUL}, None),
    "token-label": ("POST", "/api/v1/admin/users/advisor.a/tokens", "admin", None, {"label": NUL}),
    "username-path": ("GET", "/api/v1/admin/users/a%00b", "admin", None, None),
}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, str) and value in ("{n}", "{case}"):
        return ids[value[1:-1]]
    return value


def _send(api: ApiJourney, probe: tuple[Any, ...], n: int | None = None) -> int:
    """Send a probe on a fresh case; return the status code."""
    method, path, who, query, body = probe
    ids = {"n": n, "case": api.open_case()["id"]}
    response = api.call(
        method, path.format(**ids), who, params=_fill(query, ids), json=_fill(body, ids)
    )
    return response.status_code


class TestOutOfRangeIntegers:
    """Integers the database cannot hold."""

    @pytest.mark.parametrize("name", list(INT_PROBES))
    def test_past_bigint_is_a_client_error(
        self, api: ApiJourney, name: str, request: pytest.FixtureRequest
    ) -> None:
        """2**63 anywhere an id goes answers 4xx, never 500."""
        expected = 4
        assert expected == _send(api, INT_PROBES[name], BIGINT_OVERFLOW) // 100

    @pytest.mark.parametrize("name", list(INT_PROBES))
    def test_past_integer_is_a_client_error(
        self, api: ApiJourney, name: str, db_url: str, request: pytest.FixtureRequest
    ) -> None:
        """2**31 answers 4xx (or 2xx where nothing matches), never 500."""
        assert _send(api, INT_PROBES[name], INTEGER_OVERFLOW) < 500


class TestNulCharacters:
    """Strings with a NUL character."""

    @pytest.mark.parametrize("name", list(NUL_PROBES))
    def test_nul_is_the_same_422_on_both_databases(
        self, api: ApiJourney, name: str, db_url: str, request: pytest.FixtureRequest
    ) -> None:
        """A NUL in a body, query or path string is refused before SQL, on SQLite as on PG."""
        expected = 422
        assert expected == _send(api, NUL_PROBES[name])


class TestUniqueNames:
    """Creating something whose unique name is taken."""

    def test_duplicate_cohort_code_is_a_client_error(self, api: ApiJourney) -> None:
        """A second cohort with the same code is refused as a client error."""
        body = {"code": "MALTA-1", "label": "Malta", "workflow": WORKFLOW}
        api.call("POST", "/api/v1/cohorts", json=body)
        expected = 4
        assert expected == api.call("POST", "/api/v1/cohorts", json=body).status_code // 100


# Every route that reads a JSON body: (method, path, caller); {case}, {person}, {cohort} filled in.
BODY_ROUTES: dict[str, tuple[str, str, str]] = {
    "person-create": ("POST", "/api/v1/people", "advisor_a"),
    "person-patch": ("PATCH", "/api/v1/people/{person}", "advisor_a"),
    "case-open": ("POST", CASES, "advisor_a"),
    "transition": ("POST", f"{CASES}/{{case}}/transitions", "advisor_a"),
    "data": ("PATCH", f"{CASES}/{{case}}/data", "advisor_a"),
    "document": ("PUT", f"{CASES}/{{case}}/documents/identity", "advisor_a"),
    "reassign": ("POST", f"{CASES}/{{case}}/reassignments", "advisor_a"),
    "merge": ("POST", f"{CASES}/{{case}}/merges", "supervisor"),
    "cohort-create": ("POST", "/api/v1/cohorts", "supervisor"),
    "cohort-members": ("POST", "/api/v1/cohorts/{cohort}/members", "supervisor"),
    "cohort-bulk": ("POST", "/api/v1/cohorts/{cohort}/transitions", "supervisor"),
    "user-create": ("POST", "/api/v1/admin/users", "admin"),
    "token-issue": ("POST", "/api/v1/admin/users/advisor.a/tokens", "admin"),
}
DEEP = b'{"first_name": ' + b"[" * 1000 + b"]" * 1000 + b', "last_name": "X"}'
DEEP_OBJECTS = b'{"changes": ' + b'{"a": ' * 999 + b"1" + b"}" * 999 + b"}"
NOT_UTF8 = b'{"first_name": "\xff", "last_name": "X", "trigger": "\xe9", "code": "\xc3"}'


def _body_path(api: ApiJourney, path: str) -> str:
    case = api.open_case()
    cohort = api.call(
        "POST",
        "/api/v1/cohorts",
        "supervisor",
        json={"code": f"C{case['id']}", "label": "Cohort", "workflow": "erasmus_vet_group"},
    ).json()
    return path.format(case=case["id"], person=case["person_id"], cohort=cohort["id"])


class TestBodies:
    """Bodies that are not what JSON decoding expects: a problem detail, never a 500."""

    @pytest.mark.parametrize(
        "body", [DEEP, DEEP_OBJECTS, NOT_UTF8], ids=["arrays", "objects", "latin1"]
    )
    @pytest.mark.parametrize("route", list(BODY_ROUTES))
    def test_undecodable_body_is_400(
        self, api: ApiJourney, route: str, body: bytes, db_url: str
    ) -> None:
        """Nesting past the recursion limit and bytes that are not UTF-8 answer 400 problems."""
        method, path, who = BODY_ROUTES[route]
        response = api.client.request(
            method,
            _body_path(api, path),
            content=body,
            headers=api.headers(who, **{"content-type": "application/json"}),
        )
        expected = (400, "bad-request", "application/problem+json")
        assert expected == (
            response.status_code,
            response.json()["type"].rsplit("/", 1)[1],
            response.headers["content-type"],
        )

    @pytest.mark.parametrize("route", list(BODY_ROUTES))
    def test_nul_anywhere_is_the_same_422_on_both_databases(
        self, api: ApiJourney, route: str, db_url: str
    ) -> None:
        """A NUL in any string of any body is refused before SQL, naming where it is."""
        method, path, who = BODY_ROUTES[route]
        body = {"first_name": NUL, "reason": "ok", "inputs": {"x": [NUL]}}
        response = api.call(method, _body_path(api, path), who, json=body)
        expected = (422, "invalid-input", ["first_name", "inputs.x[0]"])
        assert expected == (
            response.status_code,
            response.json()["type"].rsplit("/", 1)[1],
            sorted(e["field"] for e in response.json()["errors"]),
        )
